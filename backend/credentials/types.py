"""GraphQL types of the credentials slice: keys go in, never come out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from backend.credentials.records import CredentialRecord
from backend.gql.common import NotFound, Problem
from backend.gql.secrets import SECRET


@strawberry.type(description="A provider configured in your workspace. The key itself is write-only.")
class Credential:
    provider: str
    base_url: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, record: CredentialRecord) -> Credential:
        """Build from a credential record."""
        return cls(
            provider=record.provider,
            base_url=record.base_url,
            created_at=record.created_at,
            updated_at=record.updated_at,
        )


@strawberry.type(description="The credential was rejected; nothing was stored.")
class InvalidCredential:
    problems: list[Problem]


@strawberry.type(description="A provider's credential was removed.")
class DeletedCredential:
    provider: str


@strawberry.input
class SetCredentialInput:
    provider: str = strawberry.field(
        description="openai (also used by openai-chat: models), anthropic or ollama."
    )
    api_key: str | None = strawberry.field(
        default=None, description="Stored encrypted; never returned.", metadata=SECRET
    )
    base_url: str | None = strawberry.field(
        default=None, description="An OpenAI-compatible or Ollama endpoint."
    )


SetCredentialResult = Annotated[Credential | InvalidCredential, strawberry.union("SetCredentialResult")]
DeleteCredentialResult = Annotated[DeletedCredential | NotFound, strawberry.union("DeleteCredentialResult")]
