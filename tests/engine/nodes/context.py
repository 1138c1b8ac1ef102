"""A NodeContext for calling executors directly: real Jinja rendering, deltas collected in a list.

The scheduler's real context arrives with the execution engine; this one implements the same
protocol with the same template environment, so executors are tested against real rendering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

from jinja2 import TemplateError
from pydantic import JsonValue

from engine.graph.templates import template_environment
from engine.nodes.base import HttpSettings, NodeError, NodeServices
from engine.ports import Embedder, ModelFactory, VectorStore
from tests.engine.nodes.knowledge_doubles import HashEmbedder, MemoryVectorStore

_SINGLE_EXPRESSION = re.compile(r"^\s*\{\{(?P<expression>(?:(?!\{\{|\}\}).)*)\}\}\s*$", re.DOTALL)


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

    def render(self, template: str) -> str:
        try:
            return template_environment().from_string(template).render(self._variables())
        except TemplateError as error:
            raise NodeError(f"template failed: {error}", retryable=False) from error

    def render_value(self, value: JsonValue) -> JsonValue:
        if isinstance(value, str):
            match = _SINGLE_EXPRESSION.match(value)
            if match is None:
                return self.render(value)
            result: JsonValue = self.evaluate(match["expression"])
            return result
        if isinstance(value, list):
            return [self.render_value(item) for item in value]
        if isinstance(value, dict):
            return {key: self.render_value(item) for key, item in value.items()}
        return value

    def evaluate(self, expression: str) -> Any:
        try:
            return template_environment().compile_expression(expression)(**self._variables())
        except TemplateError as error:
            raise NodeError(f"expression failed: {error}", retryable=False) from error

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
