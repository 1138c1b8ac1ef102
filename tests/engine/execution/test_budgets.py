"""Cost budgets on the in-memory ports: node usage is priced, and a model call that would exceed a
budget waits for approval (approved: the node runs; rejected: the run fails)."""

from __future__ import annotations

import itertools
from uuid import UUID

import pytest

from engine.budgets import APPROVAL_SCHEMA, allowance, exceeds
from engine.execution import Accepted, Engine
from engine.graph import CompiledGraph
from engine.pricing import ModelPrice, PriceTable
from engine.records import EventType, NodeStatus, RunStatus, TaskStatus
from engine.testing import (
    InMemoryBudgetGuard,
    InMemoryRunStore,
    RecordingEventSink,
    memory_services,
    pending_run,
)
from tests.engine.execution.rig import compiled, edge, node, workflow

PRICES = PriceTable.with_overrides({"gpt-4o": ModelPrice(input=1000, output=2000)})
"""TestModel answers every call with 52 input and 4 output tokens: $0.052 + $0.008 = $0.06 a call."""
CALL = 0.06


def chain(count: int) -> CompiledGraph:
    """`count` llm nodes in a row, each estimated at about $0.012 (4 output tokens at most)."""
    ids = [f"n{index}" for index in range(1, count + 1)]
    params = {"model": "openai:gpt-4o", "prompt": "Say hi", "maxTokens": 4}
    return compiled(
        workflow(
            *(node(node_id, "llm", **params) for node_id in ids),
            edges=[edge(source, target) for source, target in itertools.pairwise(ids)],
        )
    )


def engine_with(guard: InMemoryBudgetGuard, store: InMemoryRunStore) -> Engine:
    services = memory_services(prices=PRICES, budgets=guard)
    return Engine(store=store, events=RecordingEventSink(), services=services)


async def started(store: InMemoryRunStore) -> UUID:
    run = pending_run("hi")
    await store.create(run)
    return run.id


def test_a_budget_is_exceeded_by_the_estimate_or_by_spend_already_at_its_allowance() -> None:
    assert not exceeds(0.05, 0.04, 0.10, approvals=0)
    assert exceeds(0.05, 0.06, 0.10, approvals=0)
    assert exceeds(0.10, 0.0, 0.10, approvals=0)
    assert not exceeds(0.10, 0.05, 0.10, approvals=1)
    assert allowance(0.10, 2) == pytest.approx(0.30)


async def test_node_runs_and_the_run_record_what_their_tokens_cost() -> None:
    store = InMemoryRunStore()
    engine = engine_with(InMemoryBudgetGuard({}), store)
    run_id = await started(store)

    assert await engine.execute(run_id, chain(2)) is RunStatus.SUCCEEDED

    state = await store.load(run_id)
    assert state is not None
    assert [row.usage.cost_usd for row in state.node_runs] == [pytest.approx(CALL)] * 2
    assert state.run.usage.cost_usd == pytest.approx(2 * CALL)
    assert not state.run.usage.unpriced


async def test_a_model_without_a_price_costs_nothing_and_is_marked_unpriced() -> None:
    store = InMemoryRunStore()
    engine = Engine(store=store, events=RecordingEventSink(), services=memory_services())
    graph = compiled(workflow(node("n1", "llm", model="openai:mystery-model", prompt="hi")))
    run_id = await started(store)

    await engine.execute(run_id, graph)

    state = await store.load(run_id)
    assert state is not None
    (row,) = state.node_runs
    assert (row.usage.cost_usd, row.usage.unpriced) == (0.0, True)


async def test_the_call_that_would_exceed_a_budget_waits_with_a_task_explaining_the_cost() -> None:
    store = InMemoryRunStore()
    guard = InMemoryBudgetGuard({"run-cap": 0.10})
    engine = engine_with(guard, store)
    run_id = await started(store)

    assert await engine.execute(run_id, chain(3)) is RunStatus.WAITING

    state = await store.load(run_id)
    assert state is not None
    statuses = {row.node_id: row.status for row in state.node_runs}
    assert statuses == {"n1": NodeStatus.SUCCEEDED, "n2": NodeStatus.SUCCEEDED, "n3": NodeStatus.WAITING}
    (task,) = state.tasks
    assert (task.node_id, task.budget, task.status) == ("n3", "run-cap", TaskStatus.OPEN)
    assert task.schema == APPROVAL_SCHEMA
    assert "$0.1200" in task.prompt  # the cost so far
    assert "$0.1000" in task.prompt  # the limit
    assert "openai:gpt-4o" in task.prompt
    assert [check.node_id for check in guard.checks] == ["n1", "n2", "n3"]


