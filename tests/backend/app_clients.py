"""The app over the session's services with some settings changed, and a client calling it in process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import httpx

from backend.app import create_app
from backend.services import Services
from tests.backend.conftest import GraphQLClient


@asynccontextmanager
async def client_with(services: Services, token: str, **changes: Any) -> AsyncIterator[GraphQLClient]:
    """A GraphQL client (acting with `token`) of an app whose settings differ by `changes`."""
    app = create_app(replace(services.settings, **changes), services)
    # httpx types an ASGI app with plain mappings where Litestar's takes TypedDict scopes and events
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http, token)
