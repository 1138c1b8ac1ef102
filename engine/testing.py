"""In-memory implementations of every engine port, shipped next to the interfaces they implement.

For tests, benchmarks and embedding the engine without a database. They honour the same contracts
as the PostgreSQL implementations (tests/conformance runs both), including `expected_seq`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import anyio
from pydantic import JsonValue
from pydantic_ai.models import Model
from pydantic_ai.models.test import TestModel

from engine.budgets import allowance, exceeds
from engine.dsl import Node
from engine.embeddings import HASHING_MODEL, hashing_vectors
from engine.execution import Engine, utc_now
from engine.filters import Filter, matches
from engine.nodes.base import NodeServices
from engine.ports import (
    BudgetExceeded,
    Chunk,
    CollectionInfo,
    DimensionMismatchError,
    Embeddings,
    Hit,
    SearchMode,
    SpendRequest,
)
from engine.records import (
    HumanTask,
    NodeRun,
    RunEvent,
    RunRecord,
    RunState,
    RunStatus,
    StaleRunError,
    Transition,
    Usage,
)
from engine.telemetry import AttemptReport


class _StoredRun:
    __slots__ = ("events", "node_runs", "run", "tasks")

    def __init__(self, run: RunRecord) -> None:
        self.run = run
        self.node_runs: dict[tuple[str, int], NodeRun] = {}
        self.tasks: dict[tuple[str, int], HumanTask] = {}
        self.events: list[RunEvent] = []


def _same_run(run_id: UUID, owner: UUID) -> bool:
    return owner is run_id or owner == run_id  # identity first: UUID comparison is slow Python code


class InMemoryRunStore:
    """A `RunStore` in dicts; each commit is atomic (checked completely before anything changes)."""

    def __init__(self) -> None:
        """An empty store."""
        self._runs: dict[UUID, _StoredRun] = {}

    async def create(self, run: RunRecord, node_runs: Sequence[NodeRun] = ()) -> None:
        """Record a new run with the node runs it starts from; a run id may be created once."""
        if run.id in self._runs:
            raise ValueError(f"run {run.id} exists already")
        for row in node_runs:
            if not _same_run(run.id, row.run_id):
                raise ValueError(f"a node run of run {row.run_id} given to create run {run.id}")
        stored = self._runs[run.id] = _StoredRun(run)
        for row in node_runs:
            stored.node_runs[row.node_id, row.iteration] = row

    async def load(self, run_id: UUID) -> RunState | None:
        """Everything recorded about a run; node runs in the order they were first recorded."""
        stored = self._runs.get(run_id)
        if stored is None:
            return None
        return RunState(stored.run, tuple(stored.node_runs.values()), tuple(stored.tasks.values()))

    async def commit(self, transition: Transition) -> None:
        """Apply a transition whole, or refuse it.

        Raises:
            StaleRunError: The run's `last_seq` is not `transition.expected_seq`.
            KeyError: No such run.
            ValueError: The transition is inconsistent (seq gaps, records of another run).
        """
        run = transition.run
        run_id = run.id
        stored = self._runs[run_id]
        seq = transition.expected_seq
        if stored.run.last_seq != seq:
            raise StaleRunError(f"run {run_id} is at seq {stored.run.last_seq}, not {seq}")
        for offset, event in enumerate(transition.events, 1):
            if event.seq != seq + offset or not _same_run(run_id, event.run_id):
                raise ValueError(
                    f"event {event.seq} of run {event.run_id} does not continue run {run_id} at {seq}"
                )
        if run.last_seq != seq + len(transition.events):
            raise ValueError(f"run {run_id}: last_seq {run.last_seq} does not cover the transition's events")
        owners = [row.run_id for row in transition.node_runs] + [task.run_id for task in transition.tasks]
        for owner in owners:
            if not _same_run(run_id, owner):
                raise ValueError(f"a transition of run {run_id} changes run {owner}")
        stored.run = run
        node_runs = stored.node_runs
        for row in transition.node_runs:
            node_runs[row.node_id, row.iteration] = row
        tasks = stored.tasks
        for task in transition.tasks:
            tasks[task.node_id, task.iteration] = task
        stored.events.extend(transition.events)

    def events(self, run_id: UUID) -> list[RunEvent]:
        """The persisted events of a run, in `seq` order."""
        return list(self._runs[run_id].events)


class DiscardingEventSink:
    """An `EventSink` that drops everything (benchmarks of what the engine itself costs)."""

    async def publish(
        self, events: Sequence[RunEvent], *, run: RunRecord | None = None, tasks: Sequence[HumanTask] = ()
    ) -> None:
        """Drop the events."""


class RecordingEventSink:
    """An `EventSink` that keeps every published event, and lets a test wait for one."""

    def __init__(self) -> None:
        """No events yet."""
        self.events: list[RunEvent] = []
        self.runs: list[RunRecord] = []
        """The run as each published transition left it."""
        self.tasks: list[HumanTask] = []
        """Human tasks opened or closed by published transitions."""
        self._waiters: list[tuple[Callable[[RunEvent], bool], anyio.Event]] = []

    async def publish(
        self, events: Sequence[RunEvent], *, run: RunRecord | None = None, tasks: Sequence[HumanTask] = ()
    ) -> None:
        """Keep the events (and the run states and tasks that came with them); wake waiting tests."""
        if run is not None:
            self.runs.append(run)
        self.tasks.extend(tasks)
        self.events.extend(events)
        if self._waiters:
            for predicate, woken in self._waiters:
                if any(predicate(event) for event in events):
                    woken.set()

    def of(self, run_id: UUID, *, ephemeral: bool = False) -> list[RunEvent]:
        """The events of one run, persisted ones only unless `ephemeral`."""
        return [
            event for event in self.events if event.run_id == run_id and (ephemeral or not event.ephemeral)
        ]

    async def wait_for(self, predicate: Callable[[RunEvent], bool], *, within: float = 5.0) -> RunEvent:
        """The first event (published so far or later) that matches.

        Raises:
            TimeoutError: None was published within `within` seconds.
        """
        woken = anyio.Event()
        entry = (predicate, woken)
        self._waiters.append(entry)
        try:
            with anyio.fail_after(within):
                while True:
                    found = next((event for event in self.events if predicate(event)), None)
                    if found is not None:
                        return found
                    await woken.wait()
                    woken = anyio.Event()
                    self._waiters.remove(entry)
                    entry = (predicate, woken)
                    self._waiters.append(entry)
        finally:
            self._waiters.remove(entry)


class StaticModelFactory:
    """A `ModelFactory` from a fixed mapping; `test` and unknown model strings give `TestModel()`."""

    def __init__(self, models: Mapping[str, Model] | None = None) -> None:
        """Serve `models` by model string."""
        self._models = dict(models or {})

    async def model(self, workspace_id: UUID, model: str) -> Model:
        """The model for `model` (any workspace)."""
        found = self._models.get(model)
        return found if found is not None else TestModel()


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


_WORD = re.compile(r"\w+")


class HashingEmbedder:
    """An offline, deterministic `Embedder`: a bag of hashed lowercase words, L2-normalised (256 dims)."""

    async def embed(
        self, workspace_id: UUID, model: str | None, texts: Sequence[str], *, query: bool = False
    ) -> Embeddings:
        """Vectors for `texts`; the model is always `hashing-256`, whatever was asked for."""
        words = sum(len(_words(text)) for text in texts)
        return Embeddings(HASHING_MODEL, hashing_vectors(texts), Usage(input_tokens=words, requests=1))


_RRF_K = 60
"""The usual reciprocal-rank-fusion constant: rank r contributes 1 / (60 + r)."""


def _cosine(left: Sequence[float], right: Sequence[float]) -> float:
    dot = sum(a * b for a, b in zip(left, right, strict=True))
    norms = math.sqrt(sum(a * a for a in left)) * math.sqrt(sum(b * b for b in right))
    return dot / norms if norms else 0.0


class InMemoryVectorStore:
    """A `VectorStore` in dicts: exact cosine search, `engine.filters` filters, word-overlap keyword
    search and RRF hybrid search."""

    def __init__(self) -> None:
        """No collections yet."""
        self._collections: dict[tuple[UUID, str], tuple[CollectionInfo, dict[str, Chunk]]] = {}

    async def collection(self, workspace_id: UUID, name: str) -> CollectionInfo | None:
        """A collection's model and dimension, or None."""
        found = self._collections.get((workspace_id, name))
        return None if found is None else found[0]

    async def upsert(self, workspace_id: UUID, collection: CollectionInfo, chunks: Sequence[Chunk]) -> None:
        """Insert or replace chunks by id, creating the collection on first write.

        Raises:
            DimensionMismatchError: Another model or dimension than the collection's, or a vector of
                the wrong length (nothing is written then).
        """
        key = (workspace_id, collection.name)
        info, stored = self._collections.get(key, (collection, {}))
        if (info.model, info.dimension) != (collection.model, collection.dimension):
            raise DimensionMismatchError(
                f"collection {collection.name} holds {info.model} vectors of dimension {info.dimension}"
            )
        for chunk in chunks:
            if len(chunk.vector) != info.dimension:
                raise DimensionMismatchError(
                    f"chunk {chunk.id} has {len(chunk.vector)} dimensions, not {info.dimension}"
                )
        stored.update((chunk.id, chunk) for chunk in chunks)
        self._collections[key] = (info, stored)

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
        """The best `top_k` chunks (ties by id); an unknown collection has none.

        Raises:
            DimensionMismatchError: `vector` does not have the collection's dimension.
        """
        found = self._collections.get((workspace_id, collection))
        if found is None or top_k <= 0:
            return []
        info, stored = found
        candidates = [chunk for chunk in stored.values() if filter is None or matches(filter, chunk.metadata)]
        keyword = _keyword_scores(candidates, query_text or "")
        if mode == "keyword":
            scores = keyword
        else:
            if vector is None:
                raise ValueError(f"a {mode} search needs a vector")
            if len(vector) != info.dimension:
                raise DimensionMismatchError(f"the query has {len(vector)} dimensions, not {info.dimension}")
            semantic = {chunk.id: _cosine(vector, chunk.vector) for chunk in candidates}
            scores = _fused(semantic, keyword) if mode == "hybrid" else semantic
        ranked = sorted(
            (chunk for chunk in candidates if chunk.id in scores),
            key=lambda chunk: (-scores[chunk.id], chunk.id),
        )[:top_k]
        return [Hit(chunk.id, chunk.text, scores[chunk.id], chunk.metadata) for chunk in ranked]


