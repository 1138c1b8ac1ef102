"""Plain data of the costs slice, crossing from the repository to the service and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from engine.graph import Problem


class InvalidCostWindowError(ValueError):
    """The days asked for cannot be read (reversed, or longer than the service allows)."""


class InvalidBudgetError(ValueError):
    """A budget given where no typed problem can answer (startRun's `budgetUsd`) is not valid."""


class BudgetPeriod(StrEnum):
    """What a budget counts: calendar days or months (UTC) of spend, or each run on its own."""

    DAY = "DAY"
    MONTH = "MONTH"
    RUN = "RUN"


@dataclass(frozen=True)
class BudgetRecord:
    """A limit on spend: of the workspace (no workflow), one workflow, or one run."""

    id: UUID
    workspace_id: UUID
    workflow_id: UUID | None
    workflow_name: str | None
    run_id: UUID | None
    period: BudgetPeriod
    limit_usd: float
    spent_usd: float | None
    """What the current day or month has counted so far; None for a per-run budget."""
    created_at: datetime
    updated_at: datetime

    def description(self) -> str:
        """What the budget is, for people (the prompt of a budget hold)."""
        if self.run_id is not None:
            return "this run's budget"
        adjective = {BudgetPeriod.DAY: "daily", BudgetPeriod.MONTH: "monthly", BudgetPeriod.RUN: "per-run"}
        kind = adjective[self.period]
        if self.workflow_id is None:
            return f"the workspace's {kind} budget"
        return f"the {kind} budget of workflow “{self.workflow_name or self.workflow_id}”"


@dataclass(frozen=True)
class DeletedBudget:
    """A budget that was deleted."""

    id: UUID


@dataclass(frozen=True)
class InvalidBudget:
    """A budget that cannot be set as asked."""

    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class ModelCost:
    """What one model's calls cost on one day (nodes of models without a price are `unpriced`)."""

    model: str
    cost_usd: float
    input_tokens: int
    output_tokens: int
    unpriced: bool


@dataclass(frozen=True)
class CostDay:
    """What the runs created on one day (UTC) cost, and the tokens they used."""

    day: date
    cost_usd: float
    input_tokens: int
    output_tokens: int
    runs: int
    by_model: tuple[ModelCost, ...]


@dataclass(frozen=True)
class CostWindow:
    """Which runs an aggregate covers: of one workspace, created on days [since, until] (UTC)."""

    workspace_id: UUID
    since: date
    until: date
    """Inclusive."""
    workflow_id: UUID | None = None
