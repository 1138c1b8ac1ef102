"""The changes of a run not yet durable, gathered into one transition per step.

The scheduler records node runs, events and human tasks here as it decides them; the driver seals
them into a transition, commits it, and only then lets anything depend on them. Events get their
`seq` when sealed, so a step may put an event first (RUN_RESUMED) after having recorded others.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import JsonValue

from engine.records import EventType, HumanTask, NodeRun, RunEvent, RunRecord, Transition, Usage

_PendingEvent = tuple[EventType, str | None, JsonValue, datetime]


def usage_data(usage: Usage) -> dict[str, JsonValue]:
    """Usage as event data (the GraphQL `Usage` field names).

    Args:
        usage: Tokens and requests.

    Returns:
        `{"inputTokens", "outputTokens", "requests"}`, and `costUsd` once the usage costs something
        (whether a model had no price is the node run's to say: `NodeRun.cost.priced`).
    """
    data: dict[str, JsonValue] = {
        "inputTokens": usage.input_tokens,
        "outputTokens": usage.output_tokens,
        "requests": usage.requests,
    }
    if usage.cost_usd:
        data["costUsd"] = usage.cost_usd
    return data


class Journal:
    """A run's record as last committed, plus the pending changes of the step being decided."""

    __slots__ = (
        "_events",
        "_rows",
        "_tasks",
        "committed",
        "error",
        "finished_at",
        "output",
        "started_at",
        "status",
        "usage",
    )

    def __init__(self, run: RunRecord) -> None:
        """Start from `run` as loaded."""
        self.committed = run
        """The run record as of the last commit."""
        self.status = run.status
        self.output = run.output
        self.error = run.error
        self.usage = run.usage
        self.started_at = run.started_at
        self.finished_at = run.finished_at
        self._rows: dict[tuple[str, int], NodeRun] = {}
        self._events: list[_PendingEvent] = []
        self._tasks: dict[tuple[str, int], HumanTask] = {}

    @property
    def pending(self) -> bool:
        """Whether the step changed anything not committed yet."""
        return bool(self._rows or self._events or self._tasks)

    def row(self, row: NodeRun) -> None:
        """Record the new state of a node run (the last one per node and iteration wins)."""
        self._rows[row.node_id, row.iteration] = row

    def task(self, task: HumanTask) -> None:
        """Record the new state of a human task."""
        self._tasks[task.node_id, task.iteration] = task

    def event(self, kind: EventType, node_id: str | None, data: JsonValue, at: datetime) -> None:
        """Append an event to the step."""
        self._events.append((kind, node_id, data, at))

    def event_first(self, kind: EventType, data: JsonValue, at: datetime) -> None:
        """Put a run event before every other event of the step."""
        self._events.insert(0, (kind, None, data, at))

    def seal(self) -> Transition:
        """Close the step: its changes as one transition from the last committed run record.

        The caller commits it and then calls `committed_as`; nothing may depend on the step before.

        Returns:
            The transition.
        """
        base = self.committed
        seq = base.last_seq
        run_id = base.id
        events = tuple(
            [
                RunEvent(run_id, seq + offset, kind, at, node_id, data)
                for offset, (kind, node_id, data, at) in enumerate(self._events, 1)
            ]
        )
        run = RunRecord(
            run_id,
            base.workspace_id,
            base.workflow_id,
            base.version,
            self.status,
            base.inputs,
            base.created_at,
            self.output,
            self.error,
            self.usage,
            seq + len(events),
            self.started_at,
            self.finished_at,
        )
        transition = Transition(run, seq, tuple(self._rows.values()), events, tuple(self._tasks.values()))
        self._rows = {}
        self._events = []
        self._tasks = {}
        return transition

    def committed_as(self, transition: Transition) -> None:
        """Note that `transition` (from `seal`) is durable."""
        self.committed = transition.run
