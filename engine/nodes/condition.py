"""Executor of `condition` nodes: the first case that holds picks the branch; the input passes through."""

from __future__ import annotations

from engine.dsl import ConditionNode
from engine.nodes.base import NodeContext, NodeResult


async def execute(spec: ConditionNode, context: NodeContext) -> NodeResult:
    """Test the cases in order and take the branch of the first truthy one, else the default branch.

    Args:
        spec: The node.
        context: The attempt's context.

    Returns:
        The node's input, unchanged, and the branch taken.

    Raises:
        NodeError: A case's expression fails (not retryable).
    """
    params = spec.params
    for case in params.cases:
        if await context.evaluate(case.when):
            return NodeResult(output=context.input, branch=case.branch)
    return NodeResult(output=context.input, branch=params.default)
