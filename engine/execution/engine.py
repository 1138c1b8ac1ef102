"""The engine's public face: execute, submit, cancel and retry runs recorded in a `RunStore`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from uuid import UUID

import anyio
from pydantic import JsonValue

from engine import log_context
from engine.execution.execution import Execution
from engine.execution.jobs import Message, Submission
from engine.execution.lifecycle import cancel_transition, fail_transition, retry_transition, submit_transition
from engine.execution.mailbox import Mailbox
from engine.execution.outcomes import Accepted, NoOpenTask, SubmitOutcome
from engine.execution.plan import plan_for
from engine.graph import CompiledGraph
from engine.nodes.base import ExecutorFunction, NodeServices
from engine.nodes.registry import EXECUTORS
from engine.ports import EventSink, RunStore
from engine.records import RunState, RunStatus, StaleRunError, Transition
from engine.value_policy import printable

_REMEMBERED = 1024
"""Committed states kept for the execute() that follows a submit or retry (oldest dropped first)."""

_STALE_RETRIES = 5
"""How often a change made outside an execution is retried when the run moved on meanwhile."""


def utc_now() -> datetime:
    """The current time, in UTC (the engine's default clock)."""
    return datetime.now(UTC)


class _Live:
    """A run being executed by this engine."""

    __slots__ = ("_done", "cancel_requested", "execution", "finished", "mailbox", "status")

    def __init__(self) -> None:
        self.mailbox: Mailbox[Message] = Mailbox()
        self.execution: Execution | None = None
        self.status: RunStatus | None = None
        self.cancel_requested = False
        self.finished = False
        self._done: anyio.Event | None = None  # made only when someone waits: most runs have no waiter

    async def wait(self) -> None:
        if not self.finished:
            if self._done is None:
                self._done = anyio.Event()
            await self._done.wait()

    def finish(self) -> None:
        self.finished = True
        if self._done is not None:
            self._done.set()

    def cancel(self) -> None:
        self.cancel_requested = True
        if self.execution is not None:
            self.execution.cancel()


class Engine:
    """Runs workflows: each call takes a run id and works from what the store has recorded.

    One engine may execute many runs at once. Within one engine, a run is executed at most once at
    a time; across engines (processes), the store's `expected_seq` check settles who owns a run.
    """

    def __init__(
        self,
        *,
        store: RunStore,
        events: EventSink,
        services: NodeServices,
        executors: Mapping[str, ExecutorFunction] | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        """Wire the engine to its ports.

        Args:
            store: Where runs are recorded.
            events: Where committed (and ephemeral) events are published.
            services: The ports node executors use.
            executors: The executor of each node kind; `engine.nodes.registry.EXECUTORS` by default.
            clock: The current time (UTC), for records and human task deadlines.
        """
        self._store = store
        self._events = events
        self._services = services
        self._executors = EXECUTORS if executors is None else executors
        self._clock = clock
        self._live: dict[UUID, _Live] = {}
        self._busy: dict[UUID, anyio.Event] = {}
        self._committed: dict[UUID, RunState] = {}

    async def execute(self, run_id: UUID, graph: CompiledGraph) -> RunStatus:
        """Run or continue a run until it is terminal or waiting for human input.

        Completed node runs are reused, never executed again; a node run that was interrupted
        (RUNNING) runs again with its attempt counted. When the run is already executing in this
        engine, this waits for that execution instead of starting another.

        Args:
            run_id: A run recorded in the store.
            graph: The compiled graph of the run's workflow version.

        Returns:
            The status the run stopped in.

        Raises:
            KeyError: No such run.
        """
        while True:
            live = self._live.get(run_id)
            if live is not None:
                await live.wait()
                return live.status if live.status is not None else await self._recorded_status(run_id)
            busy = self._busy.get(run_id)
            if busy is None:
                break
            await busy.wait()
        live = self._live[run_id] = _Live()
        try:
            with log_context.bound(run_id=run_id):
                live.status = await self._execute(run_id, graph, live)
            return live.status
        finally:
            del self._live[run_id]
            for message in live.mailbox.close():
                if isinstance(message, Submission):
                    message.done.set()  # no outcome: the submitter goes on without this execution
            live.finish()

    async def _execute(self, run_id: UUID, graph: CompiledGraph, live: _Live) -> RunStatus:
        state = self._committed.pop(run_id, None) or await self._load(run_id)
        if state.run.status.terminal:
            return state.run.status
        execution = Execution(
            state,
            plan_for(graph),
            store=self._store,
            sink=self._events,
            services=self._services,
            executors=self._executors,
            clock=self._clock,
            mailbox=live.mailbox,
        )
        live.execution = execution
        if live.cancel_requested:
            execution.cancel()
        status = await execution.run()
        if execution.error is not None:
            raise execution.error
        if execution.refused is not None:
            return await self._fail_recorded(
                run_id, f"a step of the run could not be recorded: {execution.refused}"
            )
        if execution.cancel_requested:
            return await self._cancel_recorded(run_id)
        if status is None or execution.superseded:
            return await self._recorded_status(run_id)
        return status

    async def submit(
        self, run_id: UUID, node_id: str, value: JsonValue, graph: CompiledGraph
    ) -> SubmitOutcome:
        """Give a waiting human node its input.

        The input is checked against the open task's JSON Schema. When the run is executing in this
        engine (other branches still running), the execution takes the input and this returns once
        it is recorded; otherwise the input is recorded here (task DONE, node SUCCEEDED, run RUNNING)
        and the caller calls `execute` to continue the run.

        Args:
            run_id: The run.
            node_id: The human node.
            value: The input.
            graph: The compiled graph of the run's workflow version.

        Returns:
            Accepted, NoOpenTask or InvalidInput (nothing changes unless Accepted).

        Raises:
            KeyError: No such run.
        """
        if node_id not in graph.nodes:
            return NoOpenTask(f"the workflow has no node '{node_id}'")
        while True:
            live = self._live.get(run_id)
            if live is not None:
                submission = Submission(node_id, value)
                if live.mailbox.put(submission):
                    await submission.done.wait()
                    if submission.error is not None:
                        raise submission.error
                    if submission.outcome is not None:
                        return submission.outcome
                await live.wait()
                continue
            if await self._exclusive(run_id):
                continue
            try:
                return await self._submit_recorded(run_id, node_id, value)
            finally:
                self._release(run_id)

    async def cancel(self, run_id: UUID) -> bool:
        """Cancel a run that is not terminal yet.

        An executing run stops at once (in-flight nodes are cancelled where they wait and fail as
        `cancelled`); a pending or waiting run is recorded CANCELLED directly.

        Args:
            run_id: The run.

        Returns:
            Whether the run was cancelled (False when it was already terminal).

        Raises:
            KeyError: No such run.
        """
        while True:
            live = self._live.get(run_id)
            if live is not None:
                live.cancel()
                await live.wait()
                return live.status is RunStatus.CANCELLED
            if not await self._exclusive(run_id):
                break
        try:
            return await self._cancel_recorded(run_id) is RunStatus.CANCELLED
        finally:
            self._release(run_id)

    async def fail(self, run_id: UUID, reason: str) -> bool:
        """Fail a run that cannot go on (e.g. its workflow version no longer validates).

        Args:
            run_id: The run.
            reason: The run's error.

        Returns:
            Whether the run was failed (False when it was already terminal, or is executing here).

        Raises:
            KeyError: No such run.
        """
        while True:
            if run_id in self._live:
                return False
            if not await self._exclusive(run_id):
                break
        try:
            return await self._fail_recorded(run_id, reason) is RunStatus.FAILED
        finally:
            self._release(run_id)

    async def retry(self, run_id: UUID) -> bool:
        """Make a FAILED run RUNNING again, for `execute` to re-run the node runs that failed.

        Args:
            run_id: The run.

        Returns:
            Whether the run was FAILED (and is now RUNNING).

        Raises:
            KeyError: No such run.
        """
        while self._live.get(run_id) is None:
            if await self._exclusive(run_id):
                continue
            try:
                retried = await self._change(run_id, lambda state: retry_transition(state, self._clock()))
            finally:
                self._release(run_id)
            return retried is not None
        return False

    # Changes outside an execution -------------------------------------------------------

    async def _exclusive(self, run_id: UUID) -> bool:
        # Claims the run for a change outside an execution; True means "look again" (we waited).
        busy = self._busy.get(run_id)
        if busy is not None:
            await busy.wait()
            return True
        if run_id in self._live:
            return True
        self._busy[run_id] = anyio.Event()
        return False

    def _release(self, run_id: UUID) -> None:
        self._busy.pop(run_id).set()

    def _remember(self, state: RunState) -> None:
        # The state a change outside an execution just committed: the execute() that usually
        # follows (after submit or retry) starts from it instead of reading it back. If the run
        # moves on meanwhile, that execution's first commit is refused as stale, as for any reader.
        self._committed.pop(state.run.id, None)
        self._committed[state.run.id] = state
        if len(self._committed) > _REMEMBERED:
            del self._committed[next(iter(self._committed))]

    async def _load(self, run_id: UUID) -> RunState:
        state = await self._store.load(run_id)
        if state is None:
            raise KeyError(run_id)
        return state

    async def _recorded_status(self, run_id: UUID) -> RunStatus:
        return (await self._load(run_id)).run.status

    async def _change(
        self, run_id: UUID, decide: Callable[[RunState], Transition | None]
    ) -> Transition | None:
        # Commit the transition `decide` makes of the recorded run, reloading if the run moved on.
        for _ in range(_STALE_RETRIES):
            state = await self._load(run_id)
            transition = decide(state)
            if transition is None:
                return None
            try:
                await self._store.commit(transition)
            except StaleRunError:
                continue
            self._remember(state.after(transition))
            await self._events.publish(transition.events, run=transition.run, tasks=transition.tasks)
            return transition
        raise StaleRunError(f"run {run_id} kept changing while it was being changed")

    async def _cancel_recorded(self, run_id: UUID) -> RunStatus:
        transition = await self._change(run_id, lambda state: cancel_transition(state, self._clock()))
        return transition.run.status if transition is not None else await self._recorded_status(run_id)

    async def _fail_recorded(self, run_id: UUID, reason: str) -> RunStatus:
        error = printable(reason)
        transition = await self._change(run_id, lambda state: fail_transition(state, error, self._clock()))
        return transition.run.status if transition is not None else await self._recorded_status(run_id)

    async def _submit_recorded(self, run_id: UUID, node_id: str, value: JsonValue) -> SubmitOutcome:
        refusal: list[SubmitOutcome] = []

        def decide(state: RunState) -> Transition | None:
            decided = submit_transition(state, node_id, value, self._clock(), self._services.limits)
            if isinstance(decided, Transition):
                return decided
            refusal.append(decided)
            return None

        await self._change(run_id, decide)
        return refusal[-1] if refusal else Accepted()
