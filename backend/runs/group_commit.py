"""Group commit: transitions of concurrent runs share one durable write.

A run waits for its transition to be durable before its next step, so many runs waiting at once
would each pay a commit. Instead, waiting transitions are gathered and written together by a single
statement; a few batches may be in flight at once (on separate connections) so that a batch being
written never stalls the one being gathered.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Any
from uuid import UUID

import asyncpg

from backend.runs.commit_sql import COMMIT_SQL, commit_parameters
from engine.records import StaleRunError, Transition

log = logging.getLogger(__name__)

MAX_BATCH = 512


def _consume(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()


class GroupCommitter:
    """Writes transitions in batches; `commit` returns once the caller's transition is durable."""

    def __init__(self, pool: asyncpg.Pool[Any], *, batches_in_flight: int = 2) -> None:
        self._pool = pool
        self._slots = asyncio.Semaphore(batches_in_flight)
        self._pending: deque[tuple[Transition, asyncio.Future[None]]] = deque()
        self._writing: set[UUID] = set()
        self._wake = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self._batches: set[asyncio.Task[None]] = set()

    async def commit(self, transition: Transition) -> None:
        """Queue `transition` and wait until it is durable.

        Raises:
            StaleRunError: the run's last_seq moved on; nothing of the transition was written.
        """
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._write_forever())
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # a waiter cancelled mid-write never reads the outcome; mark it read so asyncio stays quiet
        future.add_done_callback(_consume)
        self._pending.append((transition, future))
        self._wake.set()
        # the write goes on even if the waiting run is cancelled: other runs share the batch
        await asyncio.shield(future)

    async def close(self) -> None:
        """Finish the batches in flight and stop the writer."""
        if self._batches:
            await asyncio.gather(*self._batches, return_exceptions=True)
        if self._writer is not None:
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)
            self._writer = None

    async def _write_forever(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while batch := self._take_batch():
                await self._slots.acquire()
                task = asyncio.get_running_loop().create_task(self._write(batch))
                self._batches.add(task)
                task.add_done_callback(self._batches.discard)

    def _take_batch(self) -> list[tuple[Transition, asyncio.Future[None]]]:
        """Up to MAX_BATCH queued transitions, at most one per run and none of a run being written."""
        batch: list[tuple[Transition, asyncio.Future[None]]] = []
        deferred: deque[tuple[Transition, asyncio.Future[None]]] = deque()
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

    async def _write(self, batch: list[tuple[Transition, asyncio.Future[None]]]) -> None:
        try:
            async with self._pool.acquire() as connection:
                rows = await connection.fetch(COMMIT_SQL, *commit_parameters([t for t, _ in batch]))
        except Exception as exc:
            log.exception("writing %d run transitions failed", len(batch))
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
        else:
            written = {row["id"] for row in rows}
            for transition, future in batch:
                if future.done():
                    continue
                if transition.run.id in written:
                    future.set_result(None)
                else:
                    stale = f"run {transition.run.id} moved past seq {transition.expected_seq}"
                    future.set_exception(StaleRunError(stale))
        finally:
            self._writing -= {transition.run.id for transition, _ in batch}
            self._slots.release()
            if self._pending:
                self._wake.set()
