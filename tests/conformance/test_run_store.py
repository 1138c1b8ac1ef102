"""The `RunStore` contract, for every implementation: atomic commits guarded by `expected_seq`."""

import dataclasses
from datetime import UTC, datetime
from typing import TypedDict, Unpack

import anyio
import pytest
from pydantic import JsonValue

from engine.records import (
    EventType,
    HumanTask,
    NodeRun,
    NodeStatus,
    RunEvent,
    RunRecord,
    RunStatus,
    StaleRunError,
    TaskStatus,
    Transition,
    Usage,
)
from tests.conformance.subjects import RunStoreSubject

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _events(run: RunRecord, *types: EventType, node_id: str | None = None) -> tuple[RunEvent, ...]:
    return tuple(
        RunEvent(run.id, run.last_seq + offset, kind, NOW, node_id, {"n": offset})
        for offset, kind in enumerate(types, 1)
    )


class RunChanges(TypedDict, total=False):
    """The fields of a run that a commit changes besides `last_seq`."""

    status: RunStatus
    output: JsonValue
    error: str | None
    usage: Usage
    started_at: datetime | None
    finished_at: datetime | None


def _after(run: RunRecord, events: tuple[RunEvent, ...], **changes: Unpack[RunChanges]) -> RunRecord:
    return run._replace(last_seq=run.last_seq + len(events), **changes)


async def _created(subject: RunStoreSubject) -> RunRecord:
    run = await subject.new_run({"question": "¿qué?", "list": [1, 2.5, None, True]})
    await subject.store.create(run)
    return run


async def _commit(
    subject: RunStoreSubject,
    run: RunRecord,
    *types: EventType,
    node_runs: tuple[NodeRun, ...] = (),
    tasks: tuple[HumanTask, ...] = (),
    **changes: Unpack[RunChanges],
) -> RunRecord:
    events = _events(run, *types)
    after = _after(run, events, **changes)
    await subject.store.commit(Transition(after, run.last_seq, node_runs, events, tasks))
    return after


async def test_an_unknown_run_loads_as_none(run_store: RunStoreSubject) -> None:
    run = await run_store.new_run(None)

    assert await run_store.store.load(run.id) is None


async def test_a_created_run_loads_as_it_was_created(run_store: RunStoreSubject) -> None:
    run = await _created(run_store)

    state = await run_store.store.load(run.id)

    assert state is not None
    assert state.run == run
    assert (state.node_runs, state.tasks) == ((), ())
    assert await run_store.events(run.id) == []


async def test_a_commit_makes_the_run_its_node_runs_events_and_tasks_durable_together(
    run_store: RunStoreSubject,
) -> None:
    run = await _created(run_store)
    row = NodeRun(run.id, "n1", 0, NodeStatus.WAITING, 1, {"in": "put"}, None, None, None, Usage(), NOW)
    task = HumanTask(run.id, run.workspace_id, "n1", 0, "OK?", {"type": "object"}, TaskStatus.OPEN, NOW, NOW)
    events = _events(run, EventType.RUN_STARTED, EventType.NODE_WAITING)
    after = _after(run, events, status=RunStatus.WAITING, started_at=NOW, usage=Usage(3, 4, 1))

    await run_store.store.commit(Transition(after, 0, (row,), events, (task,)))

    state = await run_store.store.load(run.id)
    assert state is not None
    assert (state.run, state.node_runs, state.tasks) == (after, (row,), (task,))
    assert await run_store.events(run.id) == list(events)


async def test_costs_and_budget_holds_are_stored_as_committed(run_store: RunStoreSubject) -> None:
    run = await _created(run_store)
    usage = Usage(3, 4, 1, cost_usd=0.0123, unpriced=True)
    row = NodeRun(run.id, "n1", 0, NodeStatus.WAITING, 1, None, None, None, None, usage, NOW)
    schema: JsonValue = {"type": "object"}
    task = HumanTask(run.id, run.workspace_id, "n1", 0, "Over?", schema, TaskStatus.OPEN, NOW, budget="b1")
    events = _events(run, EventType.RUN_STARTED, EventType.NODE_WAITING)
    after = _after(run, events, status=RunStatus.WAITING, started_at=NOW, usage=usage)

    await run_store.store.commit(Transition(after, 0, (row,), events, (task,)))

    state = await run_store.store.load(run.id)
    assert state is not None
    assert (state.run.usage, state.node_runs, state.tasks) == (usage, (row,), (task,))


