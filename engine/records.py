"""The state of runs: statuses, node runs, events, human tasks, and the transitions that change them.

Every record is immutable: a transition handed to a store is a snapshot that later steps of the run
cannot change while the store is still writing it (stores may batch writes of many runs). The records
a run makes at every step (runs, node runs, events, transitions) are named tuples: as immutable as
frozen dataclasses, six times cheaper to build (0.39 against 1.79 µs for a run record here), and the
engine builds several per node.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple
from uuid import UUID

from pydantic import JsonValue


class RunStatus(StrEnum):
    """Where a run is: `PENDING → RUNNING ⇄ WAITING → SUCCEEDED | FAILED | CANCELLED`."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    WAITING = "WAITING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"

    @property
    def terminal(self) -> bool:
        """True once the run can change no more."""
        return self in _TERMINAL_RUN


_TERMINAL_RUN = frozenset({RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED})


class NodeStatus(StrEnum):
    """Where one iteration of a node is: `PENDING → RUNNING → SUCCEEDED | FAILED | SKIPPED | WAITING`."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    WAITING = "WAITING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"

    @property
    def terminal(self) -> bool:
        """True once this node run can change no more."""
        return self in _TERMINAL_NODE


_TERMINAL_NODE = frozenset({NodeStatus.SUCCEEDED, NodeStatus.FAILED, NodeStatus.SKIPPED})


class EventType(StrEnum):
    """The kinds of run events (DESIGN.md §6)."""

    RUN_STARTED = "RUN_STARTED"
    NODE_STARTED = "NODE_STARTED"
    NODE_DELTA = "NODE_DELTA"
    NODE_SUCCEEDED = "NODE_SUCCEEDED"
    NODE_FAILED = "NODE_FAILED"
    NODE_RETRYING = "NODE_RETRYING"
    NODE_SKIPPED = "NODE_SKIPPED"
    NODE_WAITING = "NODE_WAITING"
    RUN_WAITING = "RUN_WAITING"
    RUN_RESUMED = "RUN_RESUMED"
    RUN_SUCCEEDED = "RUN_SUCCEEDED"
    RUN_FAILED = "RUN_FAILED"
    RUN_CANCELLED = "RUN_CANCELLED"


class TaskStatus(StrEnum):
    """A human task is OPEN until input is accepted (or it times out), then DONE."""

    OPEN = "OPEN"
    DONE = "DONE"


@dataclass(frozen=True, slots=True)
class Usage:
    """Tokens and model requests spent (by a node run, or summed over a run)."""

    input_tokens: int = 0
    output_tokens: int = 0
    requests: int = 0
    cost_usd: float = 0.0
    """What the tokens cost, by `engine.pricing` (0 for local models and models it does not know)."""
    unpriced: bool = False
    """Some of the tokens are of a model the price table does not know (counted at 0)."""

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.requests + other.requests,
            self.cost_usd + other.cost_usd,
            self.unpriced or other.unpriced,
        )


NO_USAGE = Usage()


class RunRecord(NamedTuple):
    """One execution of a pinned workflow version."""

    id: UUID
    workspace_id: UUID
    workflow_id: UUID
    version: int
    status: RunStatus
    inputs: JsonValue
    created_at: datetime
    output: JsonValue = None
    error: str | None = None
    usage: Usage = NO_USAGE
    last_seq: int = 0
    """The `seq` of the run's newest persisted event (0 before the first)."""
    started_at: datetime | None = None
    finished_at: datetime | None = None


class NodeRun(NamedTuple):
    """One iteration of one node in a run; `(run_id, node_id, iteration)` identifies it."""

    run_id: UUID
    node_id: str
    iteration: int
    status: NodeStatus
    attempts: int = 0
    """Attempts started so far, counting one interrupted by a crash."""
    input: JsonValue = None
    """The node's rendered input (`{{input}}` and its rendered params)."""
    output: JsonValue = None
    error: str | None = None
    branch: str | None = None
    """The output branch taken (condition and human nodes), or `error` for an error edge."""
    usage: Usage = NO_USAGE
    started_at: datetime | None = None
    finished_at: datetime | None = None


class RunEvent(NamedTuple):
    """Something that happened in a run; persisted events have a gap-free `seq` from 1."""

    run_id: UUID
    seq: int
    type: EventType
    at: datetime
    node_id: str | None = None
    data: JsonValue = None

    @property
    def ephemeral(self) -> bool:
        """Token deltas are streamed live and never persisted; they repeat the last persisted `seq`."""
        return self.type is EventType.NODE_DELTA


@dataclass(frozen=True, slots=True)
class HumanTask:
    """A human node waiting for input: what to ask and the JSON Schema the answer must match."""

    run_id: UUID
    workspace_id: UUID
    node_id: str
    iteration: int
    prompt: str
    schema: JsonValue
    status: TaskStatus
    created_at: datetime
    due_at: datetime | None = None
    """When the task times out (the node then takes its `timeout` branch); None waits forever."""
    input: JsonValue = None
    closed_at: datetime | None = None
    budget: str | None = None
    """Set when the task is a budget hold (`engine.budgets`): the key of the budget it asks to exceed."""


class Transition(NamedTuple):
    """Changes of one run that must become durable together, in one transaction.

    `run` is the run's state after the change (its `last_seq` covers `events`); `expected_seq`
    is the `last_seq` the writer started from: a store refuses the transition with `StaleRunError`
    when the run has moved on since (another executor owns it now).
    """

    run: RunRecord
    expected_seq: int
    node_runs: tuple[NodeRun, ...] = ()
    events: tuple[RunEvent, ...] = ()
    tasks: tuple[HumanTask, ...] = ()


@dataclass(frozen=True, slots=True)
class RunState:
    """Everything recorded about a run: enough to continue it after a crash."""

    run: RunRecord
    node_runs: tuple[NodeRun, ...] = ()
    """Every node run, in the order they were first recorded."""
    tasks: tuple[HumanTask, ...] = field(default=())

    def after(self, transition: Transition) -> RunState:
        """The state once `transition` is committed (rows keep the order they were first recorded in)."""
        node_runs = {(row.node_id, row.iteration): row for row in self.node_runs}
        node_runs.update(((row.node_id, row.iteration), row) for row in transition.node_runs)
        tasks = {(task.node_id, task.iteration): task for task in self.tasks}
        tasks.update(((task.node_id, task.iteration), task) for task in transition.tasks)
        return RunState(transition.run, tuple(node_runs.values()), tuple(tasks.values()))


class StaleRunError(Exception):
    """A transition was based on an outdated `last_seq`: someone else advanced the run."""


class UnstorableTransitionError(Exception):
    """The store refused what a transition holds (not a failure to reach it): retrying cannot help.

    Values the engine produces pass `engine.value_policy` first; this reports anything that still
    slipped through, so that the run fails with the reason instead of poisoning other runs' writes.
    """
