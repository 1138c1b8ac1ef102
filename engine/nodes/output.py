"""Executor of `output` nodes: the value that becomes the run's output."""

from __future__ import annotations

from engine.dsl import OutputNode
from engine.nodes.base import NodeContext, NodeResult


async def execute(spec: OutputNode, context: NodeContext) -> NodeResult:
    """Render the node's value: a template, or a mapping of templates.

    A string that is exactly one `{{ expression }}` keeps the expression's type, so
    `{{ nodes.n1.output }}` passes a list or mapping through as it is.

    Args:
        spec: The node.
        context: The attempt's context.

    Returns:
        The rendered value.

    Raises:
        NodeError: A template fails (not retryable).
    """
    return NodeResult(output=await context.render_value(spec.params.value))
