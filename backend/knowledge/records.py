"""Plain data of the knowledge slice, crossing from the repository to the services and the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import JsonValue

from backend.knowledge.chunking import ChunkingSettings
from engine.graph import Problem

Metric = Literal["cosine", "l2", "inner_product"]
SearchMode = Literal["vector", "keyword", "hybrid"]
DocumentStatus = Literal["PENDING", "PROCESSING", "READY", "FAILED"]


@dataclass(frozen=True)
class CollectionRecord:
    """A collection and its settings."""

    id: UUID
    workspace_id: UUID
    name: str
    description: str
    model: str
    dimension: int
    metric: Metric
    language: str
    chunking: ChunkingSettings
    generation: int
    """The generation of chunks searches read."""
    next_model: str | None
    """The model a re-embedding in progress writes generation + 1 with (None: none in progress)."""
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class CollectionStats:
    """How much a collection holds."""

    documents: int
    ready: int
    pending: int
    failed: int
    chunks: int
    indexed: bool
    """Whether searches of the current generation can use an approximate index."""


@dataclass(frozen=True)
class DocumentRecord:
    """A document and how far its ingestion got."""

    id: UUID
    workspace_id: UUID
    collection_id: UUID
    name: str
    media_type: str
    size: int
    content_hash: str
    metadata: dict[str, JsonValue]
    status: DocumentStatus
    error: str | None
    chunk_count: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class NewDocument:
    """A document to add: its bytes, what they are, and metadata every chunk of it carries."""

    name: str
    media_type: str
    content: bytes
    metadata: dict[str, JsonValue]


@dataclass(frozen=True)
class SearchHit:
    """A chunk found by a search, best first; `score` is higher for better matches."""

    chunk_id: str
    text: str
    score: float
    metadata: dict[str, JsonValue]
    document_id: UUID | None
    document_name: str | None
    position: int


@dataclass(frozen=True)
class DocumentProgress:
    """A step of a document's ingestion, as `documentProgress` subscribers see it."""

    collection_id: UUID
    document_id: UUID
    name: str
    status: DocumentStatus
    chunks_done: int
    chunks_total: int
    error: str | None = None


@dataclass(frozen=True)
class InvalidKnowledge:
    """A knowledge request was refused; nothing changed. Each problem has a stable code."""

    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class AddedDocuments:
    """What an add or upload did: the documents of the batch in order (new, or the existing one
    with the same content), and the files refused with why (the rest of the batch was added)."""

    documents: tuple[DocumentRecord, ...]
    refused: tuple[Problem, ...]


@dataclass(frozen=True)
class CollectionInput:
    """What createCollection asks for (None: the default)."""

    name: str
    description: str = ""
    model: str | None = None
    dimension: int | None = None
    metric: Metric = "cosine"
    language: str = "simple"
    chunking: ChunkingSettings = field(default_factory=ChunkingSettings)


@dataclass(frozen=True)
class CollectionUpdate:
    """What updateCollection changes (None: unchanged)."""

    name: str | None = None
    description: str | None = None
    model: str | None = None
    language: str | None = None
    chunking: ChunkingSettings | None = None
