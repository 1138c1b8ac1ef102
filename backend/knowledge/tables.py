"""Piccolo tables of the knowledge slice.

The slice reads and writes with raw SQL through asyncpg (backend/knowledge/repository.py): Piccolo
has no vector type, chunks are written with COPY, and searches need pgvector's operators. These
declarations mirror migrations/flowloom/m0003 and m0008 so the schema test can check the columns;
the `embedding` and `tsv` columns are SQL-only.
"""

from __future__ import annotations

from piccolo.columns import JSONB, UUID, Bytea, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.constraints import Unique
from piccolo.table import Table

from backend.accounts.tables import Workspace
from backend.db.columns import created_at, updated_at, uuid_pk, workspace_fk


class Collection(Table, tablename="collections"):
    """A named set of chunks embedded with one model, of one dimension, searched by one metric."""

    id = uuid_pk()
    workspace_id = workspace_fk(Workspace)
    name = Varchar(length=128)
    description = Text(default="")
    model = Varchar(length=200)
    dimension = Integer()
    metric = Varchar(length=16, default="cosine")
    language = Varchar(length=64, default="simple")
    chunk_size = Integer(default=1000)
    chunk_overlap = Integer(default=100)
    chunk_unit = Varchar(length=16, default="characters")
    generation = Integer(default=1)
    next_model = Varchar(length=200, null=True, default=None)
    next_dimension = Integer(null=True, default=None)
    created_at = created_at()
    updated_at = updated_at()
    unique_collection = Unique(["workspace_id", "name"])


class Document(Table, tablename="documents"):
    """An uploaded file or added text, and how far its ingestion got."""

    id = uuid_pk()
    workspace_id = workspace_fk(Workspace)
    collection_id = ForeignKey(references=Collection, on_delete=OnDelete.cascade, null=False)
    name = Varchar(length=255)
    media_type = Varchar(length=64)
    size = Integer()
    content_hash = Varchar(length=64)
    metadata = JSONB(default={})
    status = Varchar(length=16, default="PENDING")
    error = Text(null=True, default=None)
    chunk_count = Integer(default=0)
    attempts = Integer(default=0)
    claimed_by = UUID(null=True, default=None)
    claimed_until = Timestamptz(null=True, default=None)
    created_at = created_at()
    updated_at = updated_at()
    unique_document_content = Unique(["collection_id", "content_hash"])


class DocumentSource(Table, tablename="document_sources"):
    """The bytes of a document, kept until it is ingested (and for re-chunking)."""

    document_id = ForeignKey(references=Document, on_delete=OnDelete.cascade, primary_key=True, null=False)
    content = Bytea()


class ChunkRow(Table, tablename="chunks"):
    """A piece of text with its embedding, in one generation of its collection."""

    id = uuid_pk()
    # no foreign key of its own: the collection implies the workspace (m0008 says why)
    workspace_id = UUID(index=True)
    collection_id = ForeignKey(references=Collection, on_delete=OnDelete.cascade, null=False)
    document_id = ForeignKey(references=Document, on_delete=OnDelete.cascade, null=True)
    key = Varchar(length=200)
    position = Integer(default=0)
    generation = Integer(default=1)
    text = Text()
    metadata = JSONB(default={})
    created_at = created_at()
    unique_chunk = Unique(["collection_id", "generation", "key"])
