"""The HTTP app in process (Litestar's test client) and a GraphQL client per test workspace."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar import Litestar

from backend.app import create_app
from backend.services import Services
from tests.operations import operation
from tests.tenants import Tenant


class GraphQLClient:
    """Runs the named operations of graphql/*.graphql (or raw documents) as one workspace's owner."""

    def __init__(self, http: httpx.AsyncClient, token: str | None) -> None:
        self.http = http
        self.token = token

    async def post(
        self, document: str, variables: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, Any]]:
        """POST a document; returns the status code and the JSON body."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = await self.http.post(
            "/graphql", json={"query": document, "variables": variables or {}}, headers=headers
        )
        return response.status_code, response.json()

    async def run(self, name: str, **variables: Any) -> dict[str, Any]:
        """Run operation `name` and return its data, failing the test on any GraphQL error."""
        status, body = await self.post(operation(name), variables)
        assert status == 200, body
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data


@pytest.fixture(scope="session")
def app(services: Services) -> Litestar:
    """The app over the session's services."""
    return create_app(services.settings, services)


@pytest.fixture(scope="session")
async def http(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client calling the app in this event loop (the session's pool lives here)."""
    # httpx types an ASGI app with plain mappings where Litestar's takes TypedDict scopes and events,
    # so the app matches the protocol but not httpx's annotation of it
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def gql(http: httpx.AsyncClient, tenant: Tenant) -> GraphQLClient:
    """A GraphQL client acting as the owner of this test's workspace."""
    return GraphQLClient(http, tenant.token)
