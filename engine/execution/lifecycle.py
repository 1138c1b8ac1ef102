"""Changes to a run that no execution is driving: cancel, retry, and human input while it waits.

Each builds one transition from the run as recorded, so it is exactly as safe as any step of an
execution: based on the recorded `last_seq`, refused by the store if the run moved on meanwhile.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import JsonValue

from engine.budgets import approved, rejection
from engine.dsl import SUBMITTED_BRANCH
from engine.execution.human_input import closed_task, invalid_input, submission_errors
from engine.execution.outcomes import InvalidInput, NoOpenTask
from engine.execution.output_refs import output_fields
from engine.limits import RunLimits
from engine.records import (
    EventType,
    HumanTask,
    NodeRun,
    NodeStatus,
    RunEvent,
    RunRecord,
    RunState,
    RunStatus,
    TaskStatus,
    Transition,
)

_UNFINISHED = frozenset({NodeStatus.RUNNING, NodeStatus.WAITING})


def _transition(
    run: RunRecord,
    changed: RunRecord,
    events: list[tuple[EventType, str | None, JsonValue]],
    now: datetime,
    *,
    node_runs: tuple[NodeRun, ...] = (),
    tasks: tuple[HumanTask, ...] = (),
) -> Transition:
    seq = run.last_seq
    recorded = tuple(
        RunEvent(run.id, seq + offset, kind, now, node_id, data)
        for offset, (kind, node_id, data) in enumerate(events, 1)
    )
    after = changed._replace(last_seq=seq + len(recorded))
    return Transition(after, seq, node_runs, recorded, tasks)


def _ended(state: RunState, now: datetime, status: RunStatus, error: str | None) -> Transition | None:
    # The run ends as `status`: unfinished node runs fail as `cancelled`, open tasks close.
    run = state.run
    if run.status.terminal:
        return None
    events: list[tuple[EventType, str | None, JsonValue]] = []
    rows = []
    for row in state.node_runs:
        if row.status in _UNFINISHED:
            rows.append(row._replace(status=NodeStatus.FAILED, error="cancelled", finished_at=now))
            data: dict[str, JsonValue] = {"iteration": row.iteration, "attempt": row.attempts}
            data["error"] = "cancelled"
            events.append((EventType.NODE_FAILED, row.node_id, data))
    tasks = tuple(closed_task(task, None, now) for task in state.tasks if task.status is TaskStatus.OPEN)
    if status is RunStatus.CANCELLED:
        events.append((EventType.RUN_CANCELLED, None, {}))
    else:
        events.append((EventType.RUN_FAILED, None, {"error": error}))
    changed = run._replace(status=status, error=error, finished_at=now)
    return _transition(run, changed, events, now, node_runs=tuple(rows), tasks=tasks)


def cancel_transition(state: RunState, now: datetime) -> Transition | None:
    """Cancel a run: unfinished node runs fail as `cancelled`, open tasks close.

    Args:
        state: The run as recorded.
        now: The time of the change.

    Returns:
        The transition, or None when the run is already terminal.
    """
    return _ended(state, now, RunStatus.CANCELLED, state.run.error)


def fail_transition(state: RunState, error: str, now: datetime) -> Transition | None:
    """Fail a run that cannot go on (a step it cannot record, a version it cannot execute).

    Args:
        state: The run as recorded.
        error: Why, for the run's `error` (text the store can hold).
        now: The time of the change.

    Returns:
        The transition, or None when the run is already terminal.
    """
    return _ended(state, now, RunStatus.FAILED, error)


def retry_transition(state: RunState, now: datetime) -> Transition | None:
    """Make a failed run RUNNING again, for an execution to re-run what failed.

    Args:
        state: The run as recorded.
        now: The time of the change.

    Returns:
        The transition, or None when the run has not FAILED.
    """
    run = state.run
    if run.status is not RunStatus.FAILED:
        return None
    changed = run._replace(status=RunStatus.RUNNING, error=None, finished_at=None)
    return _transition(run, changed, [(EventType.RUN_RESUMED, None, {})], now)


def submit_transition(
    state: RunState, node_id: str, value: JsonValue, now: datetime, limits: RunLimits
) -> Transition | NoOpenTask | InvalidInput:
    """Accept human input for a run nobody executes: the task closes, its node succeeds, and a
    waiting run resumes (RUNNING). A RUNNING run is one whose execution was interrupted while other
    branches ran (its process died); it stays RUNNING, and its next execution goes on from there.

    Args:
        state: The run as recorded.
        node_id: The human node.
        value: The input.
        now: The time of the change.
        limits: The run's limits on human input.

    Returns:
        The transition, or why the input is not taken.
    """
    run = state.run
    task = next(
        (task for task in state.tasks if task.node_id == node_id and task.status is TaskStatus.OPEN), None
    )
    if run.status not in {RunStatus.WAITING, RunStatus.RUNNING} or task is None:
        return NoOpenTask(f"node '{node_id}' is not waiting for input")
    errors = submission_errors(task.schema, value, limits)
    if errors:
        return invalid_input(errors)
    row = next(row for row in state.node_runs if row.node_id == node_id and row.iteration == task.iteration)
    if task.budget is not None:
        return _hold_answered(state, task, row, value, now)
    done = row._replace(status=NodeStatus.SUCCEEDED, output=value, branch=SUBMITTED_BRANCH, finished_at=now)
    data: dict[str, JsonValue] = {"iteration": row.iteration, "branch": SUBMITTED_BRANCH}
    data.update(output_fields(node_id, row.iteration, value, None, limits.max_event_output_bytes))
    events: list[tuple[EventType, str | None, JsonValue]] = [
        *([(EventType.RUN_RESUMED, None, {})] if run.status is RunStatus.WAITING else []),
        (EventType.NODE_SUCCEEDED, node_id, data),
    ]
    changed = run._replace(status=RunStatus.RUNNING)
    return _transition(run, changed, events, now, node_runs=(done,), tasks=(closed_task(task, value, now),))


def _hold_answered(
    state: RunState, task: HumanTask, row: NodeRun, value: JsonValue, now: datetime
) -> Transition:
    # A budget hold answered while nobody executes the run (`engine.budgets`). Approved: the node
    # run goes back to PENDING with its input, so the next execution attempts it again (recovery
    # restarts prepared node runs) as the same attempt, the held one never called the model.
    # Rejected: the run fails, as when an execution fails it.
    run = state.run
    closed = closed_task(task, value, now)
    if not approved(value):
        error = rejection(task)
        ended = _ended(state, now, RunStatus.FAILED, error)
        if ended is None:  # a terminal run has no open task: submit_transition refused it already
            raise ValueError(f"run {run.id} is terminal")
        held = (row.node_id, row.iteration)
        rows = tuple(
            node._replace(error=error) if (node.node_id, node.iteration) == held else node
            for node in ended.node_runs
        )
        recorded = tuple(
            event._replace(data={**event.data, "error": error})
            if event.type is EventType.NODE_FAILED
            and event.node_id == row.node_id
            and isinstance(event.data, dict)
            else event
            for event in ended.events
        )
        tasks = tuple(closed if item.node_id == task.node_id else item for item in ended.tasks)
        return ended._replace(node_runs=rows, events=recorded, tasks=tasks)
    prepared = row._replace(status=NodeStatus.PENDING, attempts=max(row.attempts - 1, 0), finished_at=None)
    events: list[tuple[EventType, str | None, JsonValue]] = (
        [(EventType.RUN_RESUMED, None, {})] if run.status is RunStatus.WAITING else []
    )
    changed = run._replace(status=RunStatus.RUNNING)
    return _transition(run, changed, events, now, node_runs=(prepared,), tasks=(closed,))
