"""The GraphQL context: services, the authenticated principal and the request's loaders."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import strawberry
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from strawberry.litestar import BaseContext

from backend.accounts.records import Principal
from backend.gql.loaders import Loaders

if TYPE_CHECKING:
    # Only a type here: importing the composition root would load the broker, the engine and the
    # database for `flowloom export-schema`, which needs none of them (start-up time).
    from backend.services import Services


class NotAuthenticatedError(Exception):
    """A resolver ran without a principal (the controller rejects such requests first)."""


class Context(BaseContext, kw_only=True):
    """What every resolver sees as `info.context`."""

    services: Services
    principal: Principal | None = None
    loaders: Loaders | None = None
    connection_params: dict[str, Any] | None = None  # Strawberry fills it on websocket connections

    def authenticate(self, principal: Principal | None) -> None:
        """Act as `principal` from now on, with fresh loaders."""
        self.principal = principal
        self.loaders = None if principal is None else Loaders.create(self.services, principal)


Info = strawberry.Info[Context, None]


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer …` header."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


async def context_getter(request: ASGIConnection[Any, Any, Any, Any]) -> Context:
    """Build the context of an HTTP request or websocket (websockets authenticate on connection_init)."""
    services: Services = request.app.state.services
    context = Context(services=services)
    if request.scope["type"] == ScopeType.HTTP:
        context.authenticate(
            await services.accounts.authenticate(bearer_token(request.headers.get("authorization")))
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