def _keyword_scores(chunks: Sequence[Chunk], query_text: str) -> dict[str, float]:
    # How many distinct query words each chunk contains; chunks with none are not ranked.
    words = set(_words(query_text))
    scores = {chunk.id: float(len(words & set(_words(chunk.text)))) for chunk in chunks}
    return {chunk_id: score for chunk_id, score in scores.items() if score > 0}


def _fused(*rankings: dict[str, float]) -> dict[str, float]:
    fused: dict[str, float] = {}
    for scores in rankings:
        for chunk_id in scores:
            fused.setdefault(chunk_id, 0.0)
        ordered = sorted(scores, key=lambda chunk_id: (-scores[chunk_id], chunk_id))
        for rank, chunk_id in enumerate(ordered, 1):
            fused[chunk_id] += 1.0 / (_RRF_K + rank)
    return fused


class InMemoryBudgetGuard:
    """A `BudgetGuard` with per-run budgets by key; what else a budget counted can be set by hand.

    Each budget counts the run's own cost (as the request reports it) plus `spent_elsewhere[key]`
    (other runs, for a shared budget); `checks` keeps every request, in order.
    """

    def __init__(
        self, limits: Mapping[str, float], *, spent_elsewhere: Mapping[str, float] | None = None
    ) -> None:
        """Budgets by key, with their limits in USD."""
        self.limits = dict(limits)
        self.spent_elsewhere = dict(spent_elsewhere or {})
        self.checks: list[SpendRequest] = []

    async def check(self, request: SpendRequest) -> BudgetExceeded | None:
        """The first budget (in key order) the call would exceed, or None."""
        self.checks.append(request)
        for key in sorted(self.limits):
            limit = self.limits[key]
            spent = request.run_cost_usd + self.spent_elsewhere.get(key, 0.0)
            approvals = request.approvals.get(key, 0)
            if exceeds(spent, request.estimate_usd, limit, approvals):
                return BudgetExceeded(key, f"budget {key}", limit, allowance(limit, approvals), spent)
        return None


