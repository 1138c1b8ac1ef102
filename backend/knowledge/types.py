"""GraphQL types of the knowledge slice, built from its records."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated
from uuid import UUID

import strawberry
from strawberry.scalars import JSON

from backend.gql.common import Connection, NotFound, Problem, UserInputError
from backend.gql.context import Info, loaders_of, principal_of
from backend.knowledge import records
from backend.knowledge.chunking import ChunkingSettings
from backend.pagination import InvalidPageError, Page, PageRequest


@strawberry.enum(description="How a collection compares vectors.")
class DistanceMetric(Enum):
    COSINE = "cosine"
    L2 = "l2"
    INNER_PRODUCT = "inner_product"


@strawberry.enum(description="What chunk sizes count.")
class ChunkUnit(Enum):
    CHARACTERS = "characters"
    TOKENS = "tokens"


@strawberry.enum(description="How a search matches: by meaning, by keyword, or both fused by rank.")
class SearchMode(Enum):
    VECTOR = "vector"
    KEYWORD = "keyword"
    HYBRID = "hybrid"


@strawberry.enum(description="How far a document's ingestion got.")
class DocumentStatus(Enum):
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    READY = "READY"
    FAILED = "FAILED"


@strawberry.type(description="How a collection splits documents into chunks.")
class Chunking:
    size: int = strawberry.field(description="Most characters (or tokens) in a chunk.")
    overlap: int = strawberry.field(description="Characters (or tokens) neighbouring chunks share.")
    unit: ChunkUnit

    @classmethod
    def of(cls, settings: ChunkingSettings) -> Chunking:
        """Build from the chunking settings."""
        return cls(size=settings.size, overlap=settings.overlap, unit=ChunkUnit(settings.unit))


@strawberry.type(description="How much a collection holds.")
class CollectionStats:
    documents: int
    ready: int
    pending: int = strawberry.field(description="Documents waiting or being ingested.")
    failed: int
    chunks: int = strawberry.field(description="Searchable chunks.")
    indexed: bool = strawberry.field(
        description="Whether searches use an approximate vector index "
        "(small collections are searched exactly)."
    )


@strawberry.type(description="An uploaded file or added text of a collection.")
class Document:
    id: strawberry.ID
    name: str
    media_type: str
    size: int = strawberry.field(description="Bytes uploaded.")
    content_hash: str = strawberry.field(
        description="SHA-256 of the content; the same content is added once."
    )
    metadata: JSON = strawberry.field(description="Carried by every chunk of the document, for filters.")
    status: DocumentStatus
    error: str | None = strawberry.field(description="Why ingestion failed (FAILED only).")
    chunk_count: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, record: records.DocumentRecord) -> Document:
        """Build from a document record."""
        return cls(
            id=strawberry.ID(str(record.id)),
            name=record.name,
            media_type=record.media_type,
            size=record.size,
            content_hash=record.content_hash,
            metadata=JSON(record.metadata),
            status=DocumentStatus(record.status),
            error=record.error,
            chunk_count=record.chunk_count,
            created_at=record.created_at,
            updated_at=record.updated_at,
        )


@strawberry.type(description="A knowledge collection: documents split into chunks, embedded with one model.")
class Collection:
    id: strawberry.ID
    name: str
    description: str
    model: str = strawberry.field(description="The embedding model of its vectors.")
    dimension: int
    metric: DistanceMetric
    language: str = strawberry.field(description="PostgreSQL text search configuration of keyword search.")
    chunking: Chunking
    next_model: str | None = strawberry.field(
        description="The model a re-embedding in progress uses; searches use the old vectors until it ends."
    )
    created_at: datetime
    updated_at: datetime

    _record: strawberry.Private[records.CollectionRecord]

    @classmethod
    def of(cls, record: records.CollectionRecord) -> Collection:
        """Build from a collection record."""
        return cls(
            id=strawberry.ID(str(record.id)),
            name=record.name,
            description=record.description,
            model=record.model,
            dimension=record.dimension,
            metric=DistanceMetric(record.metric),
            language=record.language,
            chunking=Chunking.of(record.chunking),
            next_model=record.next_model,
            created_at=record.created_at,
            updated_at=record.updated_at,
            _record=record,
        )

    @strawberry.field(description="Whether the collection is being re-embedded.")
    def reindexing(self) -> bool:
        return self._record.next_model is not None

    @strawberry.field(description="Counts of documents by status and of searchable chunks.")
    async def stats(self, info: Info) -> CollectionStats:
        stats = await loaders_of(info).collection_stats.load(self._record.id)
        if stats is None:  # deleted since the collection was read
            return CollectionStats(documents=0, ready=0, pending=0, failed=0, chunks=0, indexed=False)
        return CollectionStats(
            documents=stats.documents,
            ready=stats.ready,
            pending=stats.pending,
            failed=stats.failed,
            chunks=stats.chunks,
            indexed=stats.indexed,
        )

    @strawberry.field(description="The collection's documents, newest first.")
    async def documents(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Document]:
        principal_of(info)
        try:
            request = PageRequest.parse(first, after)
        except InvalidPageError as exc:
            raise UserInputError.from_invalid_page(exc) from exc
        page = await info.context.services.knowledge.documents_page(self._record, request)
        return Connection.of(Page(tuple(map(Document.of, page.items)), page.cursors, page.has_next_page))


@strawberry.type(description="A chunk a search found, best first.")
class SearchHit:
    chunk_id: str
    score: float = strawberry.field(
        description="Higher is better: cosine similarity, 1/(1 + L2 distance) or inner product for "
        "VECTOR; ts_rank_cd for KEYWORD; the reciprocal-rank fusion score for HYBRID."
    )
    text: str
    metadata: JSON
    position: int = strawberry.field(description="The chunk's index in its document.")
    document_id: strawberry.ID | None = strawberry.field(
        description="None for chunks written by embedding nodes."
    )
    document_name: str | None

    _document_id: strawberry.Private[UUID | None]

    @classmethod
    def of(cls, hit: records.SearchHit) -> SearchHit:
        """Build from a hit record."""
        return cls(
            chunk_id=hit.chunk_id,
            score=hit.score,
            text=hit.text,
            metadata=JSON(hit.metadata),
            position=hit.position,
            document_id=None if hit.document_id is None else strawberry.ID(str(hit.document_id)),
            document_name=hit.document_name,
            _document_id=hit.document_id,
        )

    @strawberry.field(description="The document the chunk comes from (null for chunks of embedding nodes).")
    async def document(self, info: Info) -> Document | None:
        if self._document_id is None:
            return None
        found = await loaders_of(info).documents.load(self._document_id)
        return None if found is None else Document.of(found)


@strawberry.type(description="A step of a document's ingestion.")
class DocumentProgress:
    collection_id: strawberry.ID
    document_id: strawberry.ID
    name: str
    status: DocumentStatus
    chunks_done: int
    chunks_total: int
    error: str | None

    @classmethod
    def of(cls, progress: records.DocumentProgress) -> DocumentProgress:
        """Build from a progress record."""
        return cls(
            collection_id=strawberry.ID(str(progress.collection_id)),
            document_id=strawberry.ID(str(progress.document_id)),
            name=progress.name,
            status=DocumentStatus(progress.status),
            chunks_done=progress.chunks_done,
            chunks_total=progress.chunks_total,
            error=progress.error,
        )


@strawberry.type(description="The request was refused; nothing changed.")
class InvalidKnowledge:
    problems: list[Problem]

    @classmethod
    def of(cls, invalid: records.InvalidKnowledge) -> InvalidKnowledge:
        """Build from the problems record."""
        return cls(problems=[Problem.from_record(problem) for problem in invalid.problems])


@strawberry.type(
    description="What an add or upload did: the batch's documents (new ones PENDING, content the "
    "collection already held as its existing document), and each file refused with why."
)
class AddedDocuments:
    documents: list[Document]
    refused: list[Problem]

    @classmethod
    def of(cls, added: records.AddedDocuments) -> AddedDocuments:
        """Build from the record."""
        return cls(
            documents=[Document.of(document) for document in added.documents],
            refused=[Problem.from_record(problem) for problem in added.refused],
        )


@strawberry.type(description="A collection was deleted, with its documents and chunks.")
class DeletedCollection:
    id: strawberry.ID


@strawberry.type(description="A document was deleted, with its chunks.")
class DeletedDocument:
    id: strawberry.ID


@strawberry.input(description="How to split documents; omitted fields keep their defaults.")
class ChunkingInput:
    size: int = 1000
    overlap: int = 100
    unit: ChunkUnit = ChunkUnit.CHARACTERS

    def settings(self) -> ChunkingSettings:
        """As chunking settings."""
        return ChunkingSettings(size=self.size, overlap=self.overlap, unit=self.unit.value)


@strawberry.input
class CreateCollectionInput:
    name: str
    description: str = ""
    model: str | None = strawberry.field(
        default=None,
        description="wordllama-256 (offline, the default), openai:<model> (OpenAI or an OpenAI-compatible "
        "base URL) or ollama:<model>, with the workspace's credentials.",
    )
    dimension: int | None = strawberry.field(
        default=None, description="Checked against the model's; omit it to take the model's."
    )
    metric: DistanceMetric = DistanceMetric.COSINE
    language: str = strawberry.field(
        default="simple", description="A PostgreSQL text search configuration: simple, english, german…"
    )
    chunking: ChunkingInput | None = None


@strawberry.input
class UpdateCollectionInput:
    name: str | None = None
    description: str | None = None
    model: str | None = strawberry.field(
        default=None, description="Re-embed every chunk with this model, in the background."
    )
    language: str | None = None
    chunking: ChunkingInput | None = strawberry.field(
        default=None, description="Applies to documents added from now on."
    )


@strawberry.input(description="A text to add as a document.")
class DocumentTextInput:
    name: str
    text: str
    metadata: JSON | None = None
    media_type: str = strawberry.field(default="text/plain", description="text/plain or text/markdown.")


CreateCollectionResult = Annotated[Collection | InvalidKnowledge, strawberry.union("CreateCollectionResult")]
UpdateCollectionResult = Annotated[
    Collection | NotFound | InvalidKnowledge, strawberry.union("UpdateCollectionResult")
]
DeleteCollectionResult = Annotated[DeletedCollection | NotFound, strawberry.union("DeleteCollectionResult")]
ReindexCollectionResult = Annotated[Collection | NotFound, strawberry.union("ReindexCollectionResult")]
AddDocumentsResult = Annotated[
    AddedDocuments | NotFound | InvalidKnowledge, strawberry.union("AddDocumentsResult")
]
DeleteDocumentResult = Annotated[DeletedDocument | NotFound, strawberry.union("DeleteDocumentResult")]
