"""GraphQL types of API tokens: a token's secret is shown once, in the answer that creates it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from backend.accounts.records import TokenRecord
from backend.accounts.types import Role  # registered as the GraphQL enum there, once
from backend.gql.common import NotFound, Refused

MAX_EXPIRY_DAYS = 3650


@strawberry.type(description="An API token of your workspace (its secret was shown once, when created).")
class ApiToken:
    id: strawberry.ID
    name: str
    prefix: str = strawberry.field(description="The secret's first characters, to recognise it by.")
    role: Role = strawberry.field(
        description="The token's role; a request acts with the lower of it and its creator's role."
    )
    created_by: str = strawberry.field(description="Email of the member who created it.")
    created_at: datetime
    last_used_at: datetime | None = strawberry.field(description="To the minute.")
    expires_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, record: TokenRecord) -> ApiToken:
        """Build from a token record."""
        return cls(
            id=strawberry.ID(str(record.id)),
            name=record.name,
            prefix=record.prefix,
            role=record.role,
            created_by=record.created_by,
            created_at=record.created_at,
            last_used_at=record.last_used_at,
            expires_at=record.expires_at,
            revoked_at=record.revoked_at,
        )


@strawberry.type(description="A new token and its secret: store the secret now, it is never shown again.")
class CreatedApiToken:
    token: ApiToken
    secret: str = strawberry.field(description="Send it as `Authorization: Bearer <secret>`.")


@strawberry.input
class CreateApiTokenInput:
    name: str = strawberry.field(description="A label to recognise the token by (1 to 200 characters).")
    role: Role = strawberry.field(description="At most your own role.")
    expires_in_days: int | None = strawberry.field(
        default=None, description=f"1 to {MAX_EXPIRY_DAYS}; null: the token does not expire."
    )


CreateApiTokenResult = Annotated[CreatedApiToken | Refused, strawberry.union("CreateApiTokenResult")]
RevokeApiTokenResult = Annotated[ApiToken | NotFound, strawberry.union("RevokeApiTokenResult")]
