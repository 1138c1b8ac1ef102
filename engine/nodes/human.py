"""Executor of `human` nodes: ask, and let the scheduler wait for the answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engine.dsl import HumanNode
from engine.nodes.base import HumanWait, NodeContext, NodeResult


async def execute(spec: HumanNode, context: NodeContext) -> NodeResult:
    """Render the prompt and request a pause until input matching the schema is submitted.

    Args:
        spec: The node.
        context: The attempt's context.

    Returns:
        A wait: the prompt, the JSON Schema of the answer, and when the task falls due (if ever).

    Raises:
        NodeError: The prompt's template fails (not retryable).
    """
    params = spec.params
    timeout = params.timeout_seconds
    due_at = None if timeout is None else datetime.now(UTC) + timedelta(seconds=timeout)
    prompt = await context.render(params.prompt)
    return NodeResult(wait=HumanWait(prompt, params.input_schema, due_at))
