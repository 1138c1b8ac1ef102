"""GraphQL queries and mutations of the credentials slice."""

from __future__ import annotations

import strawberry

from backend.accounts.roles import Permission
from backend.credentials.records import InvalidCredential as InvalidRecord
from backend.credentials.types import (
    Credential,
    DeleteCredentialResult,
    DeletedCredential,
    InvalidCredential,
    SetCredentialInput,
    SetCredentialResult,
)
from backend.gql.common import NotFound, Problem
from backend.gql.context import Info, principal_of
from backend.gql.permissions import requires


@strawberry.type
class CredentialQuery:
    @strawberry.field(
        description="Providers configured in your workspace (never their keys).",
        extensions=requires(Permission.READ),
    )
    async def credentials(self, info: Info) -> list[Credential]:
        return [
            Credential.of(record)
            for record in await info.context.services.credentials.list(principal_of(info))
        ]


@strawberry.type
class CredentialMutation:
    @strawberry.mutation(
        description="Store a provider's API key (encrypted at rest) and base URL.",
        extensions=requires(Permission.EDIT),
    )
    async def set_credential(self, info: Info, input: SetCredentialInput) -> SetCredentialResult:
        result = await info.context.services.credentials.set(
            principal_of(info), input.provider, input.api_key, input.base_url
        )
        if isinstance(result, InvalidRecord):
            return InvalidCredential(problems=[Problem.from_record(problem) for problem in result.problems])
        return Credential.of(result)

    @strawberry.mutation(description="Remove a provider's credential.", extensions=requires(Permission.EDIT))
    async def delete_credential(self, info: Info, provider: str) -> DeleteCredentialResult:
        if await info.context.services.credentials.delete(principal_of(info), provider):
            return DeletedCredential(provider=provider)
        return NotFound(id=strawberry.ID(provider), message=f"no credential for {provider}")
