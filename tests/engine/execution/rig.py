"""A test rig for the scheduler: in-memory ports, workflow builders, and controllable executors."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import anyio
from pydantic import JsonValue

from engine.execution import Engine
from engine.graph import CompiledGraph, validate_definition
from engine.limits import RunLimits
from engine.nodes.base import ExecutorFunction, NodeContext, NodeError, NodeResult
from engine.nodes.registry import EXECUTORS
from engine.records import EventType, NodeRun, RunEvent, RunState, RunStatus, Transition
from engine.testing import InMemoryRunStore, RecordingEventSink, memory_services, pending_run
from tests.engine.workflows import JsonObject, edge, node, workflow

__all__ = ["JsonObject", "edge", "node", "workflow"]


def compiled(definition: JsonObject) -> CompiledGraph:
    """The compiled graph of a definition that must be valid."""
    validation = validate_definition(definition)
    assert validation.graph is not None, validation.problems
    return validation.graph


STEP = "step"
"""The label that makes a template node a rig step."""


def step(node_id: str, **extra: Any) -> JsonObject:
    """A step: a template node (on the wire) that runs the rig's behaviour for it, by default passing
    its input through unchanged."""
    return {"id": node_id, "type": "template", "label": STEP, "params": {"template": "{{ input }}"}, **extra}


Behaviour = Callable[[NodeContext], Awaitable[JsonValue | NodeResult]]
"""What a step node does: its output (or whole result) from its context (raise NodeError to fail)."""


async def passthrough(context: NodeContext) -> JsonValue:
    """Output the input."""
    return context.input


def fails(times: int, *, retryable: bool = True, then: JsonValue = "ok") -> Behaviour:
    """Fail the first `times` calls, then output `then`."""
    calls = Counter[str]()

    async def behaviour(context: NodeContext) -> JsonValue:
        calls[context.node_id] += 1
        if calls[context.node_id] <= times:
            raise NodeError(f"failure {calls[context.node_id]}", retryable=retryable)
        return then

    return behaviour


def blocks(started: anyio.Event | None = None, cancelled: list[str] | None = None) -> Behaviour:
    """Block until cancelled, noting that it started and that it was cancelled."""

    async def behaviour(context: NodeContext) -> JsonValue:
        if started is not None:
            started.set()
        try:
            await anyio.sleep_forever()
        finally:
            if cancelled is not None:
                cancelled.append(context.node_id)
        raise AssertionError("unreachable")

    return behaviour


@dataclass
class Rig:
    """An engine on in-memory ports whose steps run per-node behaviours (default: pass through).

    Every other node runs its real executor.
    """

    behaviours: dict[str, Behaviour] = field(default_factory=dict)
    store: InMemoryRunStore = field(default_factory=InMemoryRunStore)
    sink: RecordingEventSink = field(default_factory=RecordingEventSink)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    executions: Counter[str] = field(default_factory=Counter)
    """How often each node's executor was called."""
    limits: RunLimits = field(default_factory=RunLimits)
    """The bounds on outputs and templates the engine's nodes get."""
    services: dict[str, Any] = field(default_factory=dict)
    """Other ports of `NodeServices` than the in-memory defaults (telemetry, http settings...)."""
    engine: Engine = field(init=False)

    def __post_init__(self) -> None:
        self.engine = self.new_engine()

    def new_engine(self, store: Any = None) -> Engine:
        """Another engine (another process, as it were) on the same ports."""
        executors: Mapping[str, ExecutorFunction] = {
            kind: self._counted(executor) for kind, executor in {**EXECUTORS, "template": self._step}.items()
        }
        return Engine(
            store=store or self.store,
            events=self.sink,
            services=memory_services(limits=self.limits, **self.services),
            executors=executors,
            clock=self._now,
        )

    def _now(self) -> datetime:
        return self.clock()

    def _counted(self, executor: ExecutorFunction) -> ExecutorFunction:
        async def counted(spec: Any, context: NodeContext) -> NodeResult:
            self.executions[context.node_id] += 1
            return await executor(spec, context)

        return counted

    async def _step(self, spec: Any, context: NodeContext) -> NodeResult:
        if spec.label != STEP:
            return await EXECUTORS["template"](spec, context)
        behaviour = self.behaviours.get(context.node_id, passthrough)
        result = await behaviour(context)
        return result if isinstance(result, NodeResult) else NodeResult(output=result)

    async def start(self, graph: CompiledGraph, inputs: JsonValue = None) -> UUID:
        """Record a new PENDING run of `graph`."""
        run = pending_run(inputs)
        await self.store.create(run)
        return run.id

    async def run(self, definition: JsonObject, inputs: JsonValue = None) -> tuple[UUID, RunStatus]:
        """Start a run of a definition and execute it until it stops."""
        graph = compiled(definition)
        run_id = await self.start(graph, inputs)
        return run_id, await self.engine.execute(run_id, graph)

    async def state(self, run_id: UUID) -> RunState:
        """Everything recorded about a run."""
        state = await self.store.load(run_id)
        assert state is not None
        return state

    async def latest(self, run_id: UUID) -> dict[str, NodeRun]:
        """Each node's latest node run."""
        return {row.node_id: row for row in (await self.state(run_id)).node_runs}

    async def rows(self, run_id: UUID, node_id: str) -> list[NodeRun]:
        """Every node run of one node, by iteration."""
        return [row for row in (await self.state(run_id)).node_runs if row.node_id == node_id]

    def events(self, run_id: UUID, *types: EventType) -> list[RunEvent]:
        """The run's persisted events (of the given types, when any)."""
        return [event for event in self.store.events(run_id) if not types or event.type in types]

    def started(self, node_id: str) -> Callable[[RunEvent], bool]:
        """An event predicate: `node_id` started."""
        return lambda event: event.type is EventType.NODE_STARTED and event.node_id == node_id


class CrashingStore(InMemoryRunStore):
    """A store that fails its n-th commit with `error` instead of committing: by default its process
    "dies" (the database went away); an UnstorableTransitionError plays a refusal of the content."""

    def __init__(self, crash_on: int, error: Exception | None = None) -> None:
        super().__init__()
        self.crash_on = crash_on
        self.error = error or ConnectionError("the database went away")
        self.commits = 0

    async def commit(self, transition: Transition) -> None:
        self.commits += 1
        if self.commits == self.crash_on:
            raise self.error
        await super().commit(transition)


class AdvancingClock:
    """A clock a test moves forward by hand."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move the clock forward."""
        self.now += timedelta(**delta)
