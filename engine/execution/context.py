"""The `NodeContext` an executor gets: one per attempt, sharing everything run-wide."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from pydantic import JsonValue

from engine.execution.plan import Plan
from engine.execution.rendering import NodeOutputs, Scope, evaluate, render_text, render_value
from engine.nodes.base import NodeServices


@dataclass(slots=True)
class RunScope:
    """What every attempt of a run shares (built once per execution)."""

    run_id: UUID
    workspace_id: UUID
    inputs: JsonValue
    """The run inputs (`{{inputs}}`)."""
    outputs: dict[str, JsonValue]
    """Each node's latest output (`{{nodes.X.output}}`); the scheduler keeps it current."""
    services: NodeServices
    plan: Plan
    emit: Callable[[str, int, str], None]
    """Publishes a token delta of (node id, iteration, text)."""
    nodes: NodeOutputs = field(init=False)

    def __post_init__(self) -> None:
        self.nodes = NodeOutputs(self.outputs)


class AttemptContext:
    """Implements `engine.nodes.base.NodeContext` for one attempt of one node."""

    __slots__ = ("_names", "_run", "attempt", "input", "iteration", "node_id")

    def __init__(self, run: RunScope, node_id: str, iteration: int, attempt: int, value: JsonValue) -> None:
        """Describe attempt `attempt` of iteration `iteration` of `node_id`, whose `{{input}}` is `value`."""
        self._run = run
        self._names: Scope | None = None
        self.node_id = node_id
        self.iteration = iteration
        self.attempt = attempt
        self.input = value

    @property
    def run_id(self) -> UUID:
        """The run."""
        return self._run.run_id

    @property
    def workspace_id(self) -> UUID:
        """The run's workspace."""
        return self._run.workspace_id

    @property
    def services(self) -> NodeServices:
        """The ports."""
        return self._run.services

    def _scope(self) -> Scope:
        # Built on first use: most executors that never render should not pay for it.
        names = self._names
        if names is None:
            run = self._run
            names = self._names = {
                "input": self.input,
                "inputs": run.inputs,
                "iteration": self.iteration,
                "nodes": run.nodes,
            }
        return names

    def _where(self, source: str) -> str | None:
        return self._run.plan.template_paths(self.node_id).get(source)

    async def render(self, template: str) -> str:
        """Render a template to text; see `NodeContext.render`."""
        return await render_text(template, self._scope(), self._where(template), self.services.limits)

    async def render_value(self, value: JsonValue) -> JsonValue:
        """Render every string leaf of a JSON value; see `NodeContext.render_value`."""
        return await render_value(value, self._scope(), self._where, self.services.limits)

    async def evaluate(self, expression: str) -> Any:
        """Evaluate a template expression; see `NodeContext.evaluate`."""
        return await evaluate(expression, self._scope(), self._where(expression), self.services.limits)

    def emit_delta(self, text: str) -> None:
        """Stream a chunk of output as an ephemeral NODE_DELTA event."""
        self._run.emit(self.node_id, self.iteration, text)
