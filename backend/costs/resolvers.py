"""GraphQL queries and mutations of costs and budgets (members read; admins and owners set budgets)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from backend.accounts.roles import Permission
from backend.costs import records
from backend.costs.types import (
    Budget,
    CostDay,
    DeleteBudgetResult,
    DeletedBudget,
    InvalidBudget,
    ModelPrice,
    SetBudgetInput,
    SetBudgetResult,
)
from backend.gql.common import NotFound, UserInputError
from backend.gql.context import Info, principal_of
from backend.gql.permissions import requires
from backend.problems import NotFound as NotFoundRecord


def _not_found(record: NotFoundRecord) -> NotFound:
    return NotFound(id=strawberry.ID(record.id), message=record.message)


@strawberry.type
class CostQuery:
    @strawberry.field(
        description="Cost, tokens and runs per day (UTC) of your workspace's runs created from `from` to "
        "`to` (inclusive, at most 366 days), optionally of one workflow; days without runs are left out.",
        extensions=requires(Permission.READ),
    )
    async def costs(
        self,
        info: Info,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        workflow_id: strawberry.ID | None = None,
    ) -> list[CostDay]:
        try:
            days = await info.context.services.costs.days(principal_of(info), from_, to, workflow_id)
        except records.InvalidCostWindowError as exc:
            raise UserInputError(str(exc)) from exc
        return [CostDay.of(day) for day in days]

    @strawberry.field(
        description="Your workspace's budgets and its workflows' (USD per day, month or run).",
        extensions=requires(Permission.READ),
    )
    async def budgets(self, info: Info) -> list[Budget]:
        return [Budget.of(record) for record in await info.context.services.costs.budgets(principal_of(info))]

    @strawberry.field(
        description="The model prices in effect (USD per million tokens): the shipped ones and the "
        "operator's FLOWLOOM_MODEL_PRICES. Models not listed cost 0 and are marked unpriced.",
        extensions=requires(Permission.READ),
    )
    def model_prices(self, info: Info) -> list[ModelPrice]:
        prices = info.context.services.costs.prices()
        return [ModelPrice.of(model, price) for model, price in sorted(prices.items())]


@strawberry.type
class CostMutation:
    @strawberry.mutation(
        description="Set the budget of the workspace (no workflowId) or of one workflow for a period; "
        "one budget per scope and period, so setting it again changes its limit.",
        extensions=requires(Permission.MANAGE),
    )
    async def set_budget(self, info: Info, input: SetBudgetInput) -> SetBudgetResult:
        result = await info.context.services.costs.set_budget(
            principal_of(info),
            None if input.workflow_id is None else str(input.workflow_id),
            records.BudgetPeriod(input.period.value),
            input.limit_usd,
        )
        if isinstance(result, NotFoundRecord):
            return _not_found(result)
        if isinstance(result, records.InvalidBudget):
            return InvalidBudget.of(result)
        return Budget.of(result)

    @strawberry.mutation(description="Delete a budget.", extensions=requires(Permission.MANAGE))
    async def delete_budget(self, info: Info, id: strawberry.ID) -> DeleteBudgetResult:
        result = await info.context.services.costs.delete_budget(principal_of(info), str(id))
        if isinstance(result, NotFoundRecord):
            return _not_found(result)
        return DeletedBudget(id=strawberry.ID(str(result.id)))
