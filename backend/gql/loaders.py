"""Per-request DataLoaders: a list query costs the same number of statements whatever its size."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from strawberry.dataloader import DataLoader

from backend.accounts.records import Principal
from backend.services import Services
from backend.workflows.records import WorkflowVersionRecord


@dataclass
class Loaders:
    """The batching loaders of one request, scoped to its principal's workspace."""

    workflow_versions: DataLoader[UUID, list[WorkflowVersionRecord]]

    @classmethod
    def create(cls, services: Services, principal: Principal) -> Loaders:
        """Fresh loaders for one request (their caches must not outlive it)."""

        async def load_versions(ids: Sequence[UUID]) -> list[list[WorkflowVersionRecord]]:
            return await services.workflows.versions(principal, ids)

        return cls(workflow_versions=DataLoader(load_fn=load_versions))
