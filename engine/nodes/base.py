"""What a node executor gets and returns: the contract between the scheduler and every node kind."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar
from uuid import UUID

from pydantic import JsonValue

from engine.budgets import NoBudgets
from engine.dsl import NodeBase
from engine.limits import RunLimits
from engine.ports import BudgetGuard, Embedder, ModelFactory, VectorStore
from engine.pricing import DEFAULT_PRICE_TABLE, PriceTable
from engine.records import NO_USAGE, Usage
from engine.telemetry import NO_TELEMETRY, Telemetry


@dataclass(frozen=True, slots=True)
class HttpSettings:
    """How the HTTP tool (and the LLM's HTTP tools) may reach the network."""

    allowlist: frozenset[str] = frozenset()
    """Host names (or IP literals) allowed even though they resolve to private addresses."""
    max_response_bytes: int = 10_000_000
    """Responses larger than this fail the node instead of filling memory."""
    max_redirects: int = 5


@dataclass(frozen=True, slots=True)
class NodeServices:
    """The ports I/O nodes use; the scheduler passes the same bundle to every node."""

    models: ModelFactory
    embedder: Embedder
    vectors: VectorStore
    http: HttpSettings = field(default_factory=HttpSettings)
    limits: RunLimits = field(default_factory=RunLimits)
    """Bounds on node outputs and templates."""
    prices: PriceTable = DEFAULT_PRICE_TABLE
    """What model calls cost (`engine.pricing`): node usage is recorded with its cost."""
    budgets: BudgetGuard = field(default_factory=NoBudgets)
    """Cost budgets that may hold a model call for approval (`engine.budgets`)."""
    telemetry: Telemetry = NO_TELEMETRY
    """Told about each attempt (traces, metrics); gives the trace headers outbound requests carry."""


@dataclass(frozen=True, slots=True)
class HumanWait:
    """A request to pause a node's branch until input arrives (a human node, or a budget hold)."""

    prompt: str
    schema: JsonValue
    due_at: datetime | None = None
    budget: str | None = None
    """Set for a budget hold (`engine.budgets`): the budget's key. Answering it re-runs the node
    (approved) or fails the run (rejected) instead of making the answer the node's output."""


@dataclass(frozen=True, slots=True)
class NodeResult:
    """What a node produced."""

    output: JsonValue = None
    branch: str | None = None
    """The output branch to follow (condition nodes); None follows the plain edges."""
    usage: Usage = NO_USAGE
    wait: HumanWait | None = None
    """Set by human nodes: the node goes WAITING instead of SUCCEEDED."""


class NodeError(Exception):
    """A node failed with a message for the user; `retryable=False` skips the retry policy."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class NodeContext(Protocol):
    """Everything a node executor may use; built by the scheduler for each attempt."""

    @property
    def run_id(self) -> UUID:
        """The run."""
        ...

    @property
    def workspace_id(self) -> UUID:
        """The run's workspace; every port call is scoped by it."""
        ...

    @property
    def node_id(self) -> str:
        """The node."""
        ...

    @property
    def iteration(self) -> int:
        """0 the first time the node runs in this run, then 1, 2… inside loops."""
        ...

    @property
    def attempt(self) -> int:
        """1 for the first attempt of this iteration, 2 for the first retry…"""
        ...

    @property
    def input(self) -> JsonValue:
        """`{{input}}`: the single parent's output, the run inputs for a root, a mapping for a join."""
        ...

    @property
    def services(self) -> NodeServices:
        """The ports."""
        ...

    async def render(self, template: str) -> str:
        """Render a template to text (Jinja sandbox, StrictUndefined), within `services.limits`.

        Asynchronous because a costly template is rendered in a worker thread, off the event loop.

        Raises:
            NodeError: the template fails or exceeds its budget (non-retryable; the message names
                the variable or the limit).
        """
        ...

    async def render_value(self, value: JsonValue) -> JsonValue:
        """Render every string leaf of a JSON value, within `services.limits` (one budget for all).

        A string that is exactly one `{{ expression }}` becomes the expression's value (a list stays
        a list); any other string renders to text.

        Raises:
            NodeError: a template fails or exceeds its budget (non-retryable).
        """
        ...

    async def evaluate(self, expression: str) -> Any:
        """Evaluate a template expression such as `input.score > 0.5`, within `services.limits`.

        Raises:
            NodeError: the expression fails or exceeds its budget (non-retryable).
        """
        ...

    def emit_delta(self, text: str) -> None:
        """Stream a chunk of output (an ephemeral NODE_DELTA event)."""
        ...


SpecT_contra = TypeVar("SpecT_contra", bound=NodeBase, contravariant=True)


class NodeExecutor(Protocol[SpecT_contra]):
    """Runs one attempt of a node of one kind."""

    def __call__(self, spec: SpecT_contra, context: NodeContext) -> Awaitable[NodeResult]:
        """Execute `spec` and return its result, or raise NodeError."""
        ...


ExecutorFunction = Callable[[Any, NodeContext], Awaitable[NodeResult]]