async def test_a_commit_from_an_outdated_seq_is_refused_and_changes_nothing(
    run_store: RunStoreSubject,
) -> None:
    run = await _created(run_store)
    current = await _commit(run_store, run, EventType.RUN_STARTED, status=RunStatus.RUNNING)
    row = NodeRun(run.id, "n1", 0, NodeStatus.RUNNING, 1)
    events = _events(run, EventType.NODE_STARTED)  # based on the run before the first commit

    with pytest.raises(StaleRunError):
        await run_store.store.commit(Transition(_after(run, events), run.last_seq, (row,), events))

    state = await run_store.store.load(run.id)
    assert state is not None
    assert (state.run, state.node_runs) == (current, ())
    assert [event.seq for event in await run_store.events(run.id)] == [1]


async def test_of_two_commits_racing_from_the_same_seq_exactly_one_wins(run_store: RunStoreSubject) -> None:
    run = await _created(run_store)
    outcomes: list[str] = []

    async def attempt(node_id: str) -> None:
        events = _events(run, EventType.NODE_STARTED)
        row = NodeRun(run.id, node_id, 0, NodeStatus.RUNNING, 1)
        try:
            await run_store.store.commit(Transition(_after(run, events), 0, (row,), events))
            outcomes.append("won")
        except StaleRunError:
            outcomes.append("stale")

    async with anyio.create_task_group() as group:
        group.start_soon(attempt, "a")
        group.start_soon(attempt, "b")

    state = await run_store.store.load(run.id)
    assert state is not None
    assert sorted(outcomes) == ["stale", "won"]
    assert len(state.node_runs) == 1
    assert state.run.last_seq == 1


async def test_node_runs_are_upserted_by_node_and_iteration_in_first_recorded_order(
    run_store: RunStoreSubject,
) -> None:
    run = await _created(run_store)
    a0 = NodeRun(run.id, "a", 0, NodeStatus.RUNNING, 1, "in", started_at=NOW)
    b0 = NodeRun(run.id, "b", 0, NodeStatus.SKIPPED, finished_at=NOW)
    run = await _commit(run_store, run, EventType.NODE_STARTED, node_runs=(a0, b0))
    a0_done = a0._replace(status=NodeStatus.SUCCEEDED, output={"x": [1]}, branch="yes", finished_at=NOW)
    a1 = NodeRun(run.id, "a", 1, NodeStatus.RUNNING, 1, {"x": [1]}, started_at=NOW)
    b1 = NodeRun(run.id, "b", 1, NodeStatus.FAILED, 2, error="boom", branch="error")

    await _commit(
        run_store, run, EventType.NODE_SUCCEEDED, EventType.NODE_STARTED, node_runs=(b1, a0_done, a1)
    )

    state = await run_store.store.load(run.id)
    assert state is not None
    assert state.node_runs == (a0_done, b0, b1, a1)


async def test_human_tasks_are_upserted_by_node_and_iteration(run_store: RunStoreSubject) -> None:
    run = await _created(run_store)
    task = HumanTask(run.id, run.workspace_id, "ask", 0, "Why?", {"type": "string"}, TaskStatus.OPEN, NOW)
    run = await _commit(run_store, run, EventType.NODE_WAITING, tasks=(task,))
    done = dataclasses.replace(task, status=TaskStatus.DONE, input="because", closed_at=NOW)
    again = dataclasses.replace(task, iteration=1)

    await _commit(run_store, run, EventType.NODE_SUCCEEDED, tasks=(done, again))

    state = await run_store.store.load(run.id)
    assert state is not None
    assert state.tasks == (done, again)


async def test_events_are_appended_in_seq_order_across_commits(run_store: RunStoreSubject) -> None:
    run = await _created(run_store)
    run = await _commit(run_store, run, EventType.RUN_STARTED, EventType.NODE_STARTED)
    run = await _commit(run_store, run, EventType.NODE_SUCCEEDED)
    run = await _commit(
        run_store, run, EventType.RUN_SUCCEEDED, status=RunStatus.SUCCEEDED, output=[{"a": "b"}]
    )

    events = await run_store.events(run.id)

    assert [(event.seq, event.type) for event in events] == [
        (1, EventType.RUN_STARTED),
        (2, EventType.NODE_STARTED),
        (3, EventType.NODE_SUCCEEDED),
        (4, EventType.RUN_SUCCEEDED),
    ]
    state = await run_store.store.load(run.id)
    assert state is not None
    assert (state.run.last_seq, state.run.output) == (4, [{"a": "b"}])


async def test_a_commit_without_events_keeps_the_seq(run_store: RunStoreSubject) -> None:
    run = await _created(run_store)
    prepared = NodeRun(run.id, "n1", 0, NodeStatus.PENDING, 0, "given")

    await run_store.store.commit(Transition(run, 0, (prepared,)))

    state = await run_store.store.load(run.id)
    assert state is not None
    assert (state.run.last_seq, state.node_runs) == (0, (prepared,))
