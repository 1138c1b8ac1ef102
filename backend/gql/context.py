"""The GraphQL context: services, the authenticated principal and the request's loaders."""

from __future__ import annotations

import hmac
from typing import Any

import strawberry
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from strawberry.litestar import BaseContext

from backend.accounts.digests import csrf_token
from backend.accounts.records import Caller, Principal
from backend.gql.api import Api
from backend.gql.loaders import Loaders
from engine import log_context


class NotAuthenticatedError(Exception):
    """A resolver ran without a principal (the controller rejects such requests first)."""


SESSION_COOKIE = "flowloom_session"
"""The browser session's cookie (HttpOnly; its value is an opaque secret)."""
CSRF_HEADER = "x-csrf-token"
"""Cookie-authenticated POSTs carry the session's CSRF token here (`GET /auth/session` gives it)."""
WORKSPACE_HEADER = "x-flowloom-workspace"
"""The slug of the workspace a browser-session request acts in (default: the caller's first)."""
WORKSPACE_PARAM = "workspace"
"""The same, in a websocket's connection_init payload."""


class Context(BaseContext, kw_only=True):
    """What every resolver sees as `info.context`."""

    services: Api
    caller: Caller | None = None
    """Who is calling (a session's person or a token's creator), None when nobody signed in."""
    principal: Principal | None = None
    """The caller in the workspace the request acts in; None when they are not a member of it."""
    loaders: Loaders | None = None
    csrf_failed: bool = False
    """A cookie-authenticated POST without the session's CSRF token (answered 403)."""
    connection_params: dict[str, Any] | None = None  # Strawberry fills it on websocket connections

    def authenticate(self, principal: Principal | None, caller: Caller | None = None) -> None:
        """Act as `principal` (and `caller`: by default the principal's own) from now on."""
        if caller is None and principal is not None:
            caller = Caller(
                user_id=principal.user_id,
                session_id=principal.session_id,
                token_id=principal.token_id,
                address=principal.address,
            )
        self.caller = caller
        self.principal = principal
        log_context.bind_workspace(None if principal is None else principal.workspace_id)
        self.loaders = None if principal is None else Loaders.create(self.services, principal)


Info = strawberry.Info[Context, None]


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer …` header."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def client_address(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The client's address as the server sees it."""
    return connection.client.host if connection.client is not None else None


async def authenticate_connection(
    context: Context,
    connection: ASGIConnection[Any, Any, Any, Any],
    token: str | None,
    workspace: str | None,
) -> None:
    """Authenticate with an API token, else with the session cookie acting in `workspace`.

    A token acts in its own workspace; `workspace` only chooses among a session's.
    """
    accounts = context.services.accounts
    address = client_address(connection)
    if token is not None:
        context.authenticate(await accounts.authenticate(token, address))
        return
    secret = connection.cookies.get(SESSION_COOKIE)
    found = await accounts.session(secret, address, workspace or None)
    if found is None or secret is None:
        return
    caller, principal = found
    if connection.scope["type"] == ScopeType.HTTP and connection.scope.get("method") != "GET":
        # GET is query-only (Strawberry refuses mutations over GET); anything else must prove it comes
        # from a page of ours. Websockets are guarded by the Origin check instead.
        context.csrf_failed = not hmac.compare_digest(
            connection.headers.get(CSRF_HEADER, ""), csrf_token(secret)
        )
    context.authenticate(principal, caller)


async def context_getter(request: ASGIConnection[Any, Any, Any, Any]) -> Context:
    """Build the context of an HTTP request or websocket (websockets authenticate on connection_init)."""
    services: Api = request.app.state.services
    context = Context(services=services)
    if request.scope["type"] == ScopeType.HTTP:
        authorization = request.headers.get("authorization")
        await authenticate_connection(
            context,
            request,
            None if authorization is None else bearer_token(authorization) or "",
            request.headers.get(WORKSPACE_HEADER),
        )
    return context


def principal_of(info: Info) -> Principal:
    """The caller's principal; resolvers use this instead of reading the context directly."""
    principal = info.context.principal
    if principal is None:
        raise NotAuthenticatedError("authentication required")
    return principal


def loaders_of(info: Info) -> Loaders:
    """The caller's loaders."""
    loaders = info.context.loaders
    if loaders is None:
        raise NotAuthenticatedError("authentication required")
    return loaders
