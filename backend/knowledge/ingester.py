"""The ingester: turns waiting documents into searchable chunks, and re-embeds collections.

It runs in every process that executes work (`flowloom serve` in the embedded mode, each
`flowloom worker`). Documents are claimed one at a time from PostgreSQL (`DocumentRepository.claim`),
so any number of ingesters share the work and a dead one's documents are taken over when its claim
expires. For each: extract the text (in a thread), split it into chunks, embed them in batches
(renewing the claim and publishing progress after each), then replace the document's chunks in one
transaction — only while the claim is still ours. A document that fails is marked FAILED with why;
nothing of it is searchable and the next document goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any
from uuid import uuid4

import anyio
import asyncpg

from backend.knowledge.chunking import split
from backend.knowledge.chunks_repository import ChunkRow, VectorIndexes, copy_chunks
from backend.knowledge.documents_repository import Claim, DocumentRepository
from backend.knowledge.extraction import ExtractionError, extract
from backend.knowledge.progress import publish_progress
from backend.knowledge.records import CollectionRecord, DocumentProgress, DocumentStatus
from backend.knowledge.reembedding import Reembedding
from backend.live.broker import Broker
from engine.nodes.model_errors import PROVIDER_ERRORS, provider_failure
from engine.ports import Embedder

log = logging.getLogger(__name__)

EMBED_BATCH = 256
"""Chunks per embedding call (and per progress message)."""
MAX_CHUNKS = 50_000
"""Most chunks one document may make; more is a FAILED document (split it)."""
CLAIM_SECONDS = 30.0
POLL_SECONDS = 1.0
"""How often an idle ingester looks for work another process added."""


class ClaimLostError(Exception):
    """Another ingester took the document over (this one stalled past its claim) or it was deleted."""


class Ingester:
    """Claims and ingests documents until stopped."""

    def __init__(
        self,
        pool: asyncpg.Pool[Any],
        embedder: Embedder,
        broker: Broker,
        indexes: VectorIndexes,
        *,
        max_chars: int,
        index_min_chunks: int,
    ) -> None:
        self._pool = pool
        self._documents = DocumentRepository(pool)
        self._embedder = embedder
        self._broker = broker
        self._indexes = indexes
        self._max_chars = max_chars
        self._index_min_chunks = index_min_chunks
        self._reembedding = Reembedding(pool, embedder, indexes, index_min_chunks=index_min_chunks)
        self.owner = uuid4()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def release_all(self) -> None:
        """End every claim (the embedded mode's start: claims left are a dead process's own)."""
        await self._documents.release()

    def wake(self) -> None:
        """Look for work now (documents were added in this process)."""
        self._wake.set()

    def start(self) -> None:
        """Start working in the background."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="ingester")

    async def stop(self) -> None:
        """Stop, and hand a document in progress back: another process (or this one's next start)
        takes it over at once instead of when the claim lapses."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        try:
            await self._documents.release(self.owner)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            log.warning("ingester: could not hand back its documents (%s); their claims lapse", error)

    async def _run(self) -> None:
        while True:
            try:
                worked = await self.step()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                log.warning("ingester: the database failed (%s); trying again", error)
                worked = False
            except Exception:
                # a bug must not stop ingestion in this process: the document keeps its claim, which
                # lapses, and after MAX_ATTEMPTS lapses it is FAILED (DocumentRepository.claim)
                log.exception("ingester: a step failed unexpectedly; going on")
                worked = False
            if worked:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(POLL_SECONDS):
                    await self._wake.wait()

    async def step(self) -> bool:
        """Ingest one document or re-embed one collection; False when there was nothing to do."""
        claim = await self._documents.claim(self.owner, CLAIM_SECONDS)
        if claim is not None:
            await self.ingest(claim)
            return True
        return await self._reembedding.next()

    async def ingest(self, claim: Claim) -> None:
        """Ingest one claimed document, recording READY or FAILED."""
        document, collection = claim.document, claim.collection
        try:
            chunks = await self._chunks(claim)
            rows = await self._embedded(claim, chunks)
            await self._write(claim, rows)
        except ClaimLostError:
            log.info("ingester: lost the claim on document %s; another process has it", document.id)
            return
        except _DocumentFailedError as failure:
            failed = await self._documents.fail(self.owner, document.id, str(failure))
            if failed is not None:
                await self._publish(claim, "FAILED", 0, 0, str(failure))
            return
        await self._publish(claim, "READY", len(rows), len(rows))
        await self._index_when_loaded(collection)

    async def _chunks(self, claim: Claim) -> list[str]:
        document, collection = claim.document, claim.collection
        try:
            extracted = await anyio.to_thread.run_sync(
                lambda: extract(document.name, document.media_type, claim.content, max_chars=self._max_chars)
            )
        except ExtractionError as error:
            raise _DocumentFailedError(str(error)) from error
        pieces = await anyio.to_thread.run_sync(
            lambda: split(extracted.text, markdown=extracted.markdown, settings=collection.chunking)
        )
        if not pieces:
            raise _DocumentFailedError(f"{document.name} has no text to index")
        if len(pieces) > MAX_CHUNKS:
            raise _DocumentFailedError(
                f"{document.name} makes {len(pieces)} chunks; the limit is {MAX_CHUNKS}: split it"
            )
        return [piece.text for piece in pieces]

    async def _embedded(self, claim: Claim, texts: list[str]) -> list[ChunkRow]:
        document, collection = claim.document, claim.collection
        rows: list[ChunkRow] = []
        for start in range(0, len(texts), EMBED_BATCH):
            batch = texts[start : start + EMBED_BATCH]
            try:
                embeddings = await self._embedder.embed(document.workspace_id, collection.model, batch)
            except PROVIDER_ERRORS as error:
                raise _DocumentFailedError(f"embedding failed: {provider_failure(error)}") from error
            except ValueError as error:  # an unknown model (a collection from before a model was dropped)
                raise _DocumentFailedError(f"embedding failed: {error}") from error
            for offset, (text, vector) in enumerate(zip(batch, embeddings.vectors, strict=True)):
                if len(vector) != collection.dimension:
                    raise _DocumentFailedError(
                        f"{collection.model} gave {len(vector)} dimensions; the collection holds "
                        f"{collection.dimension}: reindex it"
                    )
                position = start + offset
                rows.append(
                    ChunkRow(
                        key=f"{document.id}:{position}",
                        text=text,
                        vector=vector,
                        metadata=dict(document.metadata),
                        document_id=document.id,
                        position=position,
                    )
                )
            if not await self._documents.renew(self.owner, document.id, CLAIM_SECONDS):
                raise ClaimLostError
            await self._publish(claim, "PROCESSING", len(rows), len(texts))
        return rows

    async def _write(self, claim: Claim, rows: list[ChunkRow]) -> None:
        document, collection = claim.document, claim.collection
        async with self._pool.acquire() as connection, connection.transaction():
            current = await connection.fetchrow(
                "SELECT c.generation, c.next_model FROM documents d "
                "JOIN collections c ON c.id = d.collection_id "
                "WHERE d.id = $1 AND d.claimed_by = $2 FOR UPDATE OF d, c",
                document.id,
                self.owner,
            )
            if current is None:
                raise ClaimLostError
            await connection.execute("DELETE FROM chunks WHERE document_id = $1", document.id)
            await copy_chunks(connection, document.workspace_id, collection, current["generation"], rows)
            await connection.execute(
                "UPDATE documents SET status = 'READY', error = NULL, chunk_count = $2, claimed_by = NULL, "
                "claimed_until = NULL, updated_at = now() WHERE id = $1",
                document.id,
                len(rows),
            )
            # a document added under the same name with other content replaces the older one
            await connection.execute(
                "DELETE FROM documents WHERE collection_id = $1 AND name = $2 AND id <> $3 "
                "AND status IN ('READY', 'FAILED') AND created_at <= $4",
                collection.id,
                document.name,
                document.id,
                document.created_at,
            )

    async def _index_when_loaded(self, collection: CollectionRecord) -> None:
        """Build the generation's index once its documents are all in and it is large enough:
        after a bulk load, not per document (an index maintained row by row slows COPY 15 times)."""
        async with self._pool.acquire() as connection:
            row = await connection.fetchrow(
                "SELECT c.generation, c.dimension, EXISTS (SELECT 1 FROM documents d "
                " WHERE d.collection_id = c.id AND d.status IN ('PENDING', 'PROCESSING')) AS busy "
                "FROM collections c WHERE c.id = $1",
                collection.id,
            )
        if row is None or row["busy"]:
            return
        target = self._indexes.layout(collection, generation=row["generation"], dimension=row["dimension"])
        await self._indexes.ensure_when_large(target, self._index_min_chunks)

    async def _publish(
        self, claim: Claim, status: DocumentStatus, done: int, total: int, error: str | None = None
    ) -> None:
        document = claim.document
        await publish_progress(
            self._broker,
            DocumentProgress(
                collection_id=document.collection_id,
                document_id=document.id,
                name=document.name,
                status=status,
                chunks_done=done,
                chunks_total=total,
                error=error,
            ),
        )


class _DocumentFailedError(Exception):
    """The document cannot be ingested; the message says why, for the document's `error`."""
