"""Node tests as stored: the newest few per (workflow, node), scoped by workspace_id."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from pydantic import JsonValue

from backend.runs.commit_sql import decode_usage, encode_json, usage_document
from backend.runs.records import NodeTestRecord
from backend.runs.tables import NodeTest
from engine.records import NodeStatus

KEPT_NODE_TESTS = 20
"""Tests kept per (workflow, node); older ones are deleted when a new one is recorded."""

_COLUMNS = (
    "id, workflow_id, node_id, kind, status, input, output, error, branch, usage, started_at, finished_at"
)


def _json(raw: str | None) -> JsonValue:
    return None if raw is None else msgspec.json.decode(raw)


def _record(row: dict[str, Any]) -> NodeTestRecord:
    return NodeTestRecord(
        id=row["id"],
        workflow_id=row["workflow_id"],
        node_id=row["node_id"],
        kind=row["kind"],
        status=NodeStatus(row["status"]),
        input=_json(row["input"]),
        output=_json(row["output"]),
        error=row["error"],
        branch=row["branch"],
        usage=decode_usage(row["usage"]),
        started_at=row["started_at"],
        finished_at=row["finished_at"],
    )


class NodeTestRepository:
    """Records node tests and lists them back."""

    async def add(self, workspace_id: UUID, tested_by: UUID, test: NodeTestRecord) -> None:
        """Record a test and drop the (workflow, node)'s tests beyond the newest KEPT_NODE_TESTS."""
        async with NodeTest._meta.db.transaction():
            await NodeTest.raw(
                f"INSERT INTO node_tests (workspace_id, tested_by, {_COLUMNS}) "  # noqa: S608
                "VALUES ({}, {}, {}, {}, {}, {}, {}, {}::jsonb, {}::jsonb, {}, {}, {}::jsonb, {}, {})",
                workspace_id,
                tested_by,
                test.id,
                test.workflow_id,
                test.node_id,
                test.kind,
                test.status.value,
                encode_json(test.input),
                encode_json(test.output),
                test.error,
                test.branch,
                encode_json(usage_document(test.usage)),
                test.started_at,
                test.finished_at,
            ).run()
            await NodeTest.raw(
                "DELETE FROM node_tests WHERE workflow_id = {} AND node_id = {} AND id NOT IN "
                "(SELECT id FROM node_tests WHERE workflow_id = {} AND node_id = {} "
                "ORDER BY started_at DESC LIMIT {})",
                test.workflow_id,
                test.node_id,
                test.workflow_id,
                test.node_id,
                KEPT_NODE_TESTS,
            ).run()

    async def recent(
        self, workspace_id: UUID, workflow_id: UUID, node_id: str | None
    ) -> list[NodeTestRecord]:
        """A workflow's tests newest first, of one node or of all."""
        rows = await NodeTest.raw(
            f"SELECT {_COLUMNS} FROM node_tests WHERE workspace_id = {{}} AND workflow_id = {{}} "  # noqa: S608
            "AND ({}::varchar IS NULL OR node_id = {}) ORDER BY started_at DESC, id DESC LIMIT {}",
            workspace_id,
            workflow_id,
            node_id,
            node_id,
            KEPT_NODE_TESTS,
        ).run()
        return [_record(row) for row in rows]
