"""The `BudgetGuard` port over PostgreSQL: the budgets that apply to a run, and what they counted.

One query per model call of a run: the run's own cap, its workflow's budgets and the workspace's,
each with its spend so far (`CostRepository.applying`). The engine's view of the run's cost may be
ahead of what is recorded (a step not committed yet); the larger of the two counts.
"""

from __future__ import annotations

from backend.costs.records import BudgetPeriod
from backend.costs.repository import CostRepository
from engine.budgets import allowance, exceeds
from engine.ports import BudgetExceeded, SpendRequest


class PostgresBudgetGuard:
    """Checks a model call against the budgets recorded in `budgets`."""

    def __init__(self, repository: CostRepository) -> None:
        self._repository = repository

    async def check(self, request: SpendRequest) -> BudgetExceeded | None:
        """The first budget (the run's, the workflow's, then the workspace's) the call would exceed."""
        budgets, recorded = await self._repository.applying(request.workspace_id, request.run_id)
        unrecorded = max(0.0, request.run_cost_usd - recorded)
        for budget in budgets:
            if budget.period is BudgetPeriod.RUN:
                spent = max(recorded, request.run_cost_usd)
            else:
                spent = (budget.spent_usd or 0.0) + unrecorded
            key = str(budget.id)
            approvals = request.approvals.get(key, 0)
            if exceeds(spent, request.estimate_usd, budget.limit_usd, approvals):
                return BudgetExceeded(
                    budget=key,
                    description=budget.description(),
                    limit_usd=budget.limit_usd,
                    allowance_usd=allowance(budget.limit_usd, approvals),
                    spent_usd=spent,
                )
        return None
