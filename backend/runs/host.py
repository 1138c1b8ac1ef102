"""Executes dispatched runs in this process: the embedded server's executor and each worker's.

An execution holds the run's lease (`backend.runs.leases`) from start to end. When it ends — the run
is finished or waiting, or the execution was interrupted — the lease and the run's place in the
queue are released and its workspace is admitted again, so the next run (or this one, if it is
still executable) goes to the queue. A run is never left unfinished with nobody to execute it: an
execution that fails (the database went away mid-run) keeps its place in the queue, and the
reconciler dispatches it again once the queue no longer knows it.

A process that loses a lease (its heartbeat stalled past the expiry and another process took the
run) stops that execution at once; its commits were refused already.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from backend.live.control import Answer, Command, answer_for
from backend.runs.dispatch import Ticket
from backend.runs.graphs import GraphCache, UnrunnableVersionError
from backend.runs.leases import TERMINAL, Leases
from backend.telemetry.runs import RunTraces
from engine.execution import Engine

log = logging.getLogger(__name__)


class RunHost:
    """Executes tickets handed over by the queue, one execution per run at a time."""

    def __init__(
        self,
        engine: Engine,
        graphs: GraphCache,
        leases: Leases,
        *,
        on_released: Callable[[UUID], Awaitable[Any]],
        traces: RunTraces,
    ) -> None:
        self._engine = engine
        self._traces = traces
        self._graphs = graphs
        self._leases = leases
        self._on_released = on_released
        self._tasks: dict[UUID, asyncio.Task[Any]] = {}
        self._interrupted: set[UUID] = set()
        self.stopping = False
        """Set by `drain`: tickets that arrive now go back to the queue for another process."""

    def executing(self, run_id: UUID) -> bool:
        """Whether this process is executing the run right now."""
        return run_id in self._tasks

    @property
    def running(self) -> int:
        """Executions under way."""
        return len(self._tasks)

    def lost(self, run_id: UUID) -> None:
        """The run's lease is gone (another process took it): stop executing it, recording nothing."""
        task = self._tasks.get(run_id)
        if task is not None:
            self._interrupted.add(run_id)
            task.cancel()

    async def execute(self, ticket: Ticket) -> None:
        """Execute the run until it is finished or waiting, if its lease can be taken."""
        run_id = ticket.run_id
        if self.stopping:
            await self._hand_back(run_id)
            return
        if run_id in self._tasks:
            return  # a second ticket for a run executing here
        lease = await self._leases.acquire(run_id)
        if lease is None:
            return  # another process holds it; its release admits the run again if need be
        task = asyncio.current_task()
        if task is None:  # pragma: no cover - always called from a task
            raise RuntimeError("execute runs in a task")
        self._tasks[run_id] = task
        undispatch = True
        try:
            if lease.status in TERMINAL:
                return
            if lease.cancel_requested:
                await self._engine.cancel(run_id)
                return
            try:
                graph = (await self._graphs.get(lease.workflow_id, lease.version)).graph
            except UnrunnableVersionError as exc:
                log.warning("run %s cannot be executed: %s", run_id, exc)
                await self._engine.fail(run_id, f"the run cannot be executed: {exc}")
                return
            async with self._traces.executing(run_id, lease.workspace_id, lease.workflow_id):
                await self._engine.execute(run_id, graph)
        except asyncio.CancelledError:
            if run_id not in self._interrupted:
                raise
        except KeyError:
            log.warning("run %s no longer exists; not executing it", run_id)
        except Exception:
            # Keep the run's place in the queue: the reconciler dispatches it again after a pause
            # instead of this process retrying at once against a database that just failed.
            undispatch = False
            log.exception("executing run %s failed; the reconciler will dispatch it again", run_id)
        finally:
            self._tasks.pop(run_id, None)
            self._interrupted.discard(run_id)
            await self._release(run_id, undispatch=undispatch)

    async def _release(self, run_id: UUID, *, undispatch: bool) -> None:
        try:
            workspace_id = await self._leases.release(run_id, undispatch=undispatch)
            if workspace_id is not None and undispatch:
                await self._on_released(workspace_id)
        except Exception:
            log.exception("releasing run %s failed; its lease will expire", run_id)

    async def _hand_back(self, run_id: UUID) -> None:
        # A ticket that arrived while this process stops: back to the queue for another process.
        lease = await self._leases.acquire(run_id)
        if lease is not None:
            await self._release(run_id, undispatch=True)

    async def drain(self, grace: float) -> None:
        """Stop taking tickets; let executions finish for `grace` seconds, then interrupt the rest
        (nothing is recorded for them) and hand their runs back to the queue at once."""
        self.stopping = True
        pending = list(self._tasks.values())
        if pending:
            log.info("waiting up to %g s for %d execution(s) to finish", grace, len(pending))
            _, still = await asyncio.wait(pending, timeout=grace)
            if still:
                log.info("interrupting %d execution(s); other processes resume them", len(still))
                for run_id, task in list(self._tasks.items()):
                    if task in still:
                        self.lost(run_id)
                await asyncio.wait(still, timeout=5)

    async def handle_command(self, command: Command) -> Answer | None:
        """Serve another process's command about a run this process executes (None: not ours)."""
        if not self.executing(command.run_id):
            return None
        if command.op == "cancel":
            await self._engine.cancel(command.run_id)
            return Answer("cancelled")
        lease = await self._leases.acquire(command.run_id)
        if lease is None or command.node_id is None:
            return None
        try:
            pinned = await self._graphs.get(lease.workflow_id, lease.version)
            outcome = await self._engine.submit(command.run_id, command.node_id, command.value, pinned.graph)
        finally:
            await self._release(command.run_id, undispatch=False)
        return answer_for(outcome)
