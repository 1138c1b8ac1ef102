"""What each conformance suite runs against: a port implementation and what the suite needs beside it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from uuid import UUID

from pydantic import JsonValue

from engine.ports import Embedder, RunStore, VectorStore
from engine.records import RunEvent, RunRecord


@dataclass
class RunStoreSubject:
    """A run store, and what the suite needs beside the port."""

    store: RunStore
    new_run: Callable[[JsonValue], Awaitable[RunRecord]]
    """A PENDING run record this store can accept (its workspace and workflow exist), not created yet."""
    events: Callable[[UUID], Awaitable[list[RunEvent]]]
    """The persisted events of a run, in `seq` order (the port itself has no reader for them)."""


@dataclass
class VectorStoreSubject:
    """A vector store, and a way to get workspaces it accepts."""

    store: VectorStore
    new_workspace: Callable[[], Awaitable[UUID]]


@dataclass
class EmbedderSubject:
    """An embedder, and a workspace it can embed for (credentials set, where it needs any)."""

    embedder: Embedder
    workspace_id: UUID
