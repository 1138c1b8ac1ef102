"""Per-request DataLoaders: a list query costs the same number of statements whatever its size."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from strawberry.dataloader import DataLoader

from backend.accounts.records import Principal
from backend.knowledge.records import CollectionStats, DocumentRecord
from backend.runs.retention_records import RunRetention
from backend.triggers.records import TriggerOfRun
from backend.workflows.records import WorkflowRecord, WorkflowVersionRecord
from engine.records import NodeRun, RunRecord

if TYPE_CHECKING:
    # Only a type here: importing the composition root would load the broker, the engine and the
    # database for `flowloom export-schema`, which needs none of them (start-up time).
    from backend.gql.api import Api


@dataclass
class Loaders:
    """The batching loaders of one request, scoped to its principal's workspace."""

    workflow_versions: DataLoader[UUID, list[WorkflowVersionRecord]]
    workflows: DataLoader[UUID, WorkflowRecord | None]
    """Workflows by id, deleted ones included (a run keeps showing the workflow it ran)."""
    node_runs: DataLoader[UUID, list[NodeRun]]
    retention: DataLoader[UUID, RunRetention]
    """What retention took from each run (pruned events and node data)."""
    definitions: DataLoader[tuple[UUID, int], dict[str, Any] | None]
    """Definitions by (workflow id, version): what each run executes."""
    last_runs: DataLoader[UUID, RunRecord | None]
    """The newest run of each workflow."""
    collection_stats: DataLoader[UUID, CollectionStats | None]
    documents: DataLoader[UUID, DocumentRecord | None]
    """Knowledge documents by id (search hits name theirs)."""
    run_triggers: DataLoader[UUID, TriggerOfRun | None]
    """What started each run, by run id (None: a person or a token)."""

    @classmethod
    def create(cls, services: Api, principal: Principal) -> Loaders:
        """Fresh loaders for one request (their caches must not outlive it)."""

        async def load_versions(ids: Sequence[UUID]) -> list[list[WorkflowVersionRecord]]:
            return await services.workflows.versions(principal, ids)

        async def load_workflows(ids: Sequence[UUID]) -> list[WorkflowRecord | None]:
            return await services.workflows.many(principal, ids)

        async def load_node_runs(ids: Sequence[UUID]) -> list[list[NodeRun]]:
            return await services.runs.node_runs(principal, ids)

        async def load_retention(ids: Sequence[UUID]) -> list[RunRetention]:
            return await services.runs.retention(principal, ids)

        async def load_definitions(keys: Sequence[tuple[UUID, int]]) -> list[dict[str, Any] | None]:
            return await services.workflows.definitions(principal, keys)

        async def load_last_runs(ids: Sequence[UUID]) -> list[RunRecord | None]:
            return await services.runs.latest(principal, ids)

        async def load_collection_stats(ids: Sequence[UUID]) -> list[CollectionStats | None]:
            return await services.knowledge.stats(principal, ids)

        async def load_documents(ids: Sequence[UUID]) -> list[DocumentRecord | None]:
            return await services.knowledge.documents_of(principal, ids)

        async def load_run_triggers(ids: Sequence[UUID]) -> list[TriggerOfRun | None]:
            return await services.triggers.of_runs(principal, ids)

        return cls(
            run_triggers=DataLoader(load_fn=load_run_triggers),
            workflow_versions=DataLoader(load_fn=load_versions),
            collection_stats=DataLoader(load_fn=load_collection_stats),
            documents=DataLoader(load_fn=load_documents),
            workflows=DataLoader(load_fn=load_workflows),
            node_runs=DataLoader(load_fn=load_node_runs),
            retention=DataLoader(load_fn=load_retention),
            definitions=DataLoader(load_fn=load_definitions),
            last_runs=DataLoader(load_fn=load_last_runs),
        )
