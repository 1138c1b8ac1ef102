"""GraphQL queries of the accounts slice."""

from __future__ import annotations

import strawberry

from backend.accounts.roles import Permission
from backend.accounts.types import User
from backend.gql.context import Info, principal_of
from backend.gql.permissions import requires


@strawberry.type
class AccountsQuery:
    @strawberry.field(description="The caller.", extensions=requires(Permission.SIGNED_IN))
    async def viewer(self, info: Info) -> User | None:
        record = await info.context.services.accounts.viewer(principal_of(info))
        return None if record is None else User.from_record(record)
