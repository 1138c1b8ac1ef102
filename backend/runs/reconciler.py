"""The reconciler: PostgreSQL is the truth about runs, the queue only a cache of work.

Every process that executes runs tries to reconcile every few seconds; a transaction-scoped
advisory lock lets one of them act at a time, and `reconciler_passes` one pass per interval
however many processes try. A pass:

1. takes expired leases away (their process died or stalled) and returns those runs to admission;
2. clears the queue mark of finished runs nobody holds (a process died between the two writes);
3. asks the queue about runs marked dispatched but not leased for a while: those it does not know
   (Redis restarted empty, FLUSHALL, an enqueue that failed, a worker that died before leasing the
   run) go back to admission;
4. dispatches waiting runs whose human task fell due (the execution records the timeout);
5. admits every workspace that has executable runs outside the queue (a run answered or created
   by a process that died before enqueueing it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from backend.periodic import repeat_forever
from backend.runs.admission import Admission
from backend.runs.dispatch import Ticket
from backend.telemetry import metrics

log = logging.getLogger(__name__)

LOCK_KEY = 0x466C6F776C6F6F6D  # "Flowloom"
"""The advisory lock only one reconciler holds at a time."""

_CLAIM_TURN_SQL = """
UPDATE reconciler_passes SET last_pass_at = now()
WHERE id = 1 AND last_pass_at <= now() - make_interval(secs => $1)
RETURNING true
"""

_EXPIRED_SQL = """
UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL, dispatched_at = NULL
WHERE dispatched_at IS NOT NULL AND lease_owner IS NOT NULL AND lease_expires_at < now()
RETURNING id, dispatches
"""

_FINISHED_SQL = """
UPDATE runs SET dispatched_at = NULL
WHERE dispatched_at IS NOT NULL AND status IN ('SUCCEEDED', 'FAILED', 'CANCELLED')
    AND (lease_owner IS NULL OR lease_expires_at < now())
"""

_UNLEASED_SQL = """
SELECT id, dispatches FROM runs
WHERE dispatched_at IS NOT NULL AND dispatched_at < now() - make_interval(secs => $1)
    AND lease_owner IS NULL AND status IN ('PENDING', 'RUNNING', 'WAITING')
"""

_LOST_SQL = """
UPDATE runs SET dispatched_at = NULL
FROM unnest($1::uuid[], $2::int[]) AS lost(id, dispatches)
WHERE runs.id = lost.id AND runs.dispatches = lost.dispatches AND runs.lease_owner IS NULL
RETURNING runs.id, runs.dispatches
"""

_DUE_SQL = """
SELECT DISTINCT r.id FROM human_tasks t JOIN runs r ON r.id = t.run_id
WHERE t.status = 'OPEN' AND t.due_at <= now() AND r.status = 'WAITING' AND r.dispatched_at IS NULL
"""

_EXECUTABLE_SQL = """
SELECT DISTINCT workspace_id FROM runs WHERE dispatched_at IS NULL AND status IN ('PENDING', 'RUNNING')
"""

# runs waiting for an executor (queued, or held back by their workspace's concurrency)
_PENDING_SQL = "SELECT count(*) FROM runs WHERE status = 'PENDING'"


@dataclass(frozen=True, slots=True)
class Pass:
    """What one reconciler pass did (all zero when another process held the lock)."""

    acted: bool
    expired: int = 0
    vanished: int = 0
    due: int = 0
    admitted: int = 0


class Reconciler:
    """Repairs dispatch from PostgreSQL every `seconds`."""

    def __init__(
        self, pool: asyncpg.Pool[Any], admission: Admission, *, seconds: float, queue_grace: float
    ) -> None:
        self._pool = pool
        self._admission = admission
        self._seconds = seconds
        self._queue_grace = queue_grace
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Reconcile every `seconds` until `stop`."""
        self._task = asyncio.get_running_loop().create_task(self._forever())

    async def stop(self) -> None:
        """Stop reconciling."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def reconcile(self, *, force: bool = False) -> Pass:
        """One pass, unless another process is reconciling right now, or one did less than an
        interval ago (`force` skips only the latter)."""
        async with self._pool.acquire() as connection, connection.transaction():
            if not await connection.fetchval("SELECT pg_try_advisory_xact_lock($1)", LOCK_KEY):
                return Pass(acted=False)
            due = await connection.fetchval(_CLAIM_TURN_SQL, 0 if force else self._seconds * 0.8)
            if not due:
                return Pass(acted=False)
            expired = await connection.fetch(_EXPIRED_SQL)
            await connection.execute(_FINISHED_SQL)
            unleased = await connection.fetch(_UNLEASED_SQL, self._queue_grace)
            vanished: list[Any] = []
            if unleased:
                tickets = [Ticket(row["id"], row["dispatches"]) for row in unleased]
                known = await self._admission.queue.known(tickets)
                lost = [ticket for ticket in tickets if ticket.key not in known]
                if lost:
                    vanished = await connection.fetch(
                        _LOST_SQL, [t.run_id for t in lost], [t.generation for t in lost]
                    )
            falling_due: list[UUID] = [row["id"] for row in await connection.fetch(_DUE_SQL)]
            workspaces = {row["workspace_id"] for row in await connection.fetch(_EXECUTABLE_SQL)}
            metrics.QUEUE_DEPTH.set(await connection.fetchval(_PENDING_SQL))
        if expired:
            log.warning("%d run lease(s) expired; dispatching those runs again", len(expired))
        if vanished:
            log.warning(
                "%d dispatched run(s) were missing from the queue; dispatching them again", len(vanished)
            )
        dispatched_due = await self._admission.dispatch_now(falling_due)
        admitted = await self._admission.admit_all(workspaces)
        return Pass(
            acted=True, expired=len(expired), vanished=len(vanished), due=dispatched_due, admitted=admitted
        )

    async def _forever(self) -> None:
        await repeat_forever(self.reconcile, self._seconds, "reconciling runs", log)
