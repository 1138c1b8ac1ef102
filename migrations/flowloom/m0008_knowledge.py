"""Knowledge collections you create and fill: documents, chunk generations, per-collection settings.

- `collections` gain their chunking settings, the full-text language, a `generation` (the chunks
  searched) and `next_model`/`next_dimension` (a re-embedding in progress writes `generation + 1`;
  the old vectors stay searchable until it is complete and the collection flips to it).
- `documents` are uploaded files and added texts: what was uploaded, its content hash (a re-upload
  of the same content is a no-op), its ingestion status and claim (the ingesting process and until
  when; an expired claim is taken over). `document_sources` holds the uploaded bytes until then.
- `chunks` belong to a generation and, when they come from a document, to the document; `tsv` is
  written with the collection's language (a generated column cannot read another table).

The vector indexes are not here: each collection generation gets a partial HNSW index on its own
rows with its dimension and metric, built by the ingester after bulk loads (backend/knowledge/indexes.py).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.db.sql_migration import sql_migration

ID = "2026-12-03T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "knowledge collections, documents and chunk generations"

SQL = """
ALTER TABLE collections ADD COLUMN description text NOT NULL DEFAULT '';
ALTER TABLE collections ADD COLUMN language varchar(64) NOT NULL DEFAULT 'simple';
ALTER TABLE collections ADD COLUMN chunk_size integer NOT NULL DEFAULT 1000;
ALTER TABLE collections ADD COLUMN chunk_overlap integer NOT NULL DEFAULT 100;
ALTER TABLE collections ADD COLUMN chunk_unit varchar(16) NOT NULL DEFAULT 'characters';
ALTER TABLE collections ADD COLUMN generation integer NOT NULL DEFAULT 1;
ALTER TABLE collections ADD COLUMN next_model varchar(200);
ALTER TABLE collections ADD COLUMN next_dimension integer CHECK (next_dimension BETWEEN 1 AND 16000);
ALTER TABLE collections ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE collections ADD CONSTRAINT collection_metric CHECK (metric IN ('cosine', 'l2', 'inner_product'));
ALTER TABLE collections ADD CONSTRAINT collection_chunk_unit CHECK (chunk_unit IN ('characters', 'tokens'));

CREATE TABLE documents (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    collection_id uuid NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    name varchar(255) NOT NULL,
    media_type varchar(64) NOT NULL,
    size integer NOT NULL,
    content_hash varchar(64) NOT NULL,
    metadata jsonb NOT NULL DEFAULT '{}',
    status varchar(16) NOT NULL DEFAULT 'PENDING'
        CHECK (status IN ('PENDING', 'PROCESSING', 'READY', 'FAILED')),
    error text,
    chunk_count integer NOT NULL DEFAULT 0,
    attempts integer NOT NULL DEFAULT 0,
    claimed_by uuid,
    claimed_until timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT unique_document_content UNIQUE (collection_id, content_hash)
);
CREATE INDEX documents_listing ON documents (collection_id, created_at DESC, id DESC);
CREATE INDEX documents_workspace_id ON documents (workspace_id);
CREATE INDEX documents_to_ingest ON documents (created_at) WHERE status IN ('PENDING', 'PROCESSING');

CREATE TABLE document_sources (
    document_id uuid PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    content bytea NOT NULL
);

ALTER TABLE chunks DROP CONSTRAINT unique_chunk;
-- the collection implies the workspace (and deleting a workspace deletes its collections, so their
-- chunks): a second foreign key costed 16 % of every bulk insert, checked row by row
ALTER TABLE chunks DROP CONSTRAINT chunks_workspace_id_fkey;
ALTER TABLE chunks ADD COLUMN document_id uuid REFERENCES documents (id) ON DELETE CASCADE;
ALTER TABLE chunks ADD COLUMN position integer NOT NULL DEFAULT 0;
ALTER TABLE chunks ADD COLUMN generation integer NOT NULL DEFAULT 1;
ALTER TABLE chunks DROP COLUMN tsv;
ALTER TABLE chunks ADD COLUMN tsv tsvector;
UPDATE chunks SET tsv = to_tsvector('simple', text);
ALTER TABLE chunks ALTER COLUMN tsv SET NOT NULL;
ALTER TABLE chunks ADD CONSTRAINT unique_chunk UNIQUE (collection_id, generation, key);
CREATE INDEX chunks_tsv ON chunks USING gin (tsv);
CREATE INDEX chunks_document ON chunks (document_id, position) WHERE document_id IS NOT NULL;
"""

DROP_SQL = """
DROP INDEX IF EXISTS chunks_document;
ALTER TABLE chunks DROP CONSTRAINT unique_chunk;
DELETE FROM chunks WHERE generation <> 1;
ALTER TABLE chunks DROP COLUMN document_id, DROP COLUMN position, DROP COLUMN generation;
ALTER TABLE chunks DROP COLUMN tsv;
ALTER TABLE chunks ADD COLUMN tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED;
CREATE INDEX chunks_tsv ON chunks USING gin (tsv);
ALTER TABLE chunks ADD CONSTRAINT unique_chunk UNIQUE (collection_id, key);
ALTER TABLE chunks ADD CONSTRAINT chunks_workspace_id_fkey
    FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE;
DROP TABLE IF EXISTS document_sources, documents;
ALTER TABLE collections DROP CONSTRAINT collection_metric, DROP CONSTRAINT collection_chunk_unit,
    DROP COLUMN description, DROP COLUMN language, DROP COLUMN chunk_size, DROP COLUMN chunk_overlap,
    DROP COLUMN chunk_unit, DROP COLUMN generation, DROP COLUMN next_model, DROP COLUMN next_dimension,
    DROP COLUMN updated_at;
"""


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL, DROP_SQL)
