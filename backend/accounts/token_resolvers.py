"""GraphQL queries and mutations of API tokens (admins and owners manage their workspace's tokens)."""

# Strawberry's field decorators are typed as returning Any (see pyproject's override for resolvers,
# whose module pattern cannot match this file's name); its mypy plugin checks the types themselves.
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import strawberry

from backend.accounts.roles import Permission
from backend.accounts.token_types import (
    MAX_EXPIRY_DAYS,
    ApiToken,
    CreateApiTokenInput,
    CreateApiTokenResult,
    CreatedApiToken,
    RevokeApiTokenResult,
)
from backend.gql.common import NotFound, Refused
from backend.gql.context import Info, principal_of
from backend.gql.permissions import requires
from backend.problems import Refused as RefusedRecord


def _token_id(value: str) -> UUID | None:
    # a malformed id is answered like an unknown one
    try:
        return UUID(value)
    except ValueError:
        return None


@strawberry.type
class TokenQuery:
    @strawberry.field(
        description="Your workspace's API tokens, newest first, revoked and expired ones included.",
        extensions=requires(Permission.MANAGE),
    )
    async def api_tokens(self, info: Info) -> list[ApiToken]:
        records = await info.context.services.accounts.tokens(principal_of(info))
        return [ApiToken.of(record) for record in records]


@strawberry.type
class TokenMutation:
    @strawberry.mutation(
        description="Create an API token with a role no higher than yours; its secret is shown only here.",
        extensions=requires(Permission.MANAGE),
    )
    async def create_api_token(self, info: Info, input: CreateApiTokenInput) -> CreateApiTokenResult:
        principal = principal_of(info)
        days = input.expires_in_days
        if days is not None and not 1 <= days <= MAX_EXPIRY_DAYS:
            return Refused(code="INVALID_EXPIRY", message=f"Expire in 1 to {MAX_EXPIRY_DAYS} days, or never.")
        expires_at = None if days is None else datetime.now(UTC) + timedelta(days=days)
        issued = await info.context.services.accounts.issue_token(
            principal, input.name, input.role, expires_at
        )
        if isinstance(issued, RefusedRecord):
            return Refused.of(issued)
        record = await info.context.services.accounts.token(principal, issued.id)
        if record is None:  # its row went with its workspace or its creator, in between
            return Refused(code="NOT_FOUND", message="The token was deleted as soon as it was created.")
        return CreatedApiToken(token=ApiToken.of(record), secret=issued.secret)

    @strawberry.mutation(
        description="Revoke an API token: its next request is refused and its open websockets close.",
        extensions=requires(Permission.MANAGE),
    )
    async def revoke_api_token(self, info: Info, id: strawberry.ID) -> RevokeApiTokenResult:
        principal = principal_of(info)
        token_id = _token_id(id)
        revoked = (
            None
            if token_id is None
            else await info.context.services.accounts.revoke_token(
                principal, principal.workspace_id, token_id
            )
        )
        if revoked is None:
            return NotFound(id=id, message=f"no token {id}")
        return ApiToken.of(revoked)
