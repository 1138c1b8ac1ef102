"""Piccolo tables of the knowledge slice (queried with raw SQL: Piccolo has no vector type)."""

from __future__ import annotations

from piccolo.columns import JSONB, ForeignKey, Integer, Text, Varchar
from piccolo.columns.base import OnDelete
from piccolo.constraints import Unique
from piccolo.table import Table

from backend.accounts.tables import Workspace
from backend.db.columns import created_at, uuid_pk, workspace_fk


class Collection(Table, tablename="collections"):
    """A named set of chunks embedded with one model, of one dimension."""

    id = uuid_pk()
    workspace_id = workspace_fk(Workspace)
    name = Varchar(length=128)
    model = Varchar(length=200)
    dimension = Integer()
    metric = Varchar(length=16, default="cosine")
    created_at = created_at()
    unique_collection = Unique(["workspace_id", "name"])


class ChunkRow(Table, tablename="chunks"):
    """A piece of text with its embedding (the `embedding` and `tsv` columns are SQL-only)."""

    id = uuid_pk()
    workspace_id = workspace_fk(Workspace)
    collection_id = ForeignKey(references=Collection, on_delete=OnDelete.cascade, null=False)
    key = Varchar(length=200)
    text = Text()
    metadata = JSONB(default={})
    created_at = created_at()
    unique_chunk = Unique(["collection_id", "key"])
