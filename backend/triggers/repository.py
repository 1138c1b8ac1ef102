"""Reads and writes of the triggers slice, in raw SQL through asyncpg; every API read and write is
scoped by workspace_id. A webhook delivery finds its trigger by id alone (the id is the address)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
from pydantic import JsonValue

from backend.runs.commit_sql import encode_json
from backend.runs.store import Connection
from backend.triggers.records import TriggerKind, TriggerOfRun, TriggerRecord

COLUMNS = (
    "id, workspace_id, workflow_id, kind, name, enabled, require_signature, cron, timezone, inputs, "
    "next_fire_at, last_fired_at, created_at, updated_at"
)
_INSERT_SQL = f"""
INSERT INTO triggers (workspace_id, workflow_id, kind, name, enabled, require_signature, cron, timezone,
    inputs, next_fire_at, secret, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12) RETURNING {COLUMNS}
"""  # noqa: S608 - only the constant column list is interpolated
_LIVE_WORKFLOW = (
    "EXISTS (SELECT 1 FROM workflows w WHERE w.id = triggers.workflow_id AND w.deleted_at IS NULL)"
)
"""A deleted workflow's triggers stay (its runs name them) but never fire."""
_UPDATABLE = ("name", "enabled", "require_signature", "cron", "timezone", "inputs", "next_fire_at")