@dataclass(frozen=True, slots=True)
class ObservedAttempt:
    """One node attempt as `RecordingTelemetry` saw it."""

    run_id: UUID
    node_id: str
    kind: str
    iteration: int
    attempt: int
    outcome: str
    """`succeeded`, `waiting`, `failed`, or `interrupted` (neither was reported: cancelled)."""
    usage: Usage | None = None
    error: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    """What `outbound_headers` gave while the attempt was open."""


class RecordingTelemetry:
    """The `Telemetry` port in memory: records every attempt and how it ended; while an attempt is
    open, `outbound_headers` names it (`x-attempt: <node>/<attempt>`), as a trace header would."""

    def __init__(self) -> None:
        self.attempts: list[ObservedAttempt] = []
        self._open: ContextVar[str | None] = ContextVar("recording_telemetry_open", default=None)

    @contextmanager
    def attempt(
        self, *, run_id: UUID, workspace_id: UUID, node: Node, iteration: int, attempt: int
    ) -> Iterator[AttemptReport]:
        """Record the attempt when its block ends."""
        report = _RecordedReport()
        token = self._open.set(f"{node.id}/{attempt}")
        try:
            yield report
        finally:
            self._open.reset(token)
            self.attempts.append(
                ObservedAttempt(
                    run_id, node.id, node.type, iteration, attempt, report.outcome, report.usage, report.error
                )
            )

    def outbound_headers(self) -> Mapping[str, str]:
        """`x-attempt` of the open attempt (none outside one)."""
        current = self._open.get()
        return {} if current is None else {"x-attempt": current}


