"""SQL of the workflows slice; every statement is scoped by workspace_id."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

import msgspec

from backend.pagination import Cursor, Page, PageRequest
from backend.workflows.records import WorkflowRecord, WorkflowVersionRecord
from backend.workflows.tables import Workflow, WorkflowVersion

_COLUMNS = "id, workspace_id, name, version, definition, created_at, updated_at"


def _workflow(row: Mapping[str, Any]) -> WorkflowRecord:
    return WorkflowRecord(
        id=row["id"],
        workspace_id=row["workspace_id"],
        name=row["name"],
        version=row["version"],
        definition=msgspec.json.decode(row["definition"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


class WorkflowRepository:
    """Reads and writes workflows and their versions."""

    async def page(self, workspace_id: UUID, request: PageRequest) -> Page[WorkflowRecord]:
        """One page of live workflows, newest first."""
        after = request.after
        keyset = "" if after is None else "AND (created_at, id) < ({}, {}) "
        args: list[Any] = [workspace_id] + ([] if after is None else [after.created_at, after.id])
        rows = await Workflow.raw(
            f"SELECT {_COLUMNS} FROM workflows WHERE workspace_id = {{}} AND deleted_at IS NULL "  # noqa: S608
            f"{keyset}ORDER BY created_at DESC, id DESC LIMIT {request.first + 1:d}",
            *args,
        ).run()
        items = tuple(_workflow(row) for row in rows[: request.first])
        return Page(
            items=items,
            cursors=tuple(Cursor(item.created_at, item.id).encode() for item in items),
            has_next_page=len(rows) > request.first,
        )

    async def get(
        self, workspace_id: UUID, workflow_id: UUID, *, deleted: bool = False
    ) -> WorkflowRecord | None:
        """A workflow of the workspace; deleted ones only when asked (runs still show them)."""
        live = "" if deleted else " AND deleted_at IS NULL"
        rows = await Workflow.raw(
            f"SELECT {_COLUMNS} FROM workflows WHERE id = {{}} AND workspace_id = {{}}{live}",  # noqa: S608
            workflow_id,
            workspace_id,
        ).run()
        return _workflow(rows[0]) if rows else None

    async def many(self, workspace_id: UUID, workflow_ids: Sequence[UUID]) -> dict[UUID, WorkflowRecord]:
        """Workflows by id, deleted ones included, in one statement."""
        rows = await Workflow.raw(
            f"SELECT {_COLUMNS} FROM workflows WHERE workspace_id = {{}} AND id = ANY({{}})",  # noqa: S608
            workspace_id,
            list(workflow_ids),
        ).run()
        return {row["id"]: _workflow(row) for row in rows}

    async def create(self, workspace_id: UUID, name: str, definition: Mapping[str, Any]) -> WorkflowRecord:
        """Insert a workflow and its version 1 in one transaction."""
        encoded = json.dumps(definition)
        async with Workflow._meta.db.transaction():
            rows = await Workflow.raw(
                f"INSERT INTO workflows (workspace_id, name, version, definition) "  # noqa: S608
                f"VALUES ({{}}, {{}}, 1, {{}}::jsonb) RETURNING {_COLUMNS}",
                workspace_id,
                name,
                encoded,
            ).run()
            record = _workflow(rows[0])
            await self._insert_version(record, encoded)
        return record

    async def update(
        self,
        workspace_id: UUID,
        workflow_id: UUID,
        *,
        name: str | None,
        definition: Mapping[str, Any] | None,
        expected_version: int | None,
    ) -> WorkflowRecord | int | None:
        """Rename and/or save a new version; one transaction, serialised by the workflow's row lock.

        Returns the updated workflow, the current version number when `expected_version` is stale,
        or None when the workflow does not exist in the workspace.
        """
        encoded = None if definition is None else json.dumps(definition)
        async with Workflow._meta.db.transaction():
            locked = await Workflow.raw(
                "SELECT version FROM workflows WHERE id = {} AND workspace_id = {} AND deleted_at IS NULL "
                "FOR UPDATE",
                workflow_id,
                workspace_id,
            ).run()
            if not locked:
                return None
            current: int = locked[0]["version"]
            if expected_version is not None and expected_version != current:
                return current
            bump = 0 if encoded is None else 1
            rows = await Workflow.raw(
                "UPDATE workflows SET name = coalesce({}, name), "  # noqa: S608 - only constants are interpolated
                "definition = coalesce({}::jsonb, definition), version = version + {}, updated_at = now() "
                f"WHERE id = {{}} RETURNING {_COLUMNS}",
                name,
                encoded,
                bump,
                workflow_id,
            ).run()
            record = _workflow(rows[0])
            if encoded is not None:
                await self._insert_version(record, encoded)
        return record

    async def _insert_version(self, record: WorkflowRecord, encoded: str) -> None:
        await WorkflowVersion.raw(
            "INSERT INTO workflow_versions (workspace_id, workflow_id, version, definition) "
            "VALUES ({}, {}, {}, {}::jsonb)",
            record.workspace_id,
            record.id,
            record.version,
            encoded,
        ).run()

    async def definition_at(self, workflow_id: UUID, version: int) -> dict[str, Any] | None:
        """The definition a workflow had at `version` (runs pin one; deleted workflows included)."""
        rows = await WorkflowVersion.raw(
            "SELECT definition FROM workflow_versions WHERE workflow_id = {} AND version = {}",
            workflow_id,
            version,
        ).run()
        return msgspec.json.decode(rows[0]["definition"]) if rows else None

    async def definitions(
        self, workspace_id: UUID, keys: Sequence[tuple[UUID, int]]
    ) -> dict[tuple[UUID, int], dict[str, Any]]:
        """The definitions of (workflow, version) pairs in one statement (the runs' DataLoader batch)."""
        rows = await WorkflowVersion.raw(
            "SELECT workflow_id, version, definition FROM workflow_versions "
            "WHERE workspace_id = {} AND (workflow_id, version) IN "
            "(SELECT * FROM unnest({}::uuid[], {}::int[]))",
            workspace_id,
            [workflow_id for workflow_id, _ in keys],
            [version for _, version in keys],
        ).run()
        return {(row["workflow_id"], row["version"]): msgspec.json.decode(row["definition"]) for row in rows}

    async def soft_delete(self, workspace_id: UUID, workflow_id: UUID) -> bool:
        """Hide a workflow from lists and lookups; its runs keep pointing at it."""
        rows = await Workflow.raw(
            "UPDATE workflows SET deleted_at = now() WHERE id = {} AND workspace_id = {} "
            "AND deleted_at IS NULL RETURNING id",
            workflow_id,
            workspace_id,
        ).run()
        return bool(rows)

    async def versions(
        self, workspace_id: UUID, workflow_ids: Sequence[UUID]
    ) -> dict[UUID, list[WorkflowVersionRecord]]:
        """Every version of each workflow, newest first, in one statement (the DataLoader's batch)."""
        rows = await WorkflowVersion.raw(
            "SELECT workflow_id, version, definition, created_at FROM workflow_versions "
            "WHERE workspace_id = {} AND workflow_id = ANY({}) ORDER BY workflow_id, version DESC",
            workspace_id,
            list(workflow_ids),
        ).run()
        found: dict[UUID, list[WorkflowVersionRecord]] = {}
        for row in rows:
            found.setdefault(row["workflow_id"], []).append(
                WorkflowVersionRecord(
                    workflow_id=row["workflow_id"],
                    version=row["version"],
                    definition=msgspec.json.decode(row["definition"]),
                    created_at=row["created_at"],
                )
            )
        return found