def trigger_record(row: Mapping[str, Any]) -> TriggerRecord:
    """A TriggerRecord from a `triggers` row."""
    return TriggerRecord(
        id=row["id"],
        workspace_id=row["workspace_id"],
        workflow_id=row["workflow_id"],
        kind=TriggerKind(row["kind"]),
        name=row["name"],
        enabled=row["enabled"],
        require_signature=row["require_signature"],
        cron=row["cron"],
        timezone=row["timezone"],
        inputs=None if row["inputs"] is None else msgspec.json.decode(row["inputs"]),
        next_fire_at=row["next_fire_at"],
        last_fired_at=row["last_fired_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


@dataclass(frozen=True)
class Webhook:
    """A webhook as a delivery needs it: the trigger and its encrypted secret."""

    trigger: TriggerRecord
    secret: str | None


class TriggerRepository:
    """The `triggers` and `trigger_fires` tables."""

    def __init__(self, pool: asyncpg.Pool[Any]) -> None:
        self.pool = pool

    async def of_workflow(self, workspace_id: UUID, workflow_id: UUID) -> list[TriggerRecord]:
        """A workflow's triggers, oldest first."""
        async with self.pool.acquire() as connection:
            rows = await connection.fetch(
                f"SELECT {COLUMNS} FROM triggers WHERE workspace_id = $1 AND workflow_id = $2 "  # noqa: S608
                "ORDER BY created_at, id",
                workspace_id,
                workflow_id,
            )
        return [trigger_record(row) for row in rows]

    async def get(self, workspace_id: UUID, trigger_id: UUID) -> TriggerRecord | None:
        """A trigger of the workspace."""
        async with self.pool.acquire() as connection:
            row = await connection.fetchrow(
                f"SELECT {COLUMNS} FROM triggers WHERE id = $1 AND workspace_id = $2",  # noqa: S608
                trigger_id,
                workspace_id,
            )
        return None if row is None else trigger_record(row)

    async def webhook(self, trigger_id: UUID) -> Webhook | None:
        """An enabled webhook trigger, whatever its workspace."""
        async with self.pool.acquire() as connection:
            row = await connection.fetchrow(
                f"SELECT {COLUMNS}, secret FROM triggers "  # noqa: S608
                f"WHERE id = $1 AND kind = 'webhook' AND enabled AND {_LIVE_WORKFLOW}",
                trigger_id,
            )
        return None if row is None else Webhook(trigger_record(row), row["secret"])

    async def insert(
        self,
        workspace_id: UUID,
        workflow_id: UUID,
        kind: TriggerKind,
        values: Mapping[str, Any],
        *,
        secret: str | None,
        created_by: UUID | None,
    ) -> TriggerRecord:
        """Store a new trigger (`values`: the updatable columns)."""
        async with self.pool.acquire() as connection:
            row = await connection.fetchrow(
                _INSERT_SQL,
                workspace_id,
                workflow_id,
                kind.value,
                values["name"],
                values["enabled"],
                values["require_signature"],
                values["cron"],
                values["timezone"],
                encode_json(values["inputs"]),
                values["next_fire_at"],
                secret,
                created_by,
            )
        if row is None:
            raise LookupError("INSERT … RETURNING returned no row")
        return trigger_record(row)

    async def update(
        self, workspace_id: UUID, trigger_id: UUID, values: Mapping[str, Any]
    ) -> TriggerRecord | None:
        """Change the updatable columns in `values`; None when there is no such trigger."""
        names = [name for name in _UPDATABLE if name in values]
        assignments = ", ".join(
            f"{name} = ${index + 3}{'::jsonb' if name == 'inputs' else ''}"
            for index, name in enumerate(names)
        )
        arguments = [encode_json(values[name]) if name == "inputs" else values[name] for name in names]
        async with self.pool.acquire() as connection:
            row = await connection.fetchrow(
                f"UPDATE triggers SET {assignments}{', ' if names else ''}updated_at = now() "  # noqa: S608
                f"WHERE id = $1 AND workspace_id = $2 RETURNING {COLUMNS}",
                trigger_id,
                workspace_id,
                *arguments,
            )
        return None if row is None else trigger_record(row)

    async def set_secret(self, workspace_id: UUID, trigger_id: UUID, secret: str) -> TriggerRecord | None:
        """Replace a webhook's (encrypted) secret."""
        async with self.pool.acquire() as connection:
            row = await connection.fetchrow(
                f"UPDATE triggers SET secret = $3, updated_at = now() "  # noqa: S608
                f"WHERE id = $1 AND workspace_id = $2 AND kind = 'webhook' RETURNING {COLUMNS}",
                trigger_id,
                workspace_id,
                secret,
            )
        return None if row is None else trigger_record(row)

    async def delete(self, workspace_id: UUID, trigger_id: UUID) -> bool:
        """Delete a trigger and its fire records (its runs stay, naming it)."""
        async with self.pool.acquire() as connection:
            deleted = await connection.fetchval(
                "DELETE FROM triggers WHERE id = $1 AND workspace_id = $2 RETURNING true",
                trigger_id,
                workspace_id,
            )
        return bool(deleted)

    async def of_runs(self, workspace_id: UUID, run_ids: Sequence[UUID]) -> dict[UUID, TriggerOfRun]:
        """What started each of these runs that a trigger started (one statement)."""
        async with self.pool.acquire() as connection:
            rows = await connection.fetch(
                "SELECT r.id AS run_id, r.trigger_id, r.trigger_kind, t.name FROM runs r "
                "LEFT JOIN triggers t ON t.id = r.trigger_id AND t.workspace_id = r.workspace_id "
                "WHERE r.workspace_id = $1 AND r.id = ANY($2::uuid[]) AND r.trigger_id IS NOT NULL",
                workspace_id,
                list(run_ids),
            )
        return {
            row["run_id"]: TriggerOfRun(row["trigger_id"], TriggerKind(row["trigger_kind"]), row["name"])
            for row in rows
        }

    async def delivered_run(self, trigger_id: UUID, delivery_id: str) -> UUID | None:
        """The run a delivery id already started for this trigger, if any."""
        async with self.pool.acquire() as connection:
            run_id: UUID | None = await connection.fetchval(
                "SELECT run_id FROM trigger_fires WHERE trigger_id = $1 AND delivery_id = $2",
                trigger_id,
                delivery_id,
            )
        return run_id

    async def due(self, limit: int) -> list[TriggerRecord]:
        """Enabled schedules whose next tick has come, earliest first."""
        async with self.pool.acquire() as connection:
            rows = await connection.fetch(
                f"SELECT {COLUMNS} FROM triggers WHERE kind = 'schedule' AND enabled "  # noqa: S608
                f"AND next_fire_at <= now() AND {_LIVE_WORKFLOW} ORDER BY next_fire_at LIMIT $1",
                limit,
            )
        return [trigger_record(row) for row in rows]


async def claim_tick(connection: Connection, trigger_id: UUID, tick: datetime, following: datetime) -> bool:
    """Move a schedule from `tick` to `following`; False when another process (or an edit) got there
    first. In the caller's transaction: the row stays locked until it commits the tick's run."""
    claimed = await connection.fetchval(
        "UPDATE triggers SET next_fire_at = $3 "
        "WHERE id = $1 AND next_fire_at = $2 AND enabled AND kind = 'schedule' RETURNING true",
        trigger_id,
        tick,
        following,
    )
    return bool(claimed)


async def record_fire(
    connection: Connection,
    trigger: TriggerRecord,
    run_id: UUID | None,
    *,
    delivery_id: str | None = None,
    scheduled_for: datetime | None = None,
    error: str | None = None,
) -> bool:
    """Record a fire (and when the trigger last fired); False when this delivery id or tick was
    recorded before (nothing written)."""
    inserted = await connection.fetchval(
        "INSERT INTO trigger_fires (workspace_id, trigger_id, run_id, delivery_id, scheduled_for, error) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING true",
        trigger.workspace_id,
        trigger.id,
        run_id,
        delivery_id,
        scheduled_for,
        error,
    )
    if inserted:
        await connection.execute("UPDATE triggers SET last_fired_at = now() WHERE id = $1", trigger.id)
    return bool(inserted)


def stored_inputs(value: JsonValue) -> JsonValue:
    """Inputs as a schedule keeps them (an empty object when none)."""
    return {} if value is None else value
