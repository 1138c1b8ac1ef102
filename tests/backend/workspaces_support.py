"""People for the workspace tests: each a browser (own cookie jar) or a program (a token) on the app.

A `Browser` keeps its session cookie like a browser does, sends the CSRF header `/auth/session`
gave it, and picks the workspace it acts in with `X-Flowloom-Workspace`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import httpx
from litestar import Litestar

from backend.accounts.invitations import Accepted, IssuedInvite
from backend.accounts.records import Caller, IssuedToken
from backend.accounts.roles import Role
from backend.gql.context import SESSION_COOKIE
from backend.services import Services
from tests.operations import operation
from tests.tenants import Tenant

PASSWORD = "correct horse battery"


class Browser:
    """A person's browser: cookies kept, CSRF header sent, one workspace at a time."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.csrf = ""
        self.workspace: str | None = None

    def sign_in_with(self, secret: str, csrf: str) -> None:
        """Hold a session's cookie (as a sign-in answer would have set it)."""
        self.client.cookies.set(SESSION_COOKIE, secret)
        self.csrf = csrf

    def took_cookie(self, response: httpx.Response) -> None:
        """Keep the CSRF token of the session a sign-in answer just started."""
        assert SESSION_COOKIE in response.cookies, response.text
        self.csrf = response.json()["csrfToken"]

    async def post(self, document: str, variables: dict[str, Any] | None = None) -> httpx.Response:
        """POST a GraphQL document with the cookie, the CSRF header and the workspace header."""
        headers = {"X-CSRF-Token": self.csrf, "Content-Type": "application/json"}
        if self.workspace is not None:
            headers["X-Flowloom-Workspace"] = self.workspace
        # json.dumps escapes lone surrogates (\ud800), which httpx's own encoding cannot send
        body = json.dumps({"query": document, "variables": variables or {}})
        return await self.client.post("/graphql", content=body.encode(), headers=headers)

    async def run(self, name: str, /, **variables: Any) -> dict[str, Any]:
        """Run operation `name`; its data, failing on any GraphQL error."""
        response = await self.post(operation(name), variables)
        body = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def error_code(self, name: str, /, **variables: Any) -> str:
        """The code of the GraphQL error operation `name` gets (it must get one)."""
        response = await self.post(operation(name), variables)
        body = response.json()
        assert "errors" in body, body
        code: str = body["errors"][0]["extensions"]["code"]
        return code


class Program:
    """A program with a bearer token: acts in the token's workspace."""

    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client = client
        self.token = token

    async def post(self, document: str, variables: dict[str, Any] | None = None) -> httpx.Response:
        """POST a GraphQL document with the token."""
        return await self.client.post(
            "/graphql",
            json={"query": document, "variables": variables or {}},
            headers={"Authorization": f"Bearer {self.token}"},
        )

    async def run(self, name: str, /, **variables: Any) -> dict[str, Any]:
        """Run operation `name`; its data, failing on any GraphQL error."""
        response = await self.post(operation(name), variables)
        body = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data


Clients = Callable[[], AbstractAsyncContextManager[httpx.AsyncClient]]


def clients_of(app: Litestar) -> Clients:
    """Fresh HTTP clients on the app, each with its own cookie jar."""

    @asynccontextmanager
    async def client() -> AsyncIterator[httpx.AsyncClient]:
        # httpx types an ASGI app with plain mappings where Litestar's takes TypedDicts (see conftest)
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as opened:
            yield opened

    return client


async def open_session(services: Services, browser: Browser, user_id: UUID, workspace: str) -> None:
    """Sign `browser` in as `user_id` (a session as /auth/login would start it), acting in `workspace`."""
    signed_in = await services.accounts.start_session(user_id, "127.0.0.1", "tests")
    browser.sign_in_with(signed_in.secret, signed_in.csrf_token)
    browser.workspace = workspace


@dataclass(frozen=True)
class Person:
    """Someone who joined a workspace through an invitation, with a password."""

    user_id: UUID
    email: str


async def join(services: Services, tenant: Tenant, role: Role, browser: Browser | None = None) -> Person:
    """Invite a new person into the tenant's workspace as its owner would, and have them accept with
    a new account (the service calls behind the mutation and POST /auth/invite/accept); `browser`,
    when given, is signed in as them, acting in that workspace."""
    email = f"p-{uuid4().hex[:10]}@test.local"
    issued = await services.invitations.invite(tenant.principal, email, role, "http://testserver")
    assert isinstance(issued, IssuedInvite), issued
    secret = issued.url.partition("token=")[2]
    accepted = await services.invitations.accept_as_new_account(secret, PASSWORD, "Pat", None, None)
    assert isinstance(accepted, Accepted), accepted
    if browser is not None:
        browser.sign_in_with(accepted.signed_in.secret, accepted.signed_in.csrf_token)
        browser.workspace = tenant.slug
    return Person(user_id=accepted.signed_in.user_id, email=email)


async def token_for(services: Services, tenant: Tenant, user_id: UUID, role: Role) -> str:
    """An API token of the tenant's workspace created by member `user_id`."""
    principal = await services.accounts.principal(Caller(user_id=user_id), tenant.slug)
    assert principal is not None
    issued = await services.accounts.issue_token(principal, "test", role)
    assert isinstance(issued, IssuedToken), issued
    return issued.secret


async def audit_actions(services: Services, workspace_id: UUID) -> list[str]:
    """The actions recorded for a workspace, oldest first."""
    async with services.db.pool.acquire() as connection:
        rows = await connection.fetch(
            "SELECT action FROM audit_events WHERE workspace_id = $1 ORDER BY at, id", workspace_id
        )
    return [row["action"] for row in rows]
