"""The implementations each conformance suite runs against.

Every suite takes a fixture parametrised over one of the registries below. To run a suite against
another implementation, add one entry: a function of the pytest request (to reach other fixtures,
e.g. `request.getfixturevalue(...)`) returning an async context manager that yields the subject.
The fixtures depend on the session's `services` so the PostgreSQL subjects can use them
(pytest-asyncio cannot set up an async fixture from `getfixturevalue` inside another one).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from uuid import UUID, uuid4

import pytest
from pydantic import JsonValue

from backend.services import Services
from engine.records import RunEvent, RunRecord
from engine.testing import HashingEmbedder, InMemoryRunStore, InMemoryVectorStore, pending_run
from tests.conformance import postgres
from tests.conformance.subjects import EmbedderSubject, RunStoreSubject, VectorStoreSubject


@asynccontextmanager
async def memory_run_store(request: pytest.FixtureRequest) -> AsyncIterator[RunStoreSubject]:
    """The in-memory run store."""
    store = InMemoryRunStore()

    async def new_run(inputs: JsonValue) -> RunRecord:
        return pending_run(inputs)

    async def events(run_id: UUID) -> list[RunEvent]:
        return store.events(run_id)

    yield RunStoreSubject(store, new_run, events)


@asynccontextmanager
async def memory_vector_store(request: pytest.FixtureRequest) -> AsyncIterator[VectorStoreSubject]:
    """The in-memory vector store."""

    async def new_workspace() -> UUID:
        return uuid4()

    yield VectorStoreSubject(InMemoryVectorStore(), new_workspace)


@asynccontextmanager
async def hashing_embedder(request: pytest.FixtureRequest) -> AsyncIterator[EmbedderSubject]:
    """The offline hashing embedder."""
    yield EmbedderSubject(HashingEmbedder(), uuid4())


RUN_STORES: dict[str, Callable[[pytest.FixtureRequest], AbstractAsyncContextManager[RunStoreSubject]]] = {
    "memory": memory_run_store,
    "postgres": postgres.postgres_run_store,
}
"""Run store implementations under test; add `"postgres": ...` here."""

VECTOR_STORES: dict[
    str, Callable[[pytest.FixtureRequest], AbstractAsyncContextManager[VectorStoreSubject]]
] = {
    "memory": memory_vector_store,
    "postgres": postgres.postgres_vector_store,
}
"""Vector store implementations under test; add `"postgres": ...` here."""

EMBEDDERS: dict[str, Callable[[pytest.FixtureRequest], AbstractAsyncContextManager[EmbedderSubject]]] = {
    "hashing": hashing_embedder,
    "workspace-offline": postgres.workspace_offline_embedder,
    "workspace-openai": postgres.workspace_openai_embedder,
}
"""Embedder implementations under test."""


@pytest.fixture(params=sorted(RUN_STORES))
async def run_store(request: pytest.FixtureRequest, services: Services) -> AsyncIterator[RunStoreSubject]:
    """Each run store implementation in turn."""
    async with RUN_STORES[request.param](request) as subject:
        yield subject


@pytest.fixture(params=sorted(VECTOR_STORES))
async def vector_store(
    request: pytest.FixtureRequest, services: Services
) -> AsyncIterator[VectorStoreSubject]:
    """Each vector store implementation in turn."""
    async with VECTOR_STORES[request.param](request) as subject:
        yield subject


@pytest.fixture(params=sorted(EMBEDDERS))
async def embedder(request: pytest.FixtureRequest, services: Services) -> AsyncIterator[EmbedderSubject]:
    """Each embedder implementation in turn."""
    async with EMBEDDERS[request.param](request) as subject:
        yield subject
