"""Knowledge use cases: collections, their documents and search, scoped to the caller's workspace.

Adding documents records them (PENDING, with their bytes) and returns at once; ingesters — in
`flowloom serve` or in the workers — extract, chunk, embed and write them in the background, and a
document that fails is marked FAILED with why while the rest of its batch is ingested.
"""

from __future__ import annotations

import builtins
import hashlib
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import anyio
import asyncpg

from backend.accounts.records import Principal
from backend.knowledge.chunking import chunking_problems
from backend.knowledge.chunks_repository import VectorIndexes
from backend.knowledge.collections_repository import CollectionChanges, CollectionRepository
from backend.knowledge.documents_repository import DocumentRepository, StoredDocument
from backend.knowledge.extraction import ExtractionError, media_type_of, precheck
from backend.knowledge.models import ModelProblemError, model_dimension
from backend.knowledge.offline import OFFLINE_MODEL
from backend.knowledge.problems import (
    EXTRACTION_CODES,
    MAX_DESCRIPTION,
    MAX_METADATA_BYTES,
    MAX_QUERY_CHARS,
    MAX_TOP_K,
    METRICS,
    invalid,
    name_problems,
    problem,
    text_problems,
)
from backend.knowledge.progress import progress_stream
from backend.knowledge.records import (
    AddedDocuments,
    CollectionInput,
    CollectionRecord,
    CollectionStats,
    CollectionUpdate,
    DocumentProgress,
    DocumentRecord,
    InvalidKnowledge,
    NewDocument,
    SearchHit,
    SearchMode,
)
from backend.knowledge.search import search_chunks
from backend.live.broker import Broker
from backend.pagination import Page, PageRequest
from backend.problems import NotFound
from backend.workflows.service import parse_id
from engine.filters import Filter, FilterSyntaxError, parse_filter
from engine.graph import Problem
from engine.nodes.model_errors import PROVIDER_ERRORS, provider_failure
from engine.ports import Embedder
from engine.value_policy import value_problem


@dataclass(frozen=True)
class Limits:
    """Bounds of knowledge requests (from the settings)."""

    max_document_bytes: int
    max_documents_per_request: int
    max_json_depth: int


