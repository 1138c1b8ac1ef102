"""Session-wide real parts: one embedded PostgreSQL 18 + pgvector, Flowloom's services on it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import asyncpg
import pydantic_ai.models
import pytest

from backend.db.embedded import get_server  # imported there with its import-time warning silenced
from backend.services import Services
from backend.settings import Settings
from engine.pricing import ModelPrice
from tests.cluster import cluster
from tests.redis_server import redis_server
from tests.servers.fixtures import _counting_session, _openai_session, counting, openai_api
from tests.servers.oidc_fixtures import _oidc_provider_session, oidc_provider
from tests.tenants import Tenant, new_tenant

__all__ = [
    "_counting_session",
    "_oidc_provider_session",
    "_openai_session",
    "cluster",
    "counting",
    "oidc_provider",
    "openai_api",
    "redis_server",
]

# No test may reach a real model provider.
pydantic_ai.models.ALLOW_MODEL_REQUESTS = False


@pytest.fixture(scope="session")
def postgres_dsn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A DSN of a fresh database on an embedded PostgreSQL started once per test run."""
    root = tmp_path_factory.mktemp("postgres")
    server = get_server(root / "pgdata", cleanup_mode="delete")
    server.psql("CREATE DATABASE flowloom;")
    yield str(server.get_uri("flowloom"))
    server.cleanup()


@pytest.fixture
async def fresh_database(postgres_dsn: str) -> AsyncIterator[str]:
    """The DSN of a new, empty database on the session's PostgreSQL (dropped after the test)."""
    name = f"fresh_{uuid4().hex[:12]}"
    connection = await asyncpg.connect(postgres_dsn)
    try:
        await connection.execute(f"CREATE DATABASE {name}")
        yield urlunsplit(urlsplit(postgres_dsn)._replace(path=f"/{name}"))
        await connection.execute(f"DROP DATABASE {name} WITH (FORCE)")
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def settings(postgres_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of the in-process services: the session database, a throwaway home."""
    home: Path = tmp_path_factory.mktemp("home")
    return Settings(
        home=home,
        database_url=postgres_dsn,
        secret_key="test-secret",
        http_allowlist=("127.0.0.1",),
        model_allowlist=("127.0.0.1",),
        # as in any deployment with a DATABASE_URL; tests of introspection build their own app
        introspection=False,
        # every test client is 127.0.0.1 and tests poll fast: tests of the limits set their own
        rate_limit_per_minute=0,
        rate_limit_per_address_per_minute=0,
        # a priced model of the fake OpenAI server: $0.001 an input token (tests/backend/test_costs.py)
        model_prices={"fake-priced": ModelPrice(input=1000.0, output=2000.0)},
    )


@pytest.fixture(scope="session")
async def services(settings: Settings) -> AsyncIterator[Services]:
    """Flowloom's services on the session database, migrated."""
    opened = await Services.open(settings, migrate=True, execute_runs=True)
    yield opened
    await opened.close()


@pytest.fixture
async def tenant(services: Services) -> Tenant:
    """A fresh workspace with its owner and a token: each test's private world."""
    return await new_tenant(services)