async def test_approval_runs_the_held_call_and_lets_the_run_spend_one_more_limit() -> None:
    store = InMemoryRunStore()
    guard = InMemoryBudgetGuard({"run-cap": 0.10})
    graph = chain(4)
    engine = engine_with(guard, store)
    run_id = await started(store)
    await engine.execute(run_id, graph)

    assert await engine.submit(run_id, "n3", {"approve": True}, graph) == Accepted()
    assert await engine.execute(run_id, graph) is RunStatus.SUCCEEDED

    state = await store.load(run_id)
    assert state is not None
    assert all(row.status is NodeStatus.SUCCEEDED for row in state.node_runs)
    assert state.run.usage.cost_usd == pytest.approx(4 * CALL)  # within the allowance of $0.20
    held = next(row for row in state.node_runs if row.node_id == "n3")
    assert held.attempts == 1
    assert guard.checks[-1].approvals == {"run-cap": 1}


async def test_an_approval_survives_a_new_engine_and_the_run_asks_again_past_the_new_allowance() -> None:
    store = InMemoryRunStore()
    guard = InMemoryBudgetGuard({"run-cap": 0.10})
    graph = chain(5)
    run_id = await started(store)
    await engine_with(guard, store).execute(run_id, graph)
    await engine_with(guard, store).submit(run_id, "n3", {"approve": True}, graph)

    assert await engine_with(guard, store).execute(run_id, graph) is RunStatus.WAITING

    state = await store.load(run_id)
    assert state is not None
    open_tasks = [task for task in state.tasks if task.status is TaskStatus.OPEN]
    assert [task.node_id for task in open_tasks] == ["n5"]  # $0.24 spent ≥ the $0.20 allowance


async def test_rejection_fails_the_run_with_a_clear_error() -> None:
    store = InMemoryRunStore()
    graph = chain(3)
    engine = engine_with(InMemoryBudgetGuard({"run-cap": 0.10}), store)
    run_id = await started(store)
    await engine.execute(run_id, graph)

    assert await engine.submit(run_id, "n3", {"approve": False}, graph) == Accepted()
    assert await engine.execute(run_id, graph) is RunStatus.FAILED

    state = await store.load(run_id)
    assert state is not None
    assert state.run.error is not None
    assert "not approved" in state.run.error
    held = next(row for row in state.node_runs if row.node_id == "n3")
    assert held.status is NodeStatus.FAILED
    assert "budget" in (held.error or "")
    assert [task.input for task in state.tasks] == [{"approve": False}]


async def test_approving_a_hold_leaves_another_waiting_branch_waiting() -> None:
    store = InMemoryRunStore()
    sink = RecordingEventSink()
    guard = InMemoryBudgetGuard({"run-cap": 0.005})  # below the estimate of $0.009
    graph = compiled(
        workflow(
            node("n1", "llm", model="openai:gpt-4o", prompt="hi", maxTokens=4),
            node("wait", "human", prompt="go?", schema={"type": "object"}),
            edges=[],
        )
    )
    engine = Engine(store=store, events=sink, services=memory_services(prices=PRICES, budgets=guard))
    run_id = await started(store)
    assert await engine.execute(run_id, graph) is RunStatus.WAITING

    await engine.submit(run_id, "n1", {"approve": True}, graph)
    status = await engine.execute(run_id, graph)

    assert status is RunStatus.WAITING  # the human node still waits; n1 ran on approval
    state = await store.load(run_id)
    assert state is not None
    n1 = next(row for row in state.node_runs if row.node_id == "n1")
    assert n1.status is NodeStatus.SUCCEEDED
    types = [event.type for event in store.events(run_id) if event.node_id == "n1"]
    assert types == [
        EventType.NODE_STARTED,
        EventType.NODE_WAITING,
        EventType.NODE_STARTED,
        EventType.NODE_SUCCEEDED,
    ]


async def test_an_embedding_node_records_what_its_embedding_tokens_cost() -> None:
    store = InMemoryRunStore()
    prices = PriceTable.with_overrides({"hashing-256": ModelPrice(input=10_000)})  # a cent a token
    engine = Engine(store=store, events=RecordingEventSink(), services=memory_services(prices=prices))
    graph = compiled(workflow(node("embed", "embedding", collection="notes", text="three little words")))
    run_id = await started(store)

    assert await engine.execute(run_id, graph) is RunStatus.SUCCEEDED

    state = await store.load(run_id)
    assert state is not None
    (row,) = state.node_runs
    assert row.usage.input_tokens == 3
    assert row.usage.cost_usd == pytest.approx(0.03)
    assert state.run.usage.cost_usd == pytest.approx(0.03)
