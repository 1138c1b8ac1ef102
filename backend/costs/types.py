"""GraphQL types of the costs slice, built from its records."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated

import strawberry

from backend.costs import records
from backend.gql.common import NotFound, Problem
from engine.pricing import ModelPrice as ModelPriceRecord


@strawberry.enum(description="What a budget counts: spend per calendar day or month (UTC), or per run.")
class BudgetPeriod(Enum):
    DAY = "DAY"
    MONTH = "MONTH"
    RUN = "RUN"


@strawberry.type(
    description="A limit on spend (USD) of the workspace, or of one workflow, per day, month or run. "
    "When a model call would exceed it, the run waits for approval (a human task in the Inbox)."
)
class Budget:
    id: strawberry.ID
    workflow_id: strawberry.ID | None = strawberry.field(description="Null: the whole workspace.")
    workflow_name: str | None
    period: BudgetPeriod
    limit_usd: float
    spent_usd: float | None = strawberry.field(
        description="What the current day or month has counted so far; null for a per-run budget."
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, record: records.BudgetRecord) -> Budget:
        """Build from the record."""
        return cls(
            id=strawberry.ID(str(record.id)),
            workflow_id=None if record.workflow_id is None else strawberry.ID(str(record.workflow_id)),
            workflow_name=record.workflow_name,
            period=BudgetPeriod(record.period.value),
            limit_usd=record.limit_usd,
            spent_usd=record.spent_usd,
            created_at=record.created_at,
            updated_at=record.updated_at,
        )


@strawberry.input(description="A budget to create, or whose limit to change.")
class SetBudgetInput:
    workflow_id: strawberry.ID | None = strawberry.field(
        default=None, description="The workflow it limits; null for the whole workspace."
    )
    period: BudgetPeriod
    limit_usd: float = strawberry.field(description="The limit in USD, above 0.")


@strawberry.type(description="The budget cannot be set as asked.")
class InvalidBudget:
    problems: list[Problem]

    @classmethod
    def of(cls, record: records.InvalidBudget) -> InvalidBudget:
        """Build from the record."""
        return cls(problems=[Problem.from_record(problem) for problem in record.problems])


@strawberry.type(description="The budget was deleted.")
class DeletedBudget:
    id: strawberry.ID


SetBudgetResult = Annotated[Budget | NotFound | InvalidBudget, strawberry.union("SetBudgetResult")]
DeleteBudgetResult = Annotated[DeletedBudget | NotFound, strawberry.union("DeleteBudgetResult")]


@strawberry.type(description="What one model's calls cost on one day.")
class ModelCost:
    model: str = strawberry.field(description="The model string, or `(kind)` for nodes naming none.")
    cost_usd: float
    input_tokens: int
    output_tokens: int
    priced: bool = strawberry.field(
        description="False when the price table does not know the model (cost 0)."
    )

    @classmethod
    def of(cls, record: records.ModelCost) -> ModelCost:
        """Build from the record."""
        return cls(
            model=record.model,
            cost_usd=record.cost_usd,
            input_tokens=record.input_tokens,
            output_tokens=record.output_tokens,
            priced=not record.unpriced,
        )


@strawberry.type(description="What the runs created on one day (UTC) cost.")
class CostDay:
    day: date
    cost_usd: float
    input_tokens: int
    output_tokens: int
    runs: int
    by_model: list[ModelCost]

    @classmethod
    def of(cls, record: records.CostDay) -> CostDay:
        """Build from the record."""
        return cls(
            day=record.day,
            cost_usd=record.cost_usd,
            input_tokens=record.input_tokens,
            output_tokens=record.output_tokens,
            runs=record.runs,
            by_model=[ModelCost.of(model) for model in record.by_model],
        )


@strawberry.type(description="A model's price: USD per million tokens.")
class ModelPrice:
    model: str = strawberry.field(description="A model string or name; a trailing * matches any suffix.")
    input_per_million: float
    output_per_million: float

    @classmethod
    def of(cls, model: str, price: ModelPriceRecord) -> ModelPrice:
        """Build from a price table entry."""
        return cls(model=model, input_per_million=price.input, output_per_million=price.output)
