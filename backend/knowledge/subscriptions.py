"""GraphQL subscription of the knowledge slice: documents' ingestion progress."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from backend.accounts.roles import Permission
from backend.gql.common import UserInputError
from backend.gql.context import Info, principal_of
from backend.gql.permissions import requires
from backend.knowledge.types import DocumentProgress


@strawberry.type
class KnowledgeSubscription:
    @strawberry.subscription(
        description="Ingestion progress of a collection's documents: first every document still "
        "PENDING or PROCESSING, then each step (chunks embedded so far, READY, FAILED with the error).",
        extensions=requires(Permission.READ),
    )
    async def document_progress(
        self, info: Info, collection_id: strawberry.ID
    ) -> AsyncGenerator[DocumentProgress, None]:
        principal = principal_of(info)
        collection = await info.context.services.knowledge.get(principal, collection_id)
        if collection is None:
            raise UserInputError(f"no collection {collection_id}")
        async for progress in info.context.services.knowledge.progress(principal, collection):
            yield DocumentProgress.of(progress)
