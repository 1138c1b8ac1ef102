"""Driving one execution of a run: perform the scheduler's jobs, commit each step, then act on it.

The loop is: commit what the last step decided, launch the jobs it emitted, wait for results,
let the scheduler decide the next step. Nothing that depends on a step starts before the step is
durable. When exactly one job is ready and nothing else is going on (a chain), the job is awaited
inline: spawning a task costs more than most nodes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime

import anyio
from anyio.abc import TaskGroup
from pydantic import JsonValue

from engine.execution.context import AttemptContext, RunScope
from engine.execution.jobs import Attempt, Backoff, DueTimer, Job, Message, Submission, run_attempt
from engine.execution.journal import Journal
from engine.execution.mailbox import Mailbox
from engine.execution.plan import Plan
from engine.execution.scheduler import Scheduler
from engine.execution.spend import budget_hold
from engine.nodes.base import ExecutorFunction, NodeServices
from engine.ports import EventSink, RunStore
from engine.records import EventType, RunEvent, RunState, RunStatus, StaleRunError, UnstorableTransitionError


class Execution:
    """One execution of a run, from its recorded state until it is terminal or waiting."""

    def __init__(
        self,
        state: RunState,
        plan: Plan,
        *,
        store: RunStore,
        sink: EventSink,
        services: NodeServices,
        executors: Mapping[str, ExecutorFunction],
        clock: Callable[[], datetime],
        mailbox: Mailbox[Message],
    ) -> None:
        """Prepare to continue the run recorded in `state`; submissions arrive through `mailbox`."""
        run = state.run
        self.journal = Journal(run)
        outputs: dict[str, JsonValue] = {}
        self.scope = RunScope(run.id, run.workspace_id, run.inputs, outputs, services, plan, self._emit_delta)
        self.scheduler = Scheduler(plan, state, self.journal, self.scope.outputs, services.limits)
        self.mailbox = mailbox
        self.cancel_requested = False
        """Set by `cancel`; the caller then records the cancellation."""
        self.superseded = False
        """Set when the store refused a step: another executor advanced the run."""
        self.error: Exception | None = None
        """A store or sink failure that ended the execution."""
        self.refused: UnstorableTransitionError | None = None
        """Set when the store refused what a step holds; the caller then fails the run."""
        self._plan = plan
        self._store = store
        self._sink = sink
        self._executors = executors
        self._clock = clock
        self._group: TaskGroup | None = None
        self._in_flight = 0
        """Spawned jobs the scheduler waits for (attempts and backoffs, not timers)."""
        self._tasks = 0
        """Spawned tasks still alive."""
        self._replies: list[Submission] = []
        self._deltas: list[RunEvent] = []
        self._delta_writer = False
        self._committing = False

    def cancel(self) -> None:
        """Stop the execution at once: in-flight attempts are cancelled where they wait.

        A commit under way is let finish first (then its events are published), so that the store
        is never left to guess whether a transition it was writing happened.
        """
        self.cancel_requested = True
        if self._group is not None and not self._committing:
            self._group.cancel_scope.cancel()

    async def run(self) -> RunStatus | None:
        """Execute until the run is terminal or waiting (or the execution is cancelled or superseded).

        Returns:
            Where the scheduler stopped, or None when it did not stop by itself.
        """
        if self.cancel_requested:
            return None
        self.scheduler.begin(self._clock())
        async with anyio.create_task_group() as group:
            self._group = group
            try:
                await self._drive()
            finally:
                self._group = None
                if self._tasks:
                    group.cancel_scope.cancel()  # timers and attempts of a run that stopped
        # The scope's delta callback refers back to this execution: break the cycle, so that
        # reference counting frees the execution at once instead of the cyclic collector later.
        self.scope.emit = _no_more_deltas
        return self.scheduler.stopped

    async def _drive(self) -> None:
        scheduler = self.scheduler
        while await self._flush() and scheduler.stopped is None:
            jobs = scheduler.take_jobs()
            if len(jobs) == 1 and not self._in_flight and not scheduler.waits:
                job = jobs[0]
                await self._perform(job)
                early = self.mailbox.take_nowait()
                now = self._clock()
                scheduler.deliver(job, now)
                self._deliver(early, now)
                scheduler.settle()
                continue
            for job in jobs:
                if not isinstance(job, DueTimer):
                    self._in_flight += 1
                self._spawn(self._work, job)
            messages = await self.mailbox.take()
            self._deliver(messages, self._clock())
            scheduler.settle()

    def _deliver(self, messages: list[Message], now: datetime) -> None:
        scheduler = self.scheduler
        for message in messages:
            if isinstance(message, Submission):
                self._replies.append(message)
            elif not isinstance(message, DueTimer):
                self._in_flight -= 1
            scheduler.deliver(message, now)

    async def _flush(self) -> bool:
        # Commit the step, then answer the submissions it handled; False ends the execution.
        ok = True
        journal = self.journal
        if journal.pending:
            transition = journal.seal()
            self._committing = True
            try:
                await self._store.commit(transition)
                journal.committed_as(transition)
                if transition.events:
                    await self._sink.publish(transition.events, run=transition.run, tasks=transition.tasks)
            except StaleRunError:
                self.superseded = True
                ok = False
            except UnstorableTransitionError as error:
                self.refused = error
                ok = False
            except Exception as error:  # a store or sink failure: surfaced by the engine
                self.error = error
                ok = False
            finally:
                self._committing = False
                if self.cancel_requested and self._group is not None:
                    self._group.cancel_scope.cancel()
        if not self._replies:
            return ok
        replies, self._replies = self._replies, []
        for submission in replies:
            if not ok:
                submission.outcome = None
                submission.error = (
                    self.error or self.refused or StaleRunError("the run is executed elsewhere")
                )
            submission.done.set()
        return ok

    def _spawn(self, work: Callable[..., Awaitable[None]], *arguments: object) -> None:
        async def counted() -> None:
            try:
                await work(*arguments)
            finally:
                self._tasks -= 1

        if self._group is None:
            raise RuntimeError("tasks are spawned only while the execution runs")
        self._tasks += 1
        self._group.start_soon(counted)

    async def _work(self, job: Job) -> None:
        await self._perform(job)
        self.mailbox.put(job)

    async def _perform(self, job: Job) -> None:
        if isinstance(job, Attempt):
            spec = self._plan.nodes[job.node_id]
            scope = self.scope
            if spec.type == "llm":
                job.result = await budget_hold(spec, job, scope, self.journal.usage, self.scheduler.approvals)
                if job.result is not None:
                    return
            context = AttemptContext(scope, job.node_id, job.iteration, job.attempt, job.input)
            job.result, job.output_bytes = await run_attempt(self._executors.get(spec.type), spec, context)
            if self._deltas:
                # A node's deltas go out before its completion does.
                batch, self._deltas = self._deltas, []
                await self._sink.publish(batch)
        elif isinstance(job, Backoff):
            await anyio.sleep(job.delay)
        elif job.task.due_at is not None:
            await anyio.sleep(max(0.0, (job.task.due_at - self._clock()).total_seconds()))

    def _emit_delta(self, node_id: str, iteration: int, text: str) -> None:
        run = self.journal.committed
        data: dict[str, JsonValue] = {"iteration": iteration, "text": text}
        self._deltas.append(
            RunEvent(run.id, run.last_seq, EventType.NODE_DELTA, self._clock(), node_id, data)
        )
        if not self._delta_writer and self._group is not None:
            self._delta_writer = True
            self._spawn(self._write_deltas)

    async def _write_deltas(self) -> None:
        try:
            while self._deltas:
                batch, self._deltas = self._deltas, []
                await self._sink.publish(batch)
        finally:
            self._delta_writer = False
        self._committing = False


def _no_more_deltas(node_id: str, iteration: int, text: str) -> None:
    """Deltas emitted once an execution ended go nowhere (no attempt of it is still running)."""
