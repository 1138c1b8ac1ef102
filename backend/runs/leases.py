"""Run leases: at most one process changes a run at a time.

A process takes a run's lease before it executes the run, or before it records a change of the
run itself (a cancel, a human answer, a retry). The lease names the process (`owner`) and expires
unless the process's heartbeat renews it. Every commit of run state checks the lease in the same
statement (`COMMIT_SQL`), so a process that lost its lease writes nothing more; the heartbeat
tells it which runs it lost so that it stops executing them.

Within a process a lease is counted: the executor and a change made by an API call on the same
run share it, and it is released when the last of them lets go.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import asyncpg

log = logging.getLogger(__name__)

TERMINAL = ("SUCCEEDED", "FAILED", "CANCELLED")

_ACQUIRE_SQL = """
WITH before AS (SELECT id, lease_owner FROM runs WHERE id = $1 FOR UPDATE)
UPDATE runs SET lease_owner = $2, lease_expires_at = now() + make_interval(secs => $3), heartbeat_at = now()
FROM before
WHERE runs.id = before.id
    AND (before.lease_owner IS NULL OR before.lease_owner = $2 OR runs.lease_expires_at < now())
RETURNING runs.workspace_id, runs.workflow_id, runs.version, runs.status,
    runs.cancel_requested_at IS NOT NULL AS cancel_requested,
    before.lease_owner IS NOT NULL AND before.lease_owner <> $2 AS took_over
"""

_RENEW_SQL = """
UPDATE runs SET lease_expires_at = now() + make_interval(secs => $3), heartbeat_at = now()
WHERE id = ANY($1::uuid[]) AND lease_owner = $2
RETURNING id
"""

_RELEASE_SQL = """
UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL,
    dispatched_at = CASE WHEN $3 OR status IN ('SUCCEEDED', 'FAILED', 'CANCELLED') THEN NULL
                         ELSE dispatched_at END
WHERE id = $1 AND lease_owner = $2
RETURNING workspace_id
"""


@dataclass(frozen=True, slots=True)
class Lease:
    """A lease this process holds, with what the run row said when it was taken."""

    run_id: UUID
    workspace_id: UUID
    workflow_id: UUID
    version: int
    status: str
    cancel_requested: bool
    took_over: bool
    """The lease was another process's, which let it lapse (it died or stalled): that process's
    place in the queue is void, so whoever releases this lease takes the run out of the count."""


class Leases:
    """The leases of one process (`owner`), renewed every `seconds / 3` while held."""

    def __init__(
        self,
        pool: asyncpg.Pool[Any],
        *,
        seconds: float,
        owner: UUID | None = None,
        on_lost: Callable[[UUID], None] = lambda run_id: None,
    ) -> None:
        self.owner = owner or uuid4()
        self.seconds = seconds
        self._pool = pool
        self._held: dict[UUID, int] = {}
        self._undispatch: set[UUID] = set()
        """Runs one of whose holders asked to leave the queue's count on release."""
        self.on_lost = on_lost
        """Told of each run whose lease this process lost (the host stops executing it)."""
        self._heartbeat: asyncio.Task[None] | None = None
        self.beat_at = 0.0
        """The loop time of the last heartbeat that reached PostgreSQL (for health checks)."""

    def start(self) -> None:
        """Start the heartbeat."""
        self.beat_at = asyncio.get_running_loop().time()
        self._heartbeat = asyncio.get_running_loop().create_task(self._beat_forever())

    async def stop(self) -> None:
        """Stop the heartbeat (leases still held expire unless released)."""
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
            self._heartbeat = None

    def holds(self, run_id: UUID) -> bool:
        """Whether this process holds the run's lease."""
        return run_id in self._held

    async def acquire(self, run_id: UUID) -> Lease | None:
        """Take (or share, within this process) the run's lease; None when another process holds it
        or the run does not exist."""
        async with self._pool.acquire() as connection:
            row = await connection.fetchrow(_ACQUIRE_SQL, run_id, self.owner, self.seconds)
        if row is None:
            return None
        self._held[run_id] = self._held.get(run_id, 0) + 1
        return Lease(
            run_id=run_id,
            workspace_id=row["workspace_id"],
            workflow_id=row["workflow_id"],
            version=row["version"],
            status=row["status"],
            cancel_requested=row["cancel_requested"],
            took_over=row["took_over"],
        )

    async def release(self, run_id: UUID, *, undispatch: bool = False) -> UUID | None:
        """Let go of one hold on the lease; the last one releases it in PostgreSQL.

        With `undispatch` (an execution ended), the run also leaves the queue's count; a finished run
        always does. Returns the run's workspace when the lease was released there.
        """
        count = self._held.get(run_id, 0) - 1
        if count > 0:
            self._held[run_id] = count
            if undispatch:
                self._undispatch.add(run_id)
            return None
        self._held.pop(run_id, None)
        if run_id in self._undispatch:
            self._undispatch.discard(run_id)
            undispatch = True
        async with self._pool.acquire() as connection:
            workspace_id: UUID | None = await connection.fetchval(
                _RELEASE_SQL, run_id, self.owner, undispatch
            )
        return workspace_id

    async def renew(self) -> None:
        """Extend every held lease; runs whose lease is gone are reported to `on_lost`."""
        held = list(self._held)
        if held:
            async with self._pool.acquire() as connection:
                rows = await connection.fetch(_RENEW_SQL, held, self.owner, self.seconds)
            renewed = {row["id"] for row in rows}
            for run_id in held:
                if run_id not in renewed and run_id in self._held:
                    log.warning("lost the lease of run %s; stopping its execution here", run_id)
                    self._held.pop(run_id, None)
                    self._undispatch.discard(run_id)
                    self.on_lost(run_id)
        self.beat_at = asyncio.get_running_loop().time()

    async def _beat_forever(self) -> None:
        failures = 0
        while True:
            await asyncio.sleep(self.seconds / 3)
            try:
                await self.renew()
            except Exception:
                failures += 1
                if failures == 1:
                    log.exception("renewing run leases failed; retrying")
                continue
            if failures:
                log.info("renewing run leases works again after %d failure(s)", failures)
                failures = 0