class KnowledgeService:
    """Collections, documents and search of the caller's workspace."""

    def __init__(
        self,
        pool: asyncpg.Pool[Any],
        embedder: Embedder,
        broker: Broker,
        indexes: VectorIndexes,
        limits: Limits,
        *,
        on_added: Callable[[], None] = lambda: None,
    ) -> None:
        """Use `pool` for every statement, `embedder` for queries and model probes, `broker` for
        progress, and call `on_added` when documents wait (to wake this process's ingester)."""
        self._pool = pool
        self.collections = CollectionRepository(pool)
        self.documents = DocumentRepository(pool)
        self._embedder = embedder
        self._broker = broker
        self._indexes = indexes
        self._limits = limits
        self._on_added = on_added
        self._languages: frozenset[str] | None = None

    async def _language_problems(self, language: str) -> list[Problem]:
        if self._languages is None:
            async with self._pool.acquire() as connection:
                rows = await connection.fetch("SELECT cfgname FROM pg_ts_config")
            self._languages = frozenset(row["cfgname"] for row in rows)
        if language in self._languages:
            return []
        known = ", ".join(sorted(self._languages))
        return [
            problem(
                "UNKNOWN_LANGUAGE", f"no text search language {language!r}; use one of {known}", "language"
            )
        ]

    async def list(self, principal: Principal) -> list[CollectionRecord]:
        """The workspace's collections."""
        return await self.collections.list(principal.workspace_id)

    async def get(self, principal: Principal, collection_id: str) -> CollectionRecord | None:
        """One collection of the workspace (None for unknown, foreign and malformed ids)."""
        found = parse_id(collection_id)
        return None if found is None else await self.collections.get(principal.workspace_id, found)

    async def stats(
        self, principal: Principal, collection_ids: Sequence[UUID]
    ) -> builtins.list[CollectionStats | None]:
        """How much each collection holds, in order (None for ids that are not the workspace's)."""
        return await self.collections.stats(principal.workspace_id, collection_ids)

    async def documents_of(
        self, principal: Principal, document_ids: Sequence[UUID]
    ) -> builtins.list[DocumentRecord | None]:
        """Documents of the workspace by id, in order (None for the others)."""
        return await self.documents.many(principal.workspace_id, document_ids)

    async def documents_page(
        self, collection: CollectionRecord, request: PageRequest
    ) -> Page[DocumentRecord]:
        """A page of the collection's documents, newest first."""
        return await self.documents.page(collection.id, request)

    async def create(
        self, principal: Principal, request: CollectionInput
    ) -> CollectionRecord | InvalidKnowledge:
        """A new collection; its model's dimension is known or probed once."""
        problems = name_problems(request.name)
        problems += text_problems(request.description, "description", limit=MAX_DESCRIPTION, required=False)
        problems += [
            problem("INVALID_VALUE", message, "chunking") for message in chunking_problems(request.chunking)
        ]
        problems += await self._language_problems(request.language)
        if request.metric not in METRICS:
            problems.append(problem("INVALID_VALUE", f"metric must be one of {', '.join(METRICS)}", "metric"))
        if problems:
            return InvalidKnowledge(tuple(problems))
        model = request.model or OFFLINE_MODEL
        try:
            dimension = await model_dimension(self._embedder, principal.workspace_id, model)
        except ModelProblemError as error:
            return invalid(error.code, str(error), "model")
        if request.dimension is not None and request.dimension != dimension:
            return invalid(
                "DIMENSION_MISMATCH",
                f"{model} gives {dimension} dimensions, not {request.dimension}",
                "dimension",
            )
        created = await self.collections.create(
            principal.workspace_id,
            name=request.name,
            description=request.description,
            model=model,
            dimension=dimension,
            metric=request.metric,
            language=request.language,
            chunking=request.chunking,
        )
        if created is None:
            return invalid(
                "NAME_TAKEN", f"this workspace already has a collection named {request.name}", "name"
            )
        return created

    async def update(
        self, principal: Principal, collection_id: str, request: CollectionUpdate
    ) -> CollectionRecord | NotFound | InvalidKnowledge:
        """Rename, describe, re-chunk future documents, or re-embed with another model (in the
        background; searches use the old vectors until the new ones are complete)."""
        collection = await self.get(principal, collection_id)
        if collection is None:
            return NotFound(id=collection_id, message=f"no collection {collection_id}")
        problems: list[Problem] = []
        if request.name is not None:
            problems += name_problems(request.name)
        if request.description is not None:
            problems += text_problems(
                request.description, "description", limit=MAX_DESCRIPTION, required=False
            )
        if request.chunking is not None:
            problems += [problem("INVALID_VALUE", m, "chunking") for m in chunking_problems(request.chunking)]
        if request.language is not None:
            problems += await self._language_problems(request.language)
        next_model = None
        if request.model is not None and request.model != collection.model:
            try:
                await model_dimension(self._embedder, principal.workspace_id, request.model)
            except ModelProblemError as error:
                problems.append(problem(error.code, str(error), "model"))
            next_model = request.model
        if problems:
            return InvalidKnowledge(tuple(problems))
        changes = CollectionChanges(
            name=request.name,
            description=request.description,
            language=request.language,
            chunking=request.chunking,
            next_model=next_model,
        )
        try:
            updated = await self.collections.update(principal.workspace_id, collection.id, changes)
        except asyncpg.UniqueViolationError:
            return invalid(
                "NAME_TAKEN", f"this workspace already has a collection named {request.name}", "name"
            )
        if updated is None:
            return NotFound(id=collection_id, message=f"no collection {collection_id}")
        if next_model is not None:
            self._on_added()
        return updated

    async def reindex(self, principal: Principal, collection_id: str) -> CollectionRecord | NotFound:
        """Embed every chunk again with the collection's model, in the background."""
        collection = await self.get(principal, collection_id)
        if collection is None:
            return NotFound(id=collection_id, message=f"no collection {collection_id}")
        updated = await self.collections.update(
            principal.workspace_id,
            collection.id,
            CollectionChanges(next_model=collection.next_model or collection.model),
        )
        if updated is None:
            return NotFound(id=collection_id, message=f"no collection {collection_id}")
        self._on_added()
        return updated

    async def delete(self, principal: Principal, collection_id: str) -> CollectionRecord | NotFound:
        """Delete a collection, its documents, chunks and vector indexes."""
        found = parse_id(collection_id)
        deleted = None if found is None else await self.collections.delete(principal.workspace_id, found)
        if deleted is None:
            return NotFound(id=collection_id, message=f"no collection {collection_id}")
        for generation in (deleted.generation, deleted.generation + 1):
            await self._indexes.drop(self._indexes.layout(deleted, generation=generation))
        return deleted

    async def add(
        self, principal: Principal, collection_id: str, documents: Sequence[NewDocument]
    ) -> AddedDocuments | NotFound | InvalidKnowledge:
        """Add documents to ingest. Each unusable one (unsupported, corrupt, too large, bad
        metadata) is refused with a problem naming it; the others are added."""
        collection = await self.get(principal, collection_id)
        if collection is None:
            return NotFound(id=collection_id, message=f"no collection {collection_id}")
        if not documents:
            return invalid("INVALID_VALUE", "there are no documents to add", "documents")
        if len(documents) > self._limits.max_documents_per_request:
            return invalid(
                "TOO_MANY_DOCUMENTS",
                f"{len(documents)} documents in one request; "
                f"the limit is {self._limits.max_documents_per_request}",
                "documents",
            )
        accepted: list[StoredDocument] = []
        refused: list[Problem] = []
        for index, document in enumerate(documents):
            checked = await self._checked_media_type(document, f"documents[{index}]")
            if isinstance(checked, Problem):
                refused.append(checked)
                continue
            accepted.append(
                StoredDocument(
                    name=document.name,
                    media_type=checked,
                    content=document.content,
                    content_hash=hashlib.sha256(document.content).hexdigest(),
                    metadata=document.metadata,
                )
            )
        added = await self.documents.add(principal.workspace_id, collection.id, accepted) if accepted else []
        if accepted:
            self._on_added()
        return AddedDocuments(documents=tuple(added), refused=tuple(refused))

    async def _checked_media_type(self, document: NewDocument, path: str) -> str | Problem:
        """The document's media type (by its extension first, as ingestion reads it), or why it is
        refused."""
        named = text_problems(document.name, f"{path}.name", limit=255, required=True)
        if named:
            return named[0]
        if len(document.content) > self._limits.max_document_bytes:
            return problem(
                "DOCUMENT_TOO_LARGE",
                f"{document.name} has {len(document.content)} bytes; "
                f"the limit is {self._limits.max_document_bytes}",
                path,
            )
        metadata = value_problem(
            document.metadata,
            max_bytes=MAX_METADATA_BYTES,
            max_depth=self._limits.max_json_depth,
            what="the metadata",
        )
        if metadata is not None:
            return problem(metadata.code, f"{document.name}: {metadata.message}", f"{path}.metadata")
        try:
            media_type = media_type_of(document.name, document.media_type)
            await anyio.to_thread.run_sync(precheck, document.name, media_type, document.content)
        except ExtractionError as error:
            return problem(EXTRACTION_CODES.get(error.code, "CORRUPT_DOCUMENT"), str(error), path)
        return media_type

    async def delete_document(self, principal: Principal, document_id: str) -> DocumentRecord | NotFound:
        """Delete a document and its chunks."""
        found = parse_id(document_id)
        deleted = None if found is None else await self.documents.delete(principal.workspace_id, found)
        if deleted is None:
            return NotFound(id=document_id, message=f"no document {document_id}")
        return deleted

    async def search(
        self,
        principal: Principal,
        collection_id: str,
        query: str,
        *,
        top_k: int = 5,
        filter: object = None,
        mode: SearchMode = "vector",
    ) -> builtins.list[SearchHit] | NotFound | InvalidKnowledge:
        """The best chunks of a collection for a query, by meaning, keyword or both."""
        collection = await self.get(principal, collection_id)
        if collection is None:
            return NotFound(id=collection_id, message=f"no collection {collection_id}")
        problems = text_problems(query, "query", limit=MAX_QUERY_CHARS, required=True)
        if not 1 <= top_k <= MAX_TOP_K:
            problems.append(problem("INVALID_VALUE", f"topK must be between 1 and {MAX_TOP_K}", "topK"))
        parsed: Filter | None = None
        if filter is not None and not isinstance(filter, dict):
            problems.append(problem("INVALID_FILTER", "the filter must be a JSON object", "filter"))
        elif filter is not None:
            try:
                parsed = parse_filter(filter)
            except FilterSyntaxError as error:
                problems.append(
                    problem("INVALID_FILTER", str(error), f"filter{error.path.removeprefix('$')}")
                )
        if problems:
            return InvalidKnowledge(tuple(problems))
        vector = None
        if mode != "keyword":
            try:
                embeddings = await self._embedder.embed(
                    principal.workspace_id, collection.model, [query], query=True
                )
            except PROVIDER_ERRORS as error:
                return invalid("EMBEDDING_FAILED", str(provider_failure(error)), "query")
            except ValueError as error:
                return invalid("UNKNOWN_MODEL", str(error), "query")
            vector = embeddings.vectors[0]
            if len(vector) != collection.dimension:
                return invalid(
                    "DIMENSION_MISMATCH",
                    f"{collection.model} now gives {len(vector)} dimensions; the collection holds "
                    f"{collection.dimension}: reindex it",
                    "query",
                )
        return await search_chunks(
            self._pool,
            self._indexes.layout(collection),
            mode=mode,
            top_k=top_k,
            language=collection.language,
            vector=vector,
            text=query,
            filter=parsed,
        )

    async def progress(
        self, principal: Principal, collection: CollectionRecord
    ) -> AsyncIterator[DocumentProgress]:
        """The collection's unfinished documents now, then every ingestion step (the caller got the
        collection from this workspace)."""

        async def unfinished() -> list[DocumentProgress]:
            async with self._pool.acquire() as connection:
                rows = await connection.fetch(
                    "SELECT id, name, status, chunk_count FROM documents WHERE collection_id = $1 "
                    "AND status IN ('PENDING', 'PROCESSING') ORDER BY created_at LIMIT 1000",
                    collection.id,
                )
            return [
                DocumentProgress(collection.id, row["id"], row["name"], row["status"], 0, 0) for row in rows
            ]

        async for step in progress_stream(self._broker, collection.id, unfinished):
            yield step
