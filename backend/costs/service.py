"""Costs and budgets of a principal's workspace: aggregates by day, and setting budgets."""

from __future__ import annotations

import math
from datetime import date, timedelta

from pydantic import JsonValue

from backend.accounts.records import Principal
from backend.costs.records import (
    BudgetPeriod,
    BudgetRecord,
    CostDay,
    CostWindow,
    DeletedBudget,
    InvalidBudget,
    InvalidBudgetError,
    InvalidCostWindowError,
)
from backend.costs.repository import CostRepository
from backend.problems import NotFound
from backend.runs.starting import RunStarter, StartProblem
from backend.workflows.service import parse_id
from engine.graph import Problem
from engine.pricing import ModelPrice, PriceTable
from engine.records import RunRecord

MAX_DAYS = 366
"""The longest window one costs query covers."""
MAX_LIMIT_USD = 1_000_000_000.0
"""The largest budget limit (anything larger is no limit at all)."""


def _limit_problem(limit_usd: float) -> Problem | None:
    if not math.isfinite(limit_usd) or limit_usd <= 0:
        return Problem("INVALID_LIMIT", "The limit must be a positive amount of USD.", "limitUsd", None)
    if limit_usd > MAX_LIMIT_USD:
        return Problem(
            "INVALID_LIMIT", f"The limit must be at most {MAX_LIMIT_USD:,.0f} USD.", "limitUsd", None
        )
    return None


class CostService:
    """What a workspace's runs cost, and its budgets."""

    def __init__(self, repository: CostRepository, prices: PriceTable, starter: RunStarter) -> None:
        """`starter`: how runs are started (a run given a budget of its own is started here)."""
        self._repository = repository
        self._prices = prices
        self._starter = starter

    def prices(self) -> dict[str, ModelPrice]:
        """The price table in effect (shipped prices with the settings' overrides)."""
        return self._prices.entries()

    async def days(
        self, principal: Principal, since: date, until: date, workflow_id: str | None
    ) -> list[CostDay]:
        """Cost, tokens and runs per day (UTC) of the runs created from `since` to `until` inclusive.

        Raises:
            InvalidCostWindowError: `until` is before `since`, or the window is longer than MAX_DAYS.
        """
        if until < since:
            raise InvalidCostWindowError("`to` is before `from`")
        if until - since >= timedelta(days=MAX_DAYS):
            raise InvalidCostWindowError(f"a costs query covers at most {MAX_DAYS} days")
        workflow = None
        if workflow_id is not None:
            workflow = parse_id(workflow_id)
            if workflow is None:
                return []  # like an unknown workflow: no runs
        return await self._repository.days(CostWindow(principal.workspace_id, since, until, workflow))

    async def budgets(self, principal: Principal) -> list[BudgetRecord]:
        """The workspace's budgets and its workflows'."""
        return await self._repository.budgets(principal.workspace_id)

    async def set_budget(
        self, principal: Principal, workflow_id: str | None, period: BudgetPeriod, limit_usd: float
    ) -> BudgetRecord | NotFound | InvalidBudget:
        """Set the budget of the workspace (no workflow) or of a workflow for a period."""
        problem = _limit_problem(limit_usd)
        if problem is not None:
            return InvalidBudget((problem,))
        workflow = None
        if workflow_id is not None:
            workflow = parse_id(workflow_id)
            if workflow is None or not await self._repository.workflow_exists(
                principal.workspace_id, workflow
            ):
                return NotFound(workflow_id, f"No workflow {workflow_id} in this workspace.")
        return await self._repository.set(principal.workspace_id, workflow, None, period, limit_usd)

    async def start_capped_run(
        self, principal: Principal, workflow_id: str, inputs: JsonValue, limit_usd: float
    ) -> RunRecord | StartProblem:
        """Start a run of a workflow with a budget of its own (`startRun(budgetUsd:)`): created in
        the same transaction as the run, so no call of the run escapes it.

        Raises:
            InvalidBudgetError: the limit is not a positive amount (nothing was started).
        """
        problem = _limit_problem(limit_usd)
        if problem is not None:
            raise InvalidBudgetError(problem.message.replace("The limit", "budgetUsd"))
        run = await self._starter.prepare(principal.workspace_id, workflow_id, inputs)
        if not isinstance(run, RunRecord):
            return run
        async with self._repository.transaction() as connection:
            await self._starter.create(run, connection=connection)
            await self._repository.set(
                run.workspace_id, None, run.id, BudgetPeriod.RUN, limit_usd, connection=connection
            )
        await self._starter.admit(run.workspace_id)
        return run

    async def delete_budget(self, principal: Principal, budget_id: str) -> DeletedBudget | NotFound:
        """Delete one of the workspace's budgets."""
        parsed = parse_id(budget_id)
        if parsed is None or not await self._repository.delete(principal.workspace_id, parsed):
            return NotFound(budget_id, f"No budget {budget_id} in this workspace.")
        return DeletedBudget(parsed)
