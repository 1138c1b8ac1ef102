"""Re-embedding a collection (a new model, or `reindexCollection`) while it stays searchable.

The new vectors go into the collection's next generation; searches keep reading the current one.
When every chunk has its new vector (and the index of the new generation is built), one
transaction flips the collection to it — with the new model and dimension — and deletes the old
generation. One process works on a collection at a time (a session advisory lock, released if that
process dies); an interrupted re-embedding starts again from the beginning of the generation.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import asyncpg

from backend.knowledge.chunks_repository import ChunkRow, Connection, VectorIndexes, copy_chunks
from backend.knowledge.collections_repository import COLUMNS, collection_record
from backend.knowledge.records import CollectionRecord
from engine.nodes.model_errors import PROVIDER_ERRORS, provider_failure
from engine.ports import Embedder

log = logging.getLogger(__name__)

BATCH = 512
LOCK_NAMESPACE = 0x4B4E  # "KN": advisory locks of re-embeddings, keyed (namespace, hash of the id)

_BATCH_SQL = """
SELECT key, text, metadata, document_id, position FROM chunks
WHERE collection_id = $1 AND generation = $2 AND key > $3 ORDER BY key LIMIT $4
"""
_MISSING_SQL = """
SELECT o.key, o.text, o.metadata, o.document_id, o.position FROM chunks o
WHERE o.collection_id = $1 AND o.generation = $2
AND NOT EXISTS (SELECT 1 FROM chunks n WHERE n.collection_id = $1 AND n.generation = $2 + 1 AND n.key = o.key)
"""


class Reembedding:
    """Finds collections waiting to be re-embedded and re-embeds one at a time."""

    def __init__(
        self, pool: asyncpg.Pool[Any], embedder: Embedder, indexes: VectorIndexes, *, index_min_chunks: int
    ) -> None:
        self._pool = pool
        self._embedder = embedder
        self._indexes = indexes
        self._index_min_chunks = index_min_chunks

    async def next(self) -> bool:
        """Re-embed one waiting collection this process can lock; False when there is none."""
        async with self._pool.acquire() as connection:
            rows = await connection.fetch(
                f"SELECT {COLUMNS} FROM collections WHERE next_model IS NOT NULL ORDER BY updated_at LIMIT 10"
            )
            for row in rows:
                locked = await connection.fetchval(
                    "SELECT pg_try_advisory_lock($1, hashtext($2::text))", LOCK_NAMESPACE, str(row["id"])
                )
                if not locked:
                    continue
                try:
                    await self.run(connection, collection_record(row))
                finally:
                    await connection.execute(
                        "SELECT pg_advisory_unlock($1, hashtext($2::text))", LOCK_NAMESPACE, str(row["id"])
                    )
                return True
        return False

    async def run(self, connection: Connection, collection: CollectionRecord) -> None:
        """Embed every chunk of the current generation with `next_model` into the next one, then flip."""
        model = collection.next_model
        if model is None:
            return
        old, new = collection.generation, collection.generation + 1
        await connection.execute(
            "DELETE FROM chunks WHERE collection_id = $1 AND generation = $2", collection.id, new
        )
        dimension: int | None = None
        after = ""
        while True:
            rows = await connection.fetch(_BATCH_SQL, collection.id, old, after, BATCH)
            if not rows:
                break
            async with connection.transaction():
                dimension = await self._copy(connection, collection, model, rows, dimension)
            if dimension is None:
                return
            after = rows[-1]["key"]
        # indexed before the flip, so a large collection is never searched exactly in between
        indexed = await self._indexes.ensure_when_large(
            self._indexes.layout(collection, generation=new, dimension=dimension or collection.dimension),
            self._index_min_chunks,
        )
        async with connection.transaction():
            current = await connection.fetchrow(
                "SELECT next_model, generation FROM collections WHERE id = $1 FOR UPDATE", collection.id
            )
            if current is None or current["next_model"] != model or current["generation"] != old:
                return  # deleted, or another model was asked for meanwhile: the next pass starts over
            # chunks an embedding node wrote into the old generation meanwhile
            missing = await connection.fetch(_MISSING_SQL, collection.id, old)
            if missing:
                dimension = await self._copy(connection, collection, model, missing, dimension)
                if dimension is None:
                    return
            await connection.execute(
                "UPDATE collections SET generation = $2, model = $3, dimension = coalesce($4, dimension), "
                "next_model = NULL, next_dimension = NULL, updated_at = now() WHERE id = $1",
                collection.id,
                new,
                model,
                dimension,
            )
            await connection.execute(
                "DELETE FROM chunks WHERE collection_id = $1 AND generation = $2", collection.id, old
            )
        await self._indexes.drop(self._indexes.layout(collection, generation=old))
        log.info("collection %s re-embedded with %s (indexed: %s)", collection.id, model, indexed)

    async def _copy(
        self,
        connection: Connection,
        collection: CollectionRecord,
        model: str,
        rows: list[asyncpg.Record],
        dimension: int | None,
    ) -> int | None:
        """Embed `rows` with `model` into the next generation; the vectors' dimension, or None when
        the model failed (the re-embedding is abandoned and the collection stays as it was)."""
        try:
            embeddings = await self._embedder.embed(
                collection.workspace_id, model, [row["text"] for row in rows]
            )
        except (*PROVIDER_ERRORS, ValueError) as error:
            message = provider_failure(error) if isinstance(error, PROVIDER_ERRORS) else error
            log.warning("re-embedding collection %s with %s failed: %s", collection.id, model, message)
            await connection.execute(
                "UPDATE collections SET next_model = NULL, updated_at = now() "
                "WHERE id = $1 AND next_model = $2",
                collection.id,
                model,
            )
            return None
        vectors = embeddings.vectors
        found = len(vectors[0])
        if dimension is not None and found != dimension:
            raise ValueError(f"{model} gave vectors of {found} and {dimension} dimensions")
        await copy_chunks(
            connection,
            collection.workspace_id,
            collection,
            collection.generation + 1,
            [
                ChunkRow(
                    key=row["key"],
                    text=row["text"],
                    vector=vector,
                    metadata=json.loads(row["metadata"])
                    if isinstance(row["metadata"], str)
                    else row["metadata"],
                    document_id=row["document_id"],
                    position=row["position"],
                )
                for row, vector in zip(rows, vectors, strict=True)
            ],
        )
        return found
