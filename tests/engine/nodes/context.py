"""A NodeContext for calling executors directly: real bounded rendering, deltas collected in a list.

It implements the protocol with the engine's own rendering functions (the same sandbox and budgets
as the scheduler's context), so executors are tested against real rendering.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

from pydantic import JsonValue

from engine.execution.rendering import evaluate, render_text, render_value
from engine.nodes.base import HttpSettings, NodeServices
from engine.ports import Embedder, ModelFactory, VectorStore
from tests.engine.nodes.knowledge_doubles import HashEmbedder, MemoryVectorStore


@dataclass
class Context:
    """One attempt of one node, outside any scheduler."""

    services: NodeServices
    input: JsonValue = None
    inputs: dict[str, JsonValue] = field(default_factory=dict)
    nodes: dict[str, Any] = field(default_factory=dict)
    run_id: UUID = field(default_factory=uuid4)
    workspace_id: UUID = field(default_factory=uuid4)
    node_id: str = "n1"
    iteration: int = 0
    attempt: int = 1
    deltas: list[str] = field(default_factory=list)

    def _variables(self) -> dict[str, Any]:
        return {"input": self.input, "inputs": self.inputs, "nodes": self.nodes, "iteration": self.iteration}

    async def render(self, template: str) -> str:
        return await render_text(template, self._variables(), None, self.services.limits)

    async def render_value(self, value: JsonValue) -> JsonValue:
        return await render_value(value, self._variables(), lambda source: None, self.services.limits)

    async def evaluate(self, expression: str) -> Any:
        return await evaluate(expression, self._variables(), None, self.services.limits)

    def emit_delta(self, text: str) -> None:
        self.deltas.append(text)


def make_context(
    *,
    models: ModelFactory,
    embedder: Embedder | None = None,
    vectors: VectorStore | None = None,
    http: HttpSettings | None = None,
    **fields: Any,
) -> Context:
    """A context over the given ports; in-memory knowledge doubles unless others are given."""
    services = NodeServices(
        models=models,
        embedder=embedder or HashEmbedder(),
        vectors=vectors or MemoryVectorStore(),
        http=http or HttpSettings(),
    )
    return Context(services=services, **fields)
