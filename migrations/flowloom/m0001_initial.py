"""Initial schema: accounts, workflows and runs.

Flowloom writes its migrations as SQL run by Piccolo's migration runner: the DDL is explicit and
reviewable, and tests/backend/test_schema.py checks every Piccolo table against the migrated schema.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.db.sql_migration import sql_migration

ID = "2026-11-25T01:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "initial schema"

SQL = """
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE workspaces (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug varchar(64) NOT NULL UNIQUE,
    name varchar(200) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email varchar(320) NOT NULL UNIQUE,
    display_name varchar(200) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE memberships (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role varchar(16) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT unique_member UNIQUE (workspace_id, user_id)
);
CREATE INDEX memberships_user_id ON memberships (user_id);

CREATE TABLE api_tokens (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name varchar(200) NOT NULL,
    token_hash varchar(64) NOT NULL UNIQUE,
    prefix varchar(16) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz
);
CREATE INDEX api_tokens_workspace_id ON api_tokens (workspace_id);
CREATE INDEX api_tokens_user_id ON api_tokens (user_id);

CREATE TABLE workflows (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name varchar(200) NOT NULL,
    version integer NOT NULL DEFAULT 1,
    definition jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
-- the workflows list pages newest first by (created_at, id) within a workspace
CREATE INDEX workflows_listing ON workflows (workspace_id, created_at DESC, id DESC)
    WHERE deleted_at IS NULL;

CREATE TABLE workflow_versions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    workflow_id uuid NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    version integer NOT NULL,
    definition jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT unique_version UNIQUE (workflow_id, version)
);
CREATE INDEX workflow_versions_workspace_id ON workflow_versions (workspace_id);

CREATE TABLE runs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    workflow_id uuid NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    version integer NOT NULL,
    status varchar(16) NOT NULL,
    inputs jsonb,
    output jsonb,
    error text,
    usage jsonb,
    last_seq integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    finished_at timestamptz,
    heartbeat_at timestamptz
);
CREATE INDEX runs_listing ON runs (workspace_id, created_at DESC, id DESC);
CREATE INDEX runs_workflow ON runs (workflow_id, created_at DESC);
-- the reconciler looks for unfinished runs only
CREATE INDEX runs_unfinished ON runs (status) WHERE status IN ('PENDING', 'RUNNING');

CREATE TABLE node_runs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    node_id varchar(64) NOT NULL,
    iteration integer NOT NULL DEFAULT 0,
    status varchar(16) NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    input jsonb,
    output jsonb,
    branch varchar(64),
    error text,
    usage jsonb,
    started_at timestamptz,
    finished_at timestamptz,
    CONSTRAINT unique_iteration UNIQUE (run_id, node_id, iteration)
);
CREATE INDEX node_runs_workspace_id ON node_runs (workspace_id);

CREATE TABLE run_events (
    id bigserial PRIMARY KEY,
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    seq integer NOT NULL,
    type varchar(32) NOT NULL,
    node_id varchar(64),
    at timestamptz NOT NULL DEFAULT now(),
    data jsonb,
    CONSTRAINT unique_seq UNIQUE (run_id, seq)
);
CREATE INDEX run_events_workspace_id ON run_events (workspace_id);
"""

DROP_SQL = """
DROP TABLE IF EXISTS run_events, node_runs, runs, workflow_versions, workflows,
    api_tokens, memberships, users, workspaces;
"""


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL, DROP_SQL)
