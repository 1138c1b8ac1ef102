"""The PostgreSQL VectorStore: pgvector for similarity, a tsvector for keywords, fused for hybrid search."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal
from uuid import UUID

import asyncpg
import msgspec
from pgvector import Vector
from pydantic import JsonValue

from engine.ports import Chunk, CollectionInfo, DimensionMismatchError, Hit

# Reciprocal-rank fusion constant (Cormack et al.); each ranking contributes 1 / (RRF_K + rank).
RRF_K = 60
# Candidates each ranking contributes before fusion.
HYBRID_CANDIDATES = 50

_SEMANTIC = """
SELECT c.key, c.text, c.metadata, 1 - (c.embedding <=> $2) AS score
FROM chunks c
WHERE c.collection_id = $1 AND ($4::jsonb IS NULL OR c.metadata @> $4::jsonb)
ORDER BY c.embedding <=> $2
LIMIT $3
"""

_HYBRID = """
WITH semantic AS (
    SELECT c.id, row_number() OVER (ORDER BY c.embedding <=> $2) AS rank
    FROM chunks c
    WHERE c.collection_id = $1 AND ($4::jsonb IS NULL OR c.metadata @> $4::jsonb)
    ORDER BY c.embedding <=> $2
    LIMIT $6
), keyword AS (
    SELECT c.id, row_number() OVER (ORDER BY ts_rank(c.tsv, q) DESC) AS rank
    FROM chunks c, plainto_tsquery('simple', $5) q
    WHERE c.collection_id = $1 AND c.tsv @@ q AND ($4::jsonb IS NULL OR c.metadata @> $4::jsonb)
    ORDER BY ts_rank(c.tsv, q) DESC
    LIMIT $6
), fused AS (
    SELECT id, sum(1.0 / ($7 + rank)) AS score
    FROM (SELECT * FROM semantic UNION ALL SELECT * FROM keyword) ranked
    GROUP BY id
)
SELECT c.key, c.text, c.metadata, f.score
FROM fused f JOIN chunks c ON c.id = f.id
ORDER BY f.score DESC, c.key
LIMIT $3
"""


class PostgresVectorStore:
    """VectorStore over the `collections` and `chunks` tables; every statement is workspace-scoped."""

    def __init__(self, pool: asyncpg.Pool[Any]) -> None:
        self._pool = pool

    async def collection(self, workspace_id: UUID, name: str) -> CollectionInfo | None:
        """A collection's model and dimension."""
        async with self._pool.acquire() as connection:
            row = await connection.fetchrow(
                "SELECT name, model, dimension FROM collections WHERE workspace_id = $1 AND name = $2",
                workspace_id,
                name,
            )
        return (
            None
            if row is None
            else CollectionInfo(name=row["name"], model=row["model"], dimension=row["dimension"])
        )

    async def upsert(self, workspace_id: UUID, collection: CollectionInfo, chunks: Sequence[Chunk]) -> None:
        """Insert or replace chunks by id, creating the collection on first write."""
        for chunk in chunks:
            if len(chunk.vector) != collection.dimension:
                raise DimensionMismatchError(
                    f"chunk {chunk.id} has {len(chunk.vector)} dimensions; "
                    f"{collection.name} has {collection.dimension}"
                )
        async with self._pool.acquire() as connection, connection.transaction():
            await connection.execute(
                "INSERT INTO collections (workspace_id, name, model, dimension) VALUES ($1, $2, $3, $4) "
                "ON CONFLICT (workspace_id, name) DO NOTHING",
                workspace_id,
                collection.name,
                collection.model,
                collection.dimension,
            )
            row = await connection.fetchrow(
                "SELECT id, model, dimension FROM collections WHERE workspace_id = $1 AND name = $2",
                workspace_id,
                collection.name,
            )
            if row is None:  # inserted or already there, unless deleted in between
                raise LookupError(f"collection {collection.name} vanished while it was being created")
            if (row["model"], row["dimension"]) != (collection.model, collection.dimension):
                raise DimensionMismatchError(
                    f"collection {collection.name} holds {row['model']} vectors of {row['dimension']} "
                    f"dimensions, not {collection.model} of {collection.dimension}"
                )
            await connection.executemany(
                "INSERT INTO chunks (workspace_id, collection_id, key, text, metadata, embedding) "
                "VALUES ($1, $2, $3, $4, $5::jsonb, $6) ON CONFLICT (collection_id, key) DO UPDATE SET "
                "text = EXCLUDED.text, metadata = EXCLUDED.metadata, embedding = EXCLUDED.embedding",
                [
                    (
                        workspace_id,
                        row["id"],
                        chunk.id,
                        chunk.text,
                        msgspec.json.encode(dict(chunk.metadata)).decode(),
                        Vector(chunk.vector),
                    )
                    for chunk in chunks
                ],
            )

    async def search(
        self,
        workspace_id: UUID,
        collection: str,
        vector: Sequence[float],
        *,
        top_k: int,
        filter: Mapping[str, JsonValue] | None = None,
        mode: Literal["semantic", "hybrid"] = "semantic",
        query_text: str | None = None,
    ) -> list[Hit]:
        """The best `top_k` chunks of a collection (empty when it does not exist)."""
        async with self._pool.acquire() as connection:
            found = await connection.fetchrow(
                "SELECT id, dimension FROM collections WHERE workspace_id = $1 AND name = $2",
                workspace_id,
                collection,
            )
            if found is None:
                return []
            if len(vector) != found["dimension"]:
                raise DimensionMismatchError(
                    f"the query has {len(vector)} dimensions; {collection} has {found['dimension']}"
                )
            encoded_filter = None if filter is None else msgspec.json.encode(dict(filter)).decode()
            if mode == "hybrid" and query_text:
                rows = await connection.fetch(
                    _HYBRID,
                    found["id"],
                    Vector(list(vector)),
                    top_k,
                    encoded_filter,
                    query_text,
                    HYBRID_CANDIDATES,
                    RRF_K,
                )
            else:
                rows = await connection.fetch(
                    _SEMANTIC, found["id"], Vector(list(vector)), top_k, encoded_filter
                )
        return [
            Hit(
                id=row["key"],
                text=row["text"],
                score=float(row["score"]),
                metadata=msgspec.json.decode(row["metadata"]),
            )
            for row in rows
        ]
