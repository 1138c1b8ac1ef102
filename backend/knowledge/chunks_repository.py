"""Chunks in PostgreSQL: bulk writes with COPY, and the vector index of each collection generation.

Chunks are written by COPY into a temporary table (dropped after use, and at commit at the latest),
then moved with one
INSERT … SELECT that computes the full-text vector in the collection's language (COPY cannot call
`to_tsvector`, and a generated column cannot read the language from `collections`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias
from uuid import UUID

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from pgvector import Vector

from backend.knowledge.indexes import IndexMethod, VectorLayout
from backend.knowledge.records import CollectionRecord

log = logging.getLogger(__name__)

_LOAD_TABLE = """
CREATE TEMPORARY TABLE IF NOT EXISTS chunk_load (
    key varchar(200), document_id uuid, position integer, text text, metadata jsonb,
    embedding vector
) ON COMMIT DROP
"""
INDEX_BUILD_MEMORY = "512MB"
"""maintenance_work_mem of an index build (for that statement only; the pooled connection is reset)."""
_LOAD_COLUMNS = ("key", "document_id", "position", "text", "metadata", "embedding")


@dataclass(frozen=True)
class ChunkRow:
    """A chunk to write: its key in the collection, text, vector and metadata."""

    key: str
    text: str
    vector: Sequence[float]
    metadata: dict[str, Any]
    document_id: UUID | None = None
    position: int = 0


Connection: TypeAlias = "asyncpg.Connection[Any] | PoolConnectionProxy[Any]"
"""A connection of its own or one from the pool."""


async def copy_chunks(
    connection: Connection,
    workspace_id: UUID,
    collection: CollectionRecord,
    generation: int,
    rows: Sequence[ChunkRow],
    *,
    replace: bool = False,
) -> None:
    """Write chunks into one generation of a collection, inside the caller's transaction.

    With `replace`, chunks with the same keys are overwritten (the embedding node's upsert);
    otherwise the keys must be new (a document's chunks, after its old ones were deleted).
    """
    if not connection.is_in_transaction():  # the load table is dropped at commit at the latest
        raise RuntimeError("copy_chunks must run inside a transaction")
    await connection.execute(_LOAD_TABLE)
    await connection.copy_records_to_table(
        "chunk_load",
        records=[
            (
                row.key,
                row.document_id,
                row.position,
                row.text,
                json.dumps(row.metadata),
                Vector(list(row.vector)),
            )
            for row in rows
        ],
        columns=_LOAD_COLUMNS,
    )
    conflict = (
        " ON CONFLICT (collection_id, generation, key) DO UPDATE SET text = EXCLUDED.text, "
        "metadata = EXCLUDED.metadata, embedding = EXCLUDED.embedding, tsv = EXCLUDED.tsv"
        if replace
        else ""
    )
    await connection.execute(
        "INSERT INTO chunks (workspace_id, collection_id, generation, key, document_id, position, text, "
        "metadata, embedding, tsv) SELECT $1, $2, $3, l.key, l.document_id, l.position, l.text, "
        "l.metadata, l.embedding, to_tsvector($4::regconfig, l.text) FROM chunk_load l" + conflict,
        workspace_id,
        collection.id,
        generation,
        collection.language,
    )
    await connection.execute("DROP TABLE chunk_load")


class VectorIndexes:
    """Builds and drops the partial vector index of each collection generation."""

    def __init__(self, pool: asyncpg.Pool[Any], method: IndexMethod = "hnsw") -> None:
        self._pool = pool
        self.method: IndexMethod = method

    async def detect(self) -> IndexMethod:
        """Use VectorChord's `vchordrq` when the extension is installed (or can be), else HNSW."""
        async with self._pool.acquire() as connection:
            available = await connection.fetchval(
                "SELECT installed_version IS NOT NULL OR default_version IS NOT NULL "
                "FROM pg_available_extensions WHERE name = 'vchord'"
            )
            if available:
                try:
                    await connection.execute("CREATE EXTENSION IF NOT EXISTS vchord CASCADE")
                    self.method = "vchordrq"
                except asyncpg.PostgresError as error:
                    log.warning("VectorChord is available but could not be enabled (%s); using HNSW", error)
        return self.method

    def layout(
        self, collection: CollectionRecord, *, generation: int | None = None, dimension: int | None = None
    ) -> VectorLayout:
        """The layout searches and index builds of a collection generation use (by default the
        current one)."""
        return VectorLayout(
            collection_id=collection.id,
            generation=collection.generation if generation is None else generation,
            dimension=collection.dimension if dimension is None else dimension,
            metric=collection.metric,
            method=self.method,
        )

    async def ensure(self, target: VectorLayout) -> bool:
        """Build the generation's index unless a valid one exists; True when one exists now.

        Built CONCURRENTLY (outside any transaction), so writers to `chunks` are not blocked; an
        invalid index left by an interrupted build is dropped and built again.
        """
        if not target.indexable:
            return False
        async with self._pool.acquire() as connection:
            valid = await connection.fetchval(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid "
                "WHERE x.relname = $1",
                target.index_name,
            )
            if valid:
                return True
            if valid is not None:
                await connection.execute(target.drop_index_sql())
            # HNSW builds in memory until maintenance_work_mem is full and slows down a lot after
            # (100,000 × 384: 137-148 s at the default 64 MB, 26-49 s at 256 MB)
            await connection.execute(f"SET maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")
            try:
                await connection.execute(target.create_index_sql())
            finally:
                await connection.execute("RESET maintenance_work_mem")
        return True

    async def ensure_when_large(self, target: VectorLayout, min_chunks: int) -> bool:
        """`ensure` once the generation holds `min_chunks` chunks (smaller ones are searched exactly);
        True when an index exists now."""
        async with self._pool.acquire() as connection:
            count = await connection.fetchval(
                "SELECT count(*) FROM chunks WHERE collection_id = $1 AND generation = $2",
                target.collection_id,
                target.generation,
            )
        return count >= min_chunks and await self.ensure(target)

    async def drop(self, target: VectorLayout) -> None:
        """Drop a generation's index (after the generation was replaced or deleted)."""
        async with self._pool.acquire() as connection:
            await connection.execute(target.drop_index_sql())
