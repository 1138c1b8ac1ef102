"""Reads of the runs slice for the API; every statement is scoped by workspace_id.

Writes of run state go through the engine and `PostgresRunStore`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from backend.pagination import Cursor, Page, PageRequest
from backend.runs.retention_records import EventFloor, RunRetention
from backend.runs.store import NODE_COLUMNS, RUN_COLUMNS, TASK_COLUMNS, human_task, node_run, run_record
from engine.records import EventType, HumanTask, NodeRun, RunEvent, RunRecord, RunStatus, TaskStatus


class RunRepository:
    """Reads runs, node runs, events and human tasks."""

    def __init__(self, pool: asyncpg.Pool[Any]) -> None:
        self._pool = pool

    async def get(self, workspace_id: UUID, run_id: UUID) -> RunRecord | None:
        """A run of the workspace."""
        async with self._pool.acquire() as connection:
            row = await connection.fetchrow(
                f"SELECT {RUN_COLUMNS} FROM runs WHERE id = $1 AND workspace_id = $2",  # noqa: S608
                run_id,
                workspace_id,
            )
        return None if row is None else run_record(row)

    async def page(
        self, workspace_id: UUID, request: PageRequest, *, workflow_id: UUID | None, status: RunStatus | None
    ) -> Page[RunRecord]:
        """Runs newest first, optionally of one workflow and/or in one status."""
        after = request.after
        rows_limit = request.first + 1
        async with self._pool.acquire() as connection:
            rows = await connection.fetch(
                f"SELECT {RUN_COLUMNS} FROM runs WHERE workspace_id = $1 "  # noqa: S608
                "AND ($2::uuid IS NULL OR workflow_id = $2) AND ($3::text IS NULL OR status = $3) "
                "AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5)) "
                "ORDER BY created_at DESC, id DESC LIMIT $6",
                workspace_id,
                workflow_id,
                None if status is None else status.value,
                None if after is None else after.created_at,
                None if after is None else after.id,
                rows_limit,
            )
        items = tuple(run_record(row) for row in rows[: request.first])
        return Page(
            items=items,
            cursors=tuple(Cursor(item.created_at, item.id).encode() for item in items),
            has_next_page=len(rows) > request.first,
        )

    async def latest(self, workspace_id: UUID, workflow_ids: Sequence[UUID]) -> dict[UUID, RunRecord]:
        """The newest run of each workflow that has one, in one statement (index runs_workflow)."""
        async with self._pool.acquire() as connection:
            rows = await connection.fetch(
                f"SELECT DISTINCT ON (workflow_id) {RUN_COLUMNS} FROM runs "  # noqa: S608
                "WHERE workspace_id = $1 AND workflow_id = ANY($2::uuid[]) "
                "ORDER BY workflow_id, created_at DESC, id DESC",
                workspace_id,
                list(workflow_ids),
            )
        return {row["workflow_id"]: run_record(row) for row in rows}

    async def node_runs(self, workspace_id: UUID, run_ids: Sequence[UUID]) -> dict[UUID, list[NodeRun]]:
        """The node runs of each run, in recording order (one statement for the batch)."""
        async with self._pool.acquire() as connection:
            rows = await connection.fetch(
                f"SELECT {NODE_COLUMNS} FROM node_runs "  # noqa: S608
                "WHERE workspace_id = $1 AND run_id = ANY($2::uuid[]) ORDER BY ord",
                workspace_id,
                list(run_ids),
            )
        found: dict[UUID, list[NodeRun]] = {}
        for row in rows:
            found.setdefault(row["run_id"], []).append(node_run(row))
        return found

    async def events(self, workspace_id: UUID, run_id: UUID, after_seq: int) -> list[RunEvent]:
        """The run's persisted events with seq > after_seq, in order."""
        async with self._pool.acquire() as connection:
            rows = await connection.fetch(
                "SELECT run_id, seq, type, node_id, at, data FROM run_events "
                "WHERE workspace_id = $1 AND run_id = $2 AND seq > $3 ORDER BY seq",
                workspace_id,
                run_id,
                after_seq,
            )
        return [
            RunEvent(
                run_id=row["run_id"],
                seq=row["seq"],
                type=EventType(row["type"]),
                at=row["at"],
                node_id=row["node_id"],
                data=None if row["data"] is None else msgspec.json.decode(row["data"]),
            )
            for row in rows
        ]

    async def tasks(self, workspace_id: UUID, status: TaskStatus | None, limit: int) -> list[HumanTask]:
        """Human tasks of the workspace, newest first."""
        async with self._pool.acquire() as connection:
            rows = await connection.fetch(
                f"SELECT {TASK_COLUMNS} FROM human_tasks WHERE workspace_id = $1 "  # noqa: S608
                "AND ($2::text IS NULL OR status = $2) ORDER BY created_at DESC LIMIT $3",
                workspace_id,
                None if status is None else status.value,
                limit,
            )
        return [human_task(row) for row in rows]

    async def task(self, workspace_id: UUID, run_id: UUID, node_id: str, iteration: int) -> HumanTask | None:
        """One human task of the workspace."""
        async with self._pool.acquire() as connection:
            row = await connection.fetchrow(
                f"SELECT {TASK_COLUMNS} FROM human_tasks WHERE workspace_id = $1 AND run_id = $2 "  # noqa: S608
                "AND node_id = $3 AND iteration = $4",
                workspace_id,
                run_id,
                node_id,
                iteration,
            )
        return None if row is None else human_task(row)

    async def request_cancel(self, workspace_id: UUID, run_id: UUID) -> bool:
        """Record that the run is to be cancelled; False when it already ended."""
        async with self._pool.acquire() as connection:
            found = await connection.fetchval(
                "UPDATE runs SET cancel_requested_at = coalesce(cancel_requested_at, now()) "
                "WHERE id = $1 AND workspace_id = $2 AND status NOT IN ('SUCCEEDED', 'FAILED', 'CANCELLED') "
                "RETURNING true",
                run_id,
                workspace_id,
            )
        return bool(found)

    async def forget_cancel(self, run_id: UUID) -> None:
        """Drop a cancel request that came too late (the run failed first and is being retried)."""
        async with self._pool.acquire() as connection:
            await connection.execute("UPDATE runs SET cancel_requested_at = NULL WHERE id = $1", run_id)

    async def lease_owner(self, run_id: UUID) -> UUID | None:
        """The process holding the run's lease, while the lease lasts."""
        async with self._pool.acquire() as connection:
            owner: UUID | None = await connection.fetchval(
                "SELECT lease_owner FROM runs WHERE id = $1 AND lease_expires_at > now()", run_id
            )
        return owner

    async def node_data_pruned(self, run_id: UUID) -> bool:
        """Whether retention pruned (or is pruning) the run's node inputs and outputs."""
        async with self._pool.acquire() as connection:
            pruned = await connection.fetchval(
                "SELECT node_data_pruned_at IS NOT NULL FROM runs WHERE id = $1", run_id
            )
        return bool(pruned)

    async def event_floor(self, workspace_id: UUID, run_id: UUID) -> EventFloor | None:
        """Whether the run finished, its last seq, and up to which seq its events were pruned."""
        async with self._pool.acquire() as connection:
            row = await connection.fetchrow(
                "SELECT status, last_seq, events_pruned_seq FROM runs WHERE id = $1 AND workspace_id = $2",
                run_id,
                workspace_id,
            )
        if row is None:
            return None
        return EventFloor(RunStatus(row["status"]).terminal, row["last_seq"], row["events_pruned_seq"])

    async def retention(self, workspace_id: UUID, run_ids: Sequence[UUID]) -> dict[UUID, RunRetention]:
        """What retention took from each run that it took something from (one statement)."""
        async with self._pool.acquire() as connection:
            rows = await connection.fetch(
                "SELECT r.id, r.events_pruned_at, r.events_pruned_seq, r.node_data_pruned_at, "
                "CASE WHEN r.node_data_pruned_at IS NOT NULL THEN (SELECT json_agg(json_build_array("
                "n.node_id, n.iteration, n.pruned_at)) FROM node_runs n "
                "WHERE n.run_id = r.id AND n.pruned_at IS NOT NULL) END AS nodes "
                "FROM runs r WHERE r.workspace_id = $1 AND r.id = ANY($2::uuid[]) "
                "AND (r.events_pruned_at IS NOT NULL OR r.node_data_pruned_at IS NOT NULL)",
                workspace_id,
                list(run_ids),
            )
        return {
            row["id"]: RunRetention(
                events_pruned_at=row["events_pruned_at"],
                events_pruned_seq=row["events_pruned_seq"],
                node_data_pruned_at=row["node_data_pruned_at"],
                pruned_node_runs={
                    (node_id, iteration): datetime.fromisoformat(at)
                    for node_id, iteration, at in msgspec.json.decode(row["nodes"] or "[]")
                },
            )
            for row in rows
        }
