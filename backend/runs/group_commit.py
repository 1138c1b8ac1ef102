"""Group commit: transitions of concurrent runs share one durable write.

A run waits for its transition to be durable before its next step, so many runs waiting at once
would each pay a commit. Instead, waiting transitions are gathered and written together by a single
statement. Two batches may be in flight (on separate connections) so that Python prepares the next
steps of some runs while PostgreSQL writes those of others.

Gathering is what makes batches worth writing. After a batch, the runs it released take their next
step within a few hundred microseconds; taking the next batch before they are back splits the runs
into small groups that keep alternating. So the writer waits — briefly, never more than
GATHER_SECONDS — until the runs released by the last batch are back, and, while another batch is
still being written, until the new one is at least as large.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from typing import Any
from uuid import UUID

import asyncpg

from backend.runs.commit_sql import COMMIT_SQL, commit_parameters
from backend.telemetry import metrics
from engine.records import RunStatus, StaleRunError, Transition, UnstorableTransitionError

log = logging.getLogger(__name__)

MAX_BATCH = 512
GATHER_SECONDS = 0.0005
"""The longest the writer waits for a batch to fill."""

Waiting = tuple[Transition, "asyncio.Future[None]"]


def _consume(future: asyncio.Future[None]) -> None:
    # a waiter cancelled mid-write never reads the outcome; mark it read so asyncio stays quiet
    if not future.cancelled():
        future.exception()


def _continues(transition: Transition) -> bool:
    """Whether the run will take another step soon after this transition."""
    status = transition.run.status
    return not (status.terminal or status is RunStatus.WAITING)


def refused(exc: BaseException) -> bool:
    """Whether a write failed because of what it carried (as opposed to reaching the database).

    PostgreSQL's data exceptions (class 22: text it cannot hold, numbers out of range...) and
    program limits (class 54: too large, too deep), or an encoding error before anything was sent.
    """
    return isinstance(
        exc,
        asyncpg.DataError
        | asyncpg.ProgramLimitExceededError
        | UnicodeError
        | ValueError
        | TypeError
        | RecursionError,
    )


def refusal(exc: BaseException) -> UnstorableTransitionError:
    """The error a refused write is reported as (`refused(exc)` is true)."""
    return UnstorableTransitionError(f"the database refused the step: {type(exc).__name__}: {exc}")


def _settle(batch: list[Waiting], written: set[UUID]) -> None:
    for transition, future in batch:
        if future.done():
            continue
        if transition.run.id in written:
            future.set_result(None)
        else:
            stale = f"run {transition.run.id} moved past seq {transition.expected_seq}"
            future.set_exception(StaleRunError(stale))


class GroupCommitter:
    """Writes transitions in batches; `commit` returns once the caller's transition is durable."""

    def __init__(
        self, pool: asyncpg.Pool[Any], *, owner: UUID | None = None, batches_in_flight: int = 2
    ) -> None:
        self._pool = pool
        self._owner = owner
        self._slots = asyncio.Semaphore(batches_in_flight)
        self._pending: deque[Waiting] = deque()
        self._writing: set[UUID] = set()
        self._awaited: set[UUID] = set()
        """Runs released by the last batch that will step again but have not queued yet."""
        self._wake = asyncio.Event()
        self._queued = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self._batches: set[asyncio.Task[None]] = set()

    async def commit(self, transition: Transition) -> None:
        """Queue `transition` and wait until it is durable.

        Raises:
            StaleRunError: the run's last_seq moved on; nothing of the transition was written.
        """
        loop = asyncio.get_running_loop()
        if self._writer is None:
            self._writer = loop.create_task(self._write_forever())
        future: asyncio.Future[None] = loop.create_future()
        future.add_done_callback(_consume)
        self._pending.append((transition, future))
        self._awaited.discard(transition.run.id)
        self._queued.set()
        self._wake.set()
        # Each transition has its own future: a cancelled waiter cancels only that future, and the
        # batch carrying it is still written (`_write` skips futures that are done).
        await future

    async def close(self) -> None:
        """Finish the batches in flight and stop the writer."""
        if self._batches:
            await asyncio.gather(*self._batches, return_exceptions=True)
        if self._writer is not None:
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)
            self._writer = None

    async def _write_forever(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                await self._slots.acquire()
                await self._gather(loop.time() + GATHER_SECONDS)
                batch = self._take_batch()
                if not batch:  # only runs whose previous transition is still being written
                    self._slots.release()
                    break
                task = loop.create_task(self._write(batch))
                self._batches.add(task)
                task.add_done_callback(self._batches.discard)

    async def _gather(self, deadline: float) -> None:
        loop = asyncio.get_running_loop()
        while self._awaited or (self._writing and len(self._pending) < len(self._writing)):
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            self._queued.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._queued.wait(), remaining)
        self._awaited.clear()

    def _take_batch(self) -> list[Waiting]:
        """Up to MAX_BATCH queued transitions, at most one per run and none of a run being written."""
        batch: list[Waiting] = []
        deferred: deque[Waiting] = deque()
        runs: set[UUID] = set()
        while self._pending and len(batch) < MAX_BATCH:
            item = self._pending.popleft()
            run_id = item[0].run.id
            if run_id in runs or run_id in self._writing:
                deferred.append(item)
            else:
                runs.add(run_id)
                batch.append(item)
        self._pending.extendleft(reversed(deferred))
        self._writing |= runs
        return batch

    async def _statement(self, transitions: list[Transition]) -> set[UUID]:
        """Write transitions with one statement; the ids of the runs whose transition was written."""
        parameters = commit_parameters(transitions, self._owner)
        async with self._pool.acquire() as connection:
            began = time.perf_counter()
            rows = await connection.fetch(COMMIT_SQL, *parameters)
            metrics.COMMIT_LATENCY.observe(time.perf_counter() - began)
        metrics.COMMIT_BATCH.observe(len(transitions))
        return {row["id"] for row in rows}

    async def _write_alone(self, transition: Transition, future: asyncio.Future[None]) -> None:
        try:
            written = await self._statement([transition])
        except Exception as exc:
            if not refused(exc):
                raise
            log.warning(
                "run %s: a transition was refused: %s: %s", transition.run.id, type(exc).__name__, exc
            )
            if not future.done():
                future.set_exception(refusal(exc))
        else:
            _settle([(transition, future)], written)

    async def _write(self, batch: list[Waiting]) -> None:
        try:
            if len(batch) == 1:
                await self._write_alone(*batch[0])
                return
            try:
                written = await self._statement([transition for transition, _ in batch])
            except Exception as exc:
                if not refused(exc):
                    raise
                # Something in the batch cannot be stored: write each transition on its own, so
                # that only the runs whose transition is refused fail.
                log.warning("a batch of %d run transitions was refused; writing them one by one", len(batch))
                for transition, future in batch:
                    await self._write_alone(transition, future)
            else:
                _settle(batch, written)
        except Exception as exc:
            # the database cannot be reached (or a bug): every waiter gets the error, nothing is lost
            log.exception("writing %d run transitions failed", len(batch))
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
        finally:
            self._writing -= {transition.run.id for transition, _ in batch}
            queued = {transition.run.id for transition, _ in self._pending}
            self._awaited |= {t.run.id for t, _ in batch if _continues(t) and t.run.id not in queued}
            self._slots.release()
            if self._pending:
                self._wake.set()
