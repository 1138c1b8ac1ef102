"""Executes runs in this process, in the background: the embedded mode's worker pool.

Runs are started and resumed here; a periodic sweep wakes waiting runs whose human tasks fell due.
Stopping the host cancels executions without recording anything: the runs stay RUNNING and the next
start resumes them (the engine re-runs interrupted nodes with their attempts counted).

A run is never left unfinished with nobody executing it: an execution that fails (the database went
away mid-run) is tried again with a growing delay, and a run whose version cannot be executed is
recorded FAILED with the reason.
"""

from __future__ import annotations

import asyncio
import logging
from uuid import UUID

from backend.runs.graphs import GraphCache, UnrunnableVersionError
from backend.runs.repository import RunRepository
from engine.execution import Engine

log = logging.getLogger(__name__)

RETRY_DELAY = 1.0
"""Seconds before a failed execution is tried again; doubled after each consecutive failure."""
MAX_RETRY_DELAY = 30.0


class RunHost:
    """Schedules `Engine.execute` calls, at most `concurrency` at a time."""

    def __init__(
        self,
        engine: Engine,
        graphs: GraphCache,
        runs: RunRepository,
        *,
        concurrency: int = 64,
        sweep_seconds: float = 1.0,
    ) -> None:
        self._engine = engine
        self._graphs = graphs
        self._runs = runs
        self._limit = asyncio.Semaphore(concurrency)
        self._sweep_seconds = sweep_seconds
        self._tasks: dict[UUID, asyncio.Task[None]] = {}
        self._again: set[UUID] = set()
        self._failures: dict[UUID, int] = {}
        """Consecutive failed executions of each run that is waiting to be tried again."""
        self._later: set[asyncio.Task[None]] = set()
        self._sweeper: asyncio.Task[None] | None = None

    async def start(self, *, resume: bool) -> None:
        """Start sweeping for due human tasks and, with `resume`, continue every unfinished run."""
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep_forever())
        if resume:
            unfinished = await self._runs.unfinished()
            for run_id, workflow_id, version in unfinished:
                self.schedule(run_id, workflow_id, version)
            if unfinished:
                log.info("resuming %d unfinished run(s)", len(unfinished))

    def schedule(self, run_id: UUID, workflow_id: UUID, version: int) -> None:
        """Execute (or continue) a run in the background; a run already executing runs again after."""
        if run_id in self._tasks:
            self._again.add(run_id)
            return
        task = asyncio.get_running_loop().create_task(self._execute(run_id, workflow_id, version))
        self._tasks[run_id] = task

    def executing(self, run_id: UUID) -> bool:
        """Whether this host is executing the run right now."""
        return run_id in self._tasks

    async def stop(self) -> None:
        """Cancel the sweep and every execution (their runs stay resumable) and wait for them."""
        tasks = [*self._tasks.values(), *self._later, *([self._sweeper] if self._sweeper else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._sweeper = None

    async def _execute(self, run_id: UUID, workflow_id: UUID, version: int) -> None:
        try:
            async with self._limit:
                try:
                    graph = (await self._graphs.get(workflow_id, version)).graph
                except UnrunnableVersionError as exc:
                    log.warning("run %s cannot be executed: %s", run_id, exc)
                    await self._engine.fail(run_id, f"the run cannot be executed: {exc}")
                    return
                while True:
                    self._again.discard(run_id)
                    await self._engine.execute(run_id, graph)
                    if run_id not in self._again:
                        break
            self._failures.pop(run_id, None)
        except KeyError:
            log.warning("run %s no longer exists; not executing it", run_id)
        except Exception:
            self._try_again_later(run_id, workflow_id, version)
        finally:
            self._tasks.pop(run_id, None)

    def _try_again_later(self, run_id: UUID, workflow_id: UUID, version: int) -> None:
        # The run stays as recorded (RUNNING or PENDING): execute it again once the cause (usually the
        # database) may have gone; the first failure is logged with its traceback, the others briefly.
        failures = self._failures[run_id] = self._failures.get(run_id, 0) + 1
        delay = min(MAX_RETRY_DELAY, RETRY_DELAY * 2 ** (failures - 1))
        if failures == 1:
            log.exception("executing run %s failed; trying again in %g s", run_id, delay)
        else:
            log.warning(
                "executing run %s failed again (%d times); trying again in %g s", run_id, failures, delay
            )

        async def later() -> None:
            await asyncio.sleep(delay)
            self.schedule(run_id, workflow_id, version)

        task = asyncio.get_running_loop().create_task(later())
        self._later.add(task)
        task.add_done_callback(self._later.discard)

    async def _sweep_forever(self) -> None:
        failures = 0  # in a row: an outage is logged when it starts and when it ends, not every sweep
        while True:
            await asyncio.sleep(self._sweep_seconds)
            try:
                due = await self._runs.falling_due()
            except Exception:
                failures += 1
                if failures == 1:
                    log.exception(
                        "sweeping for due human tasks failed; retrying every %ss", self._sweep_seconds
                    )
                else:
                    log.debug("sweeping for due human tasks failed again (%d in a row)", failures)
                continue
            if failures:
                log.info("sweeping for due human tasks works again after %d failed sweep(s)", failures)
                failures = 0
            for run_id, workflow_id, version in due:
                self.schedule(run_id, workflow_id, version)
