"""GraphQL queries of the accounts slice."""

from __future__ import annotations

import strawberry

from backend.accounts.roles import Permission
from backend.accounts.types import User
from backend.gql.context import Info
from backend.gql.permissions import requires


@strawberry.type
class AccountsQuery:
    @strawberry.field(
        description="The caller in the workspace this request acts in; null when they belong to none "
        "(a person signed in before accepting any invitation).",
        extensions=requires(Permission.SIGNED_IN),
    )
    async def viewer(self, info: Info) -> User | None:
        principal = info.context.principal
        if principal is None:
            return None
        record = await info.context.services.accounts.viewer(principal)
        return None if record is None else User.from_record(record)
