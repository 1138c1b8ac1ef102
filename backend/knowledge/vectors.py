"""The engine's VectorStore port over the knowledge slice: what embedding and retrieve nodes (and
the llm node's search tool) use. Searches are the same as GraphQL `search`'s (`backend.knowledge.search`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg

from backend.knowledge.chunking import ChunkingSettings
from backend.knowledge.chunks_repository import ChunkRow, VectorIndexes, copy_chunks
from backend.knowledge.collections_repository import CollectionRepository
from backend.knowledge.records import SearchMode as KnowledgeMode
from backend.knowledge.search import search_chunks
from engine.filters import Filter
from engine.ports import Chunk, CollectionInfo, DimensionMismatchError, Hit, SearchMode

_MODES: dict[SearchMode, KnowledgeMode] = {"semantic": "vector", "keyword": "keyword", "hybrid": "hybrid"}


class PostgresVectorStore:
    """VectorStore over `collections` and `chunks`; every statement is workspace-scoped."""

    def __init__(self, pool: asyncpg.Pool[Any], indexes: VectorIndexes) -> None:
        self._pool = pool
        self._collections = CollectionRepository(pool)
        self._indexes = indexes

    async def collection(self, workspace_id: UUID, name: str) -> CollectionInfo | None:
        """A collection's model and dimension."""
        found = await self._collections.by_name(workspace_id, name)
        return (
            None
            if found is None
            else CollectionInfo(name=found.name, model=found.model, dimension=found.dimension)
        )

    async def upsert(self, workspace_id: UUID, collection: CollectionInfo, chunks: Sequence[Chunk]) -> None:
        """Insert or replace chunks by id in the collection's current generation, creating the
        collection (cosine, `simple` language, default chunking) on first write."""
        for chunk in chunks:
            if len(chunk.vector) != collection.dimension:
                raise DimensionMismatchError(
                    f"chunk {chunk.id} has {len(chunk.vector)} dimensions; "
                    f"{collection.name} has {collection.dimension}"
                )
        found = await self._collections.by_name(workspace_id, collection.name)
        if found is None:
            await self._collections.create(
                workspace_id,
                name=collection.name,
                description="",
                model=collection.model,
                dimension=collection.dimension,
                metric="cosine",
                language="simple",
                chunking=ChunkingSettings(),
            )
            found = await self._collections.by_name(workspace_id, collection.name)
        if found is None:  # created, or created concurrently, unless deleted in between
            raise LookupError(f"collection {collection.name} vanished while it was being created")
        if (found.model, found.dimension) != (collection.model, collection.dimension):
            raise DimensionMismatchError(
                f"collection {collection.name} holds {found.model} vectors of {found.dimension} "
                f"dimensions, not {collection.model} of {collection.dimension}"
            )
        rows = [
            ChunkRow(key=chunk.id, text=chunk.text, vector=chunk.vector, metadata=dict(chunk.metadata))
            for chunk in chunks
        ]
        async with self._pool.acquire() as connection, connection.transaction():
            generation = await connection.fetchval(
                "SELECT generation FROM collections WHERE id = $1 FOR SHARE", found.id
            )
            await copy_chunks(connection, workspace_id, found, generation, rows, replace=True)

    async def search(
        self,
        workspace_id: UUID,
        collection: str,
        vector: Sequence[float] | None,
        *,
        top_k: int,
        filter: Filter | None = None,
        mode: SearchMode = "semantic",
        query_text: str | None = None,
    ) -> list[Hit]:
        """The best `top_k` chunks of a collection (none when it does not exist)."""
        found = await self._collections.by_name(workspace_id, collection)
        if found is None:
            return []
        if vector is not None and len(vector) != found.dimension:
            raise DimensionMismatchError(
                f"the query has {len(vector)} dimensions; {collection} has {found.dimension}"
            )
        hits = await search_chunks(
            self._pool,
            self._indexes.layout(found),
            mode=_MODES[mode],
            top_k=top_k,
            language=found.language,
            vector=vector,
            text=query_text or "",
            filter=filter,
        )
        return [Hit(id=hit.chunk_id, text=hit.text, score=hit.score, metadata=hit.metadata) for hit in hits]
