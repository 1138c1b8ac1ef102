"""Node tests: single nodes executed from the editor, kept apart from runs (newest few per node)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.db.sql_migration import sql_migration

ID = "2026-12-02T19:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "node tests"

SQL = """
CREATE TABLE node_tests (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    workflow_id uuid NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    node_id varchar(64) NOT NULL,
    kind varchar(32) NOT NULL,
    status varchar(16) NOT NULL,
    input jsonb,
    output jsonb,
    error text,
    branch varchar(64),
    usage jsonb,
    tested_by uuid,
    started_at timestamptz NOT NULL,
    finished_at timestamptz NOT NULL
);
CREATE INDEX node_tests_workspace_id ON node_tests (workspace_id);
CREATE INDEX node_tests_listing ON node_tests (workflow_id, node_id, started_at DESC);
"""

DROP_SQL = """
DROP TABLE IF EXISTS node_tests;
"""


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL, DROP_SQL)
