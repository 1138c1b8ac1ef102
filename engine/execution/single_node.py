"""One node of a workflow executed on its own, outside any run (the editor's "test this node").

Dify's single-step run and n8n's pinned data: the node gets an input typed by hand (or copied from a
past run), the run inputs and the upstream outputs its templates name, and runs exactly as it would in
a run — same executor, time limit and value policy — but nothing is recorded as a run, no event is
published, and neither retries nor error edges apply: the person testing sees the first attempt.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from pydantic import JsonValue

from engine.execution.context import AttemptContext, RunScope
from engine.execution.engine import utc_now
from engine.execution.jobs import Failure, run_attempt
from engine.execution.plan import plan_for
from engine.graph import CompiledGraph
from engine.nodes.base import ExecutorFunction, NodeServices
from engine.nodes.registry import EXECUTORS
from engine.records import NO_USAGE, NodeStatus, Usage


@dataclass(frozen=True, slots=True)
class SingleNodeOutcome:
    """What one attempt of a node produced."""

    status: NodeStatus
    """SUCCEEDED, FAILED, or WAITING for a human node (its output is then the task it would open)."""
    output: JsonValue
    error: str | None
    branch: str | None
    """The branch a condition node took."""
    usage: Usage
    started_at: datetime
    finished_at: datetime


def _ignore_delta(node_id: str, iteration: int, text: str) -> None:
    """Token deltas of a test are not streamed anywhere: the answer carries the whole output."""


async def run_single_node(
    graph: CompiledGraph,
    node_id: str,
    *,
    workspace_id: UUID,
    value: JsonValue,
    inputs: JsonValue,
    upstream: Mapping[str, JsonValue],
    services: NodeServices,
    executors: Mapping[str, ExecutorFunction] = EXECUTORS,
) -> SingleNodeOutcome:
    """Execute one attempt of `node_id` with `value` as its `{{input}}`.

    Args:
        graph: The valid, compiled workflow the node belongs to.
        node_id: A node of `graph`.
        workspace_id: Whose credentials, collections and limits the node uses.
        value: The node's `{{input}}`.
        inputs: The run inputs (`{{inputs}}`).
        upstream: Outputs of other nodes by id (`{{nodes.X.output}}`).
        services: The ports the node may use.
        executors: The executor of each node kind.

    Returns:
        The attempt's outcome; an executor's error is a FAILED outcome, never an exception.
    """
    spec = graph.nodes[node_id]
    scope = RunScope(uuid4(), workspace_id, inputs, dict(upstream), services, plan_for(graph), _ignore_delta)
    context = AttemptContext(scope, node_id, iteration=0, attempt=1, value=value)
    started_at = utc_now()
    result, _ = await run_attempt(executors.get(spec.type), spec, context)
    finished_at = utc_now()
    if isinstance(result, Failure):
        return SingleNodeOutcome(
            NodeStatus.FAILED, None, result.message, None, NO_USAGE, started_at, finished_at
        )
    if result.wait is not None:
        task: JsonValue = {"prompt": result.wait.prompt, "schema": result.wait.schema}
        return SingleNodeOutcome(NodeStatus.WAITING, task, None, None, result.usage, started_at, finished_at)
    return SingleNodeOutcome(
        NodeStatus.SUCCEEDED, result.output, None, result.branch, result.usage, started_at, finished_at
    )
