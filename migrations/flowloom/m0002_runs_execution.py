"""Run execution: human tasks, provider credentials, and node-run ordering."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.db.sql_migration import sql_migration

ID = "2026-11-25T02:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "human tasks, credentials, node-run ordering"

SQL = """
-- node runs are read back in the order they were first recorded
ALTER TABLE node_runs ADD COLUMN ord bigserial;
CREATE INDEX node_runs_run ON node_runs (run_id, ord);

CREATE TABLE human_tasks (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    node_id varchar(64) NOT NULL,
    iteration integer NOT NULL DEFAULT 0,
    prompt text NOT NULL,
    schema jsonb NOT NULL,
    status varchar(8) NOT NULL,
    input jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    due_at timestamptz,
    closed_at timestamptz,
    CONSTRAINT unique_task UNIQUE (run_id, node_id, iteration)
);
-- the inbox lists open tasks of a workspace; the timer looks for open tasks falling due
CREATE INDEX human_tasks_open ON human_tasks (workspace_id, created_at DESC) WHERE status = 'OPEN';
CREATE INDEX human_tasks_due ON human_tasks (due_at) WHERE status = 'OPEN' AND due_at IS NOT NULL;

CREATE TABLE credentials (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    provider varchar(32) NOT NULL,
    secret text NOT NULL,          -- Fernet token of the API key; never returned over the API
    base_url text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT unique_provider UNIQUE (workspace_id, provider)
);
"""

DROP_SQL = """
DROP TABLE IF EXISTS credentials, human_tasks;
DROP INDEX IF EXISTS node_runs_run;
ALTER TABLE node_runs DROP COLUMN IF EXISTS ord;
"""


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL, DROP_SQL)