class _RecordedReport:
    def __init__(self) -> None:
        self.outcome = "interrupted"
        self.usage: Usage | None = None
        self.error: str | None = None

    def succeeded(self, usage: Usage, *, waiting: bool) -> None:
        self.outcome = "waiting" if waiting else "succeeded"
        self.usage = usage

    def failed(self, message: str, *, retryable: bool) -> None:
        self.outcome = "failed"
        self.error = message


def memory_services(**overrides: Any) -> NodeServices:
    """`NodeServices` on the in-memory ports (override any field by name)."""
    fields: dict[str, Any] = {
        "models": StaticModelFactory(),
        "embedder": HashingEmbedder(),
        "vectors": InMemoryVectorStore(),
    }
    fields.update(overrides)
    return NodeServices(**fields)


def memory_engine(**overrides: Any) -> Engine:
    """An `Engine` on in-memory ports; override any of its keyword arguments (`store`, `events`, …)."""
    arguments: dict[str, Any] = {
        "store": InMemoryRunStore(),
        "events": RecordingEventSink(),
        "services": memory_services(),
    }
    arguments.update(overrides)
    return Engine(**arguments)


def pending_run(
    inputs: JsonValue = None,
    *,
    workspace_id: UUID | None = None,
    workflow_id: UUID | None = None,
    version: int = 1,
    created_at: datetime | None = None,
) -> RunRecord:
    """A new PENDING run record, as the backend creates one before calling `store.create`."""
    return RunRecord(
        id=uuid4(),
        workspace_id=workspace_id or uuid4(),
        workflow_id=workflow_id or uuid4(),
        version=version,
        status=RunStatus.PENDING,
        inputs=inputs,
        created_at=created_at or utc_now(),
    )
