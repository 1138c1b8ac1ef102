"""Collections in PostgreSQL (raw SQL through asyncpg, like every statement of this slice)."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID

import asyncpg

from backend.knowledge.chunking import ChunkingSettings
from backend.knowledge.records import CollectionRecord, CollectionStats, Metric

COLUMNS = (
    "id, workspace_id, name, description, model, dimension, metric, language, chunk_size, "
    "chunk_overlap, chunk_unit, generation, next_model, created_at, updated_at"
)


def collection_record(row: Mapping[str, Any]) -> CollectionRecord:
    """A collection row as a record."""
    return CollectionRecord(
        id=row["id"],
        workspace_id=row["workspace_id"],
        name=row["name"],
        description=row["description"],
        model=row["model"],
        dimension=row["dimension"],
        metric=cast(Metric, row["metric"]),
        language=row["language"],
        chunking=ChunkingSettings(
            size=row["chunk_size"], overlap=row["chunk_overlap"], unit=row["chunk_unit"]
        ),
        generation=row["generation"],
        next_model=row["next_model"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


@dataclass(frozen=True)
class CollectionChanges:
    """What an update sets; None leaves a field as it is."""

    name: str | None = None
    description: str | None = None
    language: str | None = None
    chunking: ChunkingSettings | None = None
    next_model: str | None = None
    """Start re-embedding with this model (the old vectors stay searchable until it is done)."""


class CollectionRepository:
    """Reads and writes `collections`, scoped by workspace."""

    def __init__(self, pool: asyncpg.Pool[Any]) -> None:
        self._pool = pool

    async def create(
        self,
        workspace_id: UUID,
        *,
        name: str,
        description: str,
        model: str,
        dimension: int,
        metric: Metric,
        language: str,
        chunking: ChunkingSettings,
    ) -> CollectionRecord | None:
        """A new collection; None when the workspace already has one of that name."""
        async with self._pool.acquire() as connection:
            row = await connection.fetchrow(
                "INSERT INTO collections (workspace_id, name, description, model, dimension, metric, "
                "language, chunk_size, chunk_overlap, chunk_unit) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
                f"ON CONFLICT (workspace_id, name) DO NOTHING RETURNING {COLUMNS}",
                workspace_id,
                name,
                description,
                model,
                dimension,
                metric,
                language,
                chunking.size,
                chunking.overlap,
                chunking.unit,
            )
        return None if row is None else collection_record(row)

    async def get(self, workspace_id: UUID, collection_id: UUID) -> CollectionRecord | None:
        """One collection of the workspace."""
        async with self._pool.acquire() as connection:
            row = await connection.fetchrow(
                f"SELECT {COLUMNS} FROM collections WHERE workspace_id = $1 AND id = $2",
                workspace_id,
                collection_id,
            )
        return None if row is None else collection_record(row)

    async def by_name(self, workspace_id: UUID, name: str) -> CollectionRecord | None:
        """The workspace's collection called `name`."""
        async with self._pool.acquire() as connection:
            row = await connection.fetchrow(
                f"SELECT {COLUMNS} FROM collections WHERE workspace_id = $1 AND name = $2",
                workspace_id,
                name,
            )
        return None if row is None else collection_record(row)

    async def list(self, workspace_id: UUID) -> list[CollectionRecord]:
        """Every collection of the workspace, by name."""
        async with self._pool.acquire() as connection:
            rows = await connection.fetch(
                f"SELECT {COLUMNS} FROM collections WHERE workspace_id = $1 ORDER BY name", workspace_id
            )
        return [collection_record(row) for row in rows]

    async def update(
        self, workspace_id: UUID, collection_id: UUID, changes: CollectionChanges
    ) -> CollectionRecord | None:
        """Apply `changes`; None when there is no such collection.

        Raises:
            asyncpg.UniqueViolationError: The new name is taken.
        """
        chunking = changes.chunking
        async with self._pool.acquire() as connection:
            row = await connection.fetchrow(
                "UPDATE collections SET name = coalesce($3, name), description = coalesce($4, description), "
                "language = coalesce($5, language), chunk_size = coalesce($6, chunk_size), "
                "chunk_overlap = coalesce($7, chunk_overlap), chunk_unit = coalesce($8, chunk_unit), "
                "next_model = coalesce($9, next_model), next_dimension = NULL, updated_at = now() "
                f"WHERE workspace_id = $1 AND id = $2 RETURNING {COLUMNS}",
                workspace_id,
                collection_id,
                changes.name,
                changes.description,
                changes.language,
                None if chunking is None else chunking.size,
                None if chunking is None else chunking.overlap,
                None if chunking is None else chunking.unit,
                changes.next_model,
            )
        return None if row is None else collection_record(row)

    async def delete(self, workspace_id: UUID, collection_id: UUID) -> CollectionRecord | None:
        """Delete a collection with its documents and chunks; the deleted collection, or None."""
        async with self._pool.acquire() as connection:
            row = await connection.fetchrow(
                f"DELETE FROM collections WHERE workspace_id = $1 AND id = $2 RETURNING {COLUMNS}",
                workspace_id,
                collection_id,
            )
        return None if row is None else collection_record(row)

    async def stats(
        self, workspace_id: UUID, collection_ids: Sequence[UUID]
    ) -> builtins.list[CollectionStats | None]:
        """For each collection (in order; None when not the workspace's): counts of documents by
        status and of searchable chunks, and whether its generation's vector index is built."""
        async with self._pool.acquire() as connection:
            rows = await connection.fetch(_STATS, workspace_id, list(collection_ids))
        found = {
            row["id"]: CollectionStats(
                documents=row["documents"],
                ready=row["ready"],
                pending=row["pending"],
                failed=row["failed"],
                chunks=row["chunks"],
                indexed=row["indexed"],
            )
            for row in rows
        }
        return [found.get(collection_id) for collection_id in collection_ids]


_STATS = """
SELECT c.id,
    coalesce(d.documents, 0) AS documents, coalesce(d.ready, 0) AS ready,
    coalesce(d.pending, 0) AS pending, coalesce(d.failed, 0) AS failed,
    (SELECT count(*) FROM chunks k WHERE k.collection_id = c.id AND k.generation = c.generation) AS chunks,
    EXISTS (SELECT 1 FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid
            WHERE x.relname = 'chunks_vec_' || replace(c.id::text, '-', '') || '_' || c.generation
            AND i.indisvalid) AS indexed
FROM collections c
LEFT JOIN LATERAL (
    SELECT count(*) AS documents, count(*) FILTER (WHERE status = 'READY') AS ready,
        count(*) FILTER (WHERE status IN ('PENDING', 'PROCESSING')) AS pending,
        count(*) FILTER (WHERE status = 'FAILED') AS failed
    FROM documents WHERE collection_id = c.id
) d ON true
WHERE c.workspace_id = $1 AND c.id = ANY($2::uuid[])
"""
"""Statistics of many collections in one statement; the index name is `VectorLayout.index_name`'s."""
