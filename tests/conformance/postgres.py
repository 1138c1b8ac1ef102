"""The PostgreSQL implementations of the engine's ports, as conformance-suite subjects."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest
from pydantic import JsonValue

from backend.credentials.providers import WorkspaceEmbedder
from backend.knowledge.vectors import PostgresVectorStore
from backend.runs.repository import RunRepository
from backend.runs.store import PostgresRunStore
from backend.services import Services
from backend.workflows.records import WorkflowRecord
from engine.records import RunEvent, RunRecord, RunStatus
from tests.conformance.subjects import EmbedderSubject, RunStoreSubject, VectorStoreSubject
from tests.fixtures_data import template_chain
from tests.servers.openai_fake import FakeOpenAI
from tests.tenants import new_tenant


@asynccontextmanager
async def postgres_run_store(request: pytest.FixtureRequest) -> AsyncIterator[RunStoreSubject]:
    """PostgresRunStore on the session database; runs belong to a fresh workspace's workflow."""
    services: Services = request.getfixturevalue("services")
    tenant = await new_tenant(services)
    workflow = await services.workflows.create(tenant.principal, "conformance", template_chain(1))
    assert isinstance(workflow, WorkflowRecord), workflow
    store = PostgresRunStore(services.db.pool)
    reader = RunRepository(services.db.pool)

    async def new_run(inputs: JsonValue) -> RunRecord:
        return RunRecord(
            id=uuid4(),
            workspace_id=tenant.principal.workspace_id,
            workflow_id=workflow.id,
            version=1,
            status=RunStatus.PENDING,
            inputs=inputs,
            created_at=datetime.now(UTC),
        )

    async def events(run_id: UUID) -> list[RunEvent]:
        return await reader.events(tenant.principal.workspace_id, run_id, 0)

    try:
        yield RunStoreSubject(store, new_run, events)
    finally:
        await store.close()


@asynccontextmanager
async def postgres_vector_store(request: pytest.FixtureRequest) -> AsyncIterator[VectorStoreSubject]:
    """PostgresVectorStore on the session database; each workspace a fresh tenant."""
    services: Services = request.getfixturevalue("services")

    async def new_workspace() -> UUID:
        return (await new_tenant(services)).principal.workspace_id

    yield VectorStoreSubject(PostgresVectorStore(services.db.pool, services.runtime.indexes), new_workspace)


@asynccontextmanager
async def workspace_offline_embedder(request: pytest.FixtureRequest) -> AsyncIterator[EmbedderSubject]:
    """The backend's embedder for a workspace without provider credentials (offline wordllama model)."""
    services: Services = request.getfixturevalue("services")
    tenant = await new_tenant(services)
    yield EmbedderSubject(
        WorkspaceEmbedder(services.credentials, services.model_http), tenant.principal.workspace_id
    )


@asynccontextmanager
async def workspace_openai_embedder(request: pytest.FixtureRequest) -> AsyncIterator[EmbedderSubject]:
    """The backend's embedder for a workspace with OpenAI credentials (the fake OpenAI server)."""
    services: Services = request.getfixturevalue("services")
    fake: FakeOpenAI = request.getfixturevalue("openai_api")
    tenant = await new_tenant(services)
    await services.credentials.set(tenant.principal, "openai", fake.api_key, fake.base_url)
    yield EmbedderSubject(
        WorkspaceEmbedder(services.credentials, services.model_http), tenant.principal.workspace_id
    )
