"""Where a run stands, read back from its recorded node runs: what is done, waiting, or to run again.

This is what makes an execution resumable after a crash, a human submission or a retry: the
scheduler never relies on memory it did not also write down.

Loops make "done" relative: when a loop goes round, what it re-runs is no longer done for the new
round. The node runs alone say when that happened, because they are kept in the order they were
first recorded: a node run of a loop entry with iteration ≥ 1 was recorded in the same transition
as the loop-back that caused it, so every node run of that loop's body recorded before it belongs
to an earlier round.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import JsonValue

from engine.dsl import ERROR_BRANCH
from engine.execution.edges import INACTIVE, carried
from engine.execution.plan import Plan
from engine.records import HumanTask, NodeRun, NodeStatus, RunState, TaskStatus


@dataclass(slots=True)
class Recovered:
    """A run's scheduling state, as its records show it."""

    latest: dict[str, NodeRun] = field(default_factory=dict)
    """Each node's latest node run (highest iteration)."""
    outputs: dict[str, JsonValue] = field(default_factory=dict)
    """Each node's latest successful output."""
    resolved: set[str] = field(default_factory=set)
    """Nodes done for the current round: succeeded, skipped, or failed along an error edge."""
    waits: dict[str, HumanTask] = field(default_factory=dict)
    """Nodes waiting for input, with their open task."""
    restarts: list[NodeRun] = field(default_factory=list)
    """Node runs to attempt again: interrupted (RUNNING), failed (after a retry), or prepared
    (PENDING with an input, for a re-run from a node)."""
    superseded: list[tuple[NodeRun, HumanTask | None]] = field(default_factory=list)
    """Unfinished node runs of an earlier loop round, to close (with their open task, if any)."""
    looping: list[str] = field(default_factory=list)
    """Nodes done with a loop edge that fired but whose loop did not go round (the run failed on the
    loop's bound): they loop back again, and meet the bound again."""


def _is_done(row: NodeRun) -> bool:
    status = row.status
    return (
        status is NodeStatus.SUCCEEDED
        or status is NodeStatus.SKIPPED
        or (status is NodeStatus.FAILED and row.branch == ERROR_BRANCH)
    )


def _loops_back(
    plan: Plan, node_id: str, row: NodeRun, latest: dict[str, NodeRun], position: dict[tuple[str, int], int]
) -> bool:
    # A loop edge fired, yet its target has not been recorded again since: the loop never went round.
    where = position[node_id, row.iteration]
    for edge in plan.loopbacks[node_id]:
        if carried(edge, row) is not INACTIVE:
            target = latest[edge.target]
            if position[edge.target, target.iteration] < where:
                return True
    return False


def _round_starts(
    plan: Plan, latest: dict[str, NodeRun], position: dict[tuple[str, int], int]
) -> dict[str, int]:
    # For each node on a loop body: the position of the node run that started the latest round.
    starts: dict[str, int] = {}
    for entry, body in plan.rewinds.items():
        row = latest.get(entry)
        if row is None or row.iteration == 0:
            continue
        where = position[entry, row.iteration]
        for node_id in body:
            if starts.get(node_id, -1) < where:
                starts[node_id] = where
    return starts


def recover(plan: Plan, state: RunState) -> Recovered:
    """Read a run's scheduling state from its records.

    Args:
        plan: The plan of the run's graph.
        state: Everything recorded about the run.

    Returns:
        The state; nodes not mentioned are yet to be reached.
    """
    found = Recovered()
    latest = found.latest
    outputs = found.outputs
    position: dict[tuple[str, int], int] = {}
    for index, row in enumerate(state.node_runs):
        position[row.node_id, row.iteration] = index
        current = latest.get(row.node_id)
        if current is None or row.iteration >= current.iteration:
            latest[row.node_id] = row
        if row.status is NodeStatus.SUCCEEDED:
            outputs[row.node_id] = row.output
    open_tasks = {
        (task.node_id, task.iteration): task for task in state.tasks if task.status is TaskStatus.OPEN
    }
    round_starts = _round_starts(plan, latest, position) if plan.rewinds else {}
    for node_id, row in latest.items():
        current_round = position[node_id, row.iteration] >= round_starts.get(node_id, -1)
        task = open_tasks.get((node_id, row.iteration))
        if _is_done(row):
            if current_round and _loops_back(plan, node_id, row, latest, position):
                found.looping.append(node_id)
            elif current_round:
                found.resolved.add(node_id)
        elif not current_round:
            if row.status is not NodeStatus.FAILED:
                found.superseded.append((row, task))
        elif row.status is NodeStatus.WAITING and task is not None:
            found.waits[node_id] = task
        elif row.status is not NodeStatus.PENDING or row.input is not None:
            found.restarts.append(row)
    return found
