"""The BudgetGuard contract, against the in-memory guard and the PostgreSQL one.

Each subject gives a run under a per-run budget of its own; the suite asks about calls as the
engine does (the run's cost so far, the call's estimate, the run's approvals) and checks the answer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from uuid import UUID, uuid4

import pytest

from backend.costs.guard import PostgresBudgetGuard
from backend.costs.records import BudgetPeriod
from backend.costs.repository import CostRepository
from backend.services import Services
from backend.workflows.records import WorkflowRecord
from engine.ports import BudgetGuard, SpendRequest
from engine.testing import InMemoryBudgetGuard, pending_run
from tests.fixtures_data import template_chain
from tests.tenants import new_tenant


@dataclass(frozen=True)
class CappedRun:
    """A run (of a workspace) with a budget of its own, and that budget's key."""

    workspace_id: UUID
    run_id: UUID
    budget: str


@dataclass
class GuardSubject:
    """A guard, and a way to make runs it holds to a per-run limit."""

    guard: BudgetGuard
    capped_run: Callable[[float], Awaitable[CappedRun]]


@asynccontextmanager
async def memory_guard(services: Services) -> AsyncIterator[GuardSubject]:
    guard = InMemoryBudgetGuard({})

    async def capped_run(limit_usd: float) -> CappedRun:
        key = str(uuid4())
        guard.limits[key] = limit_usd
        return CappedRun(uuid4(), uuid4(), key)

    yield GuardSubject(guard, capped_run)


@asynccontextmanager
async def postgres_guard(services: Services) -> AsyncIterator[GuardSubject]:
    tenant = await new_tenant(services)
    workflow = await services.workflows.create(tenant.principal, "budgeted", template_chain(1))
    assert isinstance(workflow, WorkflowRecord), workflow
    repository = CostRepository(services.db.pool)

    async def capped_run(limit_usd: float) -> CappedRun:
        run = pending_run(workspace_id=tenant.principal.workspace_id, workflow_id=workflow.id)
        await services.store.create(run)
        budget = await repository.set(run.workspace_id, None, run.id, BudgetPeriod.RUN, limit_usd)
        return CappedRun(run.workspace_id, run.id, str(budget.id))

    yield GuardSubject(PostgresBudgetGuard(repository), capped_run)


GUARDS: dict[str, Callable[[Services], AbstractAsyncContextManager[GuardSubject]]] = {
    "memory": memory_guard,
    "postgres": postgres_guard,
}


@pytest.fixture(params=sorted(GUARDS))
async def subject(request: pytest.FixtureRequest, services: Services) -> AsyncIterator[GuardSubject]:
    async with GUARDS[request.param](services) as made:
        yield made


def call(run: CappedRun, spent: float, estimate: float, approvals: int = 0) -> SpendRequest:
    approved = {run.budget: approvals} if approvals else {}
    return SpendRequest(run.workspace_id, run.run_id, "n1", "openai:gpt-4o", estimate, spent, approved)


async def test_a_call_that_fits_the_budget_goes_ahead(subject: GuardSubject) -> None:
    run = await subject.capped_run(0.02)

    assert await subject.guard.check(call(run, spent=0.01, estimate=0.005)) is None


async def test_a_call_that_would_exceed_the_budget_is_held_with_where_the_budget_stands(
    subject: GuardSubject,
) -> None:
    run = await subject.capped_run(0.02)

    held = await subject.guard.check(call(run, spent=0.015, estimate=0.01))

    assert held is not None
    assert held.budget == run.budget
    assert (held.limit_usd, held.allowance_usd, held.spent_usd) == (0.02, 0.02, 0.015)
    assert held.description


async def test_spend_at_the_limit_holds_even_a_call_estimated_at_nothing(subject: GuardSubject) -> None:
    run = await subject.capped_run(0.02)

    assert await subject.guard.check(call(run, spent=0.02, estimate=0.0)) is not None


async def test_each_approval_lets_the_run_spend_one_more_limit(subject: GuardSubject) -> None:
    run = await subject.capped_run(0.02)

    assert await subject.guard.check(call(run, spent=0.03, estimate=0.005, approvals=1)) is None
    held = await subject.guard.check(call(run, spent=0.039, estimate=0.005, approvals=1))
    assert held is not None
    assert held.allowance_usd == pytest.approx(0.04)
