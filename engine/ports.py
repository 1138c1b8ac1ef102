"""The engine's ports: everything outside it, as protocols.

The backend implements them over PostgreSQL, Redis and provider credentials; `engine.testing`
implements each in memory. One conformance suite (tests/conformance) runs against both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol
from uuid import UUID

from pydantic import JsonValue
from pydantic_ai.models import Model

from engine.filters import Filter
from engine.records import HumanTask, NodeRun, RunEvent, RunRecord, RunState, Transition, Usage


class RunStore(Protocol):
    """Durable run state."""

    async def create(self, run: RunRecord, node_runs: Sequence[NodeRun] = ()) -> None:
        """Record a new PENDING run (no events yet), with the node runs it starts from, atomically.

        Raises:
            UnstorableTransitionError: the store cannot hold what the run carries; nothing was recorded.
        """
        ...

    async def load(self, run_id: UUID) -> RunState | None:
        """Everything recorded about a run, or None."""
        ...

    async def commit(self, transition: Transition) -> None:
        """Make a transition durable, all of it or none of it; returns once it is.

        Raises:
            StaleRunError: the run's `last_seq` is no longer `transition.expected_seq`.
            UnstorableTransitionError: the store cannot hold what the transition carries; nothing
                of it was written, and other runs' transitions are not affected.
        """
        ...


class EventSink(Protocol):
    """Live delivery of run events to subscribers, after the events are durable."""

    async def publish(
        self, events: Sequence[RunEvent], *, run: RunRecord | None = None, tasks: Sequence[HumanTask] = ()
    ) -> None:
        """Fan committed (and ephemeral) events out; never raises for delivery problems.

        With a committed transition come the run as it now is (`run`, for listings of runs) and the
        human tasks the transition opened or closed (`tasks`, for approval inboxes).
        """
        ...


class MissingCredentialsError(Exception):
    """A model or embedding provider needs credentials the workspace has not set."""

    def __init__(self, provider: str, message: str) -> None:
        super().__init__(message)
        self.provider = provider


class ModelFactory(Protocol):
    """Model strings (`openai:gpt-4o`, `openai-chat:…`, `anthropic:…`, `ollama:…`, `test`) → models."""

    async def model(self, workspace_id: UUID, model: str) -> Model:
        """A pydantic-ai model for `model`, configured with the workspace's credentials.

        Raises:
            MissingCredentialsError: the provider has no credentials in this workspace.
        """
        ...


@dataclass(frozen=True, slots=True)
class Embeddings:
    """Vectors for a batch of texts, in order, and the model that made them."""

    model: str
    vectors: list[list[float]]
    usage: Usage = field(default_factory=Usage)


class Embedder(Protocol):
    """Texts → vectors."""

    async def embed(
        self, workspace_id: UUID, model: str | None, texts: Sequence[str], *, query: bool = False
    ) -> Embeddings:
        """Embed `texts` with `model` (None: the workspace's default embedding model).

        `query` marks search queries, for models that embed queries and documents differently.
        """
        ...


@dataclass(frozen=True, slots=True)
class Chunk:
    """A piece of text stored in a collection, with its vector."""

    id: str
    text: str
    vector: list[float]
    metadata: Mapping[str, JsonValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Hit:
    """A search result: a chunk and how well it matched (higher is better)."""

    id: str
    text: str
    score: float
    metadata: Mapping[str, JsonValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CollectionInfo:
    """A collection's embedding model and vector dimension (fixed at creation)."""

    name: str
    model: str
    dimension: int


class DimensionMismatchError(Exception):
    """Vectors of the wrong dimension were written to (or searched in) a collection."""


SearchMode = Literal["semantic", "keyword", "hybrid"]
"""How a search ranks: by vector similarity, by keyword, or both fused."""


class VectorStore(Protocol):
    """Collections of embedded chunks, per workspace."""

    async def collection(self, workspace_id: UUID, name: str) -> CollectionInfo | None:
        """A collection's model and dimension, or None when it does not exist."""
        ...

    async def upsert(self, workspace_id: UUID, collection: CollectionInfo, chunks: Sequence[Chunk]) -> None:
        """Insert or replace chunks by id, creating the collection on first write.

        Raises:
            DimensionMismatchError: the collection exists with another model or dimension.
        """
        ...

    async def search(
        self,
        workspace_id: UUID,
        collection: str,
        vector: Sequence[float] | None,
        *,
        top_k: int,
        filter: Filter | None = None,
        mode: SearchMode = "semantic",
        query_text: str | None = None,
    ) -> list[Hit]:
        """The best `top_k` chunks whose metadata matches `filter` (`engine.filters`).

        `semantic`: nearest to `vector`; `keyword`: full-text match of `query_text` (no vector
        needed); `hybrid`: both rankings fused by reciprocal rank.

        Raises:
            DimensionMismatchError: `vector` does not have the collection's dimension.
        """
        ...


@dataclass(frozen=True, slots=True)
class SpendRequest:
    """A model call about to be made, for a `BudgetGuard` to let through or hold."""

    workspace_id: UUID
    run_id: UUID
    node_id: str
    model: str
    estimate_usd: float
    """What the call is expected to cost (`engine.budgets.estimate`)."""
    run_cost_usd: float
    """What the run has cost so far, as the executing engine knows it."""
    approvals: Mapping[str, int] = field(default_factory=dict)
    """How often a hold on each budget (by key) was approved in this run: each approval extends
    the run's allowance on that budget by one more limit (`engine.budgets.allowance`)."""


@dataclass(frozen=True, slots=True)
class BudgetExceeded:
    """The budget a model call would exceed, and where it stands."""

    budget: str
    """The budget's key (the backend: its id); approvals of holds on it are counted by it."""
    description: str
    """What the budget is, for people: "the workspace's daily budget"."""
    limit_usd: float
    allowance_usd: float
    """The limit, extended by this run's approvals on the budget."""
    spent_usd: float
    """What the budget has counted so far (this run's cost for a per-run budget)."""


class BudgetGuard(Protocol):
    """Cost budgets: whether a model call may go ahead."""

    async def check(self, request: SpendRequest) -> BudgetExceeded | None:
        """None when the call fits every budget that applies; else the (first) budget it would exceed.

        A call exceeds a budget when what the budget counted plus the call's estimate is above the
        run's allowance on it, or what it counted already reached the allowance (`engine.budgets`).
        """
        ...
