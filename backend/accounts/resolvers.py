"""GraphQL queries of the accounts slice."""

from __future__ import annotations

import strawberry

from backend.accounts.types import User
from backend.gql.context import Info, principal_of


@strawberry.type
class AccountsQuery:
    @strawberry.field(description="The caller.")
    async def viewer(self, info: Info) -> User | None:
        record = await info.context.services.accounts.viewer(principal_of(info))
        return None if record is None else User.from_record(record)
