"""Admission: which executable runs go to the queue now, fairly across workspaces.

A run is executable when it is PENDING or RUNNING and nobody executes it (just created, resumed by
a human answer, retried, or interrupted). Admitting a workspace marks its oldest executable runs
dispatched until the workspace has `per_workspace` runs in the queue or executing, and enqueues
them. So the queue never holds more than that many runs of one workspace: a workspace that starts
10,000 runs waits for its own, and another workspace's single run waits behind at most
`per_workspace` runs of each busy workspace, not behind 10,000.

Admission runs when a run is created or resumed, when an execution ends (its slot is free), and in
every reconciler pass; a per-workspace advisory lock keeps two admissions of one workspace from
overshooting the limit together.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any
from uuid import UUID

import asyncpg

from backend.runs.dispatch import RunQueue, Ticket

log = logging.getLogger(__name__)

_ADMIT_SQL = """
WITH room AS (
    SELECT greatest(0, $2 - count(*)) AS free FROM runs
    WHERE workspace_id = $1 AND dispatched_at IS NOT NULL
), picked AS (
    SELECT id FROM runs
    WHERE workspace_id = $1 AND dispatched_at IS NULL AND status IN ('PENDING', 'RUNNING')
    ORDER BY created_at LIMIT (SELECT free FROM room)
    FOR UPDATE SKIP LOCKED
)
UPDATE runs SET dispatched_at = now(), dispatches = runs.dispatches + 1
FROM picked WHERE runs.id = picked.id
RETURNING runs.id, runs.dispatches
"""

_DISPATCH_NOW_SQL = """
UPDATE runs SET dispatched_at = now(), dispatches = dispatches + 1
WHERE id = ANY($1::uuid[]) AND dispatched_at IS NULL
RETURNING id, dispatches
"""


class Admission:
    """Admits runs to a `RunQueue`, at most `per_workspace` of one workspace at a time."""

    def __init__(self, pool: asyncpg.Pool[Any], queue: RunQueue, *, per_workspace: int) -> None:
        self._pool = pool
        self.queue = queue
        self._per_workspace = per_workspace

    async def admit(self, workspace_id: UUID) -> int:
        """Dispatch the workspace's oldest executable runs while it has room; how many were."""
        async with self._pool.acquire() as connection, connection.transaction():
            await connection.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended('admit:' || $1::uuid::text, 0))", workspace_id
            )
            rows = await connection.fetch(_ADMIT_SQL, workspace_id, self._per_workspace)
        await self.queue.enqueue([Ticket(row["id"], row["dispatches"]) for row in rows])
        return len(rows)

    async def admit_all(self, workspace_ids: Iterable[UUID]) -> int:
        """Admit each workspace in turn (a failure is logged and the others still go)."""
        admitted = 0
        for workspace_id in set(workspace_ids):
            try:
                admitted += await self.admit(workspace_id)
            except Exception:
                log.exception("admitting the runs of workspace %s failed", workspace_id)
        return admitted

    async def dispatch_now(self, run_ids: Iterable[UUID]) -> int:
        """Dispatch these runs (waiting runs whose human task fell due) outside the workspace limit:
        they only record a timeout and move on."""
        ids = list(run_ids)
        if not ids:
            return 0
        async with self._pool.acquire() as connection:
            rows = await connection.fetch(_DISPATCH_NOW_SQL, ids)
        await self.queue.enqueue([Ticket(row["id"], row["dispatches"]) for row in rows])
        return len(rows)
