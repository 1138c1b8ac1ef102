"""Vector collections and chunks (pgvector), written by embedding nodes and searched by retrieve nodes."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.db.sql_migration import sql_migration

ID = "2026-11-25T02:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "vector collections and chunks"

SQL = """
CREATE TABLE collections (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name varchar(128) NOT NULL,
    model varchar(200) NOT NULL,
    dimension integer NOT NULL CHECK (dimension BETWEEN 1 AND 16000),
    metric varchar(16) NOT NULL DEFAULT 'cosine',
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT unique_collection UNIQUE (workspace_id, name)
);

CREATE TABLE chunks (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    collection_id uuid NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    key varchar(200) NOT NULL,
    text text NOT NULL,
    metadata jsonb NOT NULL DEFAULT '{}',
    -- dimension-free: a collection's vectors share its dimension, checked on every write
    embedding vector NOT NULL,
    tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT unique_chunk UNIQUE (collection_id, key)
);
CREATE INDEX chunks_workspace_id ON chunks (workspace_id);
CREATE INDEX chunks_tsv ON chunks USING gin (tsv);
CREATE INDEX chunks_metadata ON chunks USING gin (metadata jsonb_path_ops);
"""

DROP_SQL = "DROP TABLE IF EXISTS chunks, collections;"


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL, DROP_SQL)
