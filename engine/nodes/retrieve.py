"""Executor of `retrieve` nodes: a search in a knowledge collection."""

from __future__ import annotations

from engine.dsl import RetrieveNode
from engine.nodes.base import NodeContext, NodeError, NodeResult
from engine.nodes.knowledge import search


async def execute(spec: RetrieveNode, context: NodeContext) -> NodeResult:
    """Embed the rendered query with the collection's model and return the top-k chunks.

    Args:
        spec: The node.
        context: The node's context.

    Returns:
        `{"hits": [{"id", "text", "score", "metadata"}]}`, best first.

    Raises:
        NodeError: The collection does not exist, the query or filter renders wrong (not
            retryable), or the embedder failed.
    """
    params = spec.params
    query = await context.render(params.query)
    rendered_filter = await context.render_value(params.filter)
    if rendered_filter is not None and not isinstance(rendered_filter, dict):
        raise NodeError("the filter must render to an object", retryable=False)
    hits, usage = await search(
        context,
        params.collection,
        query,
        top_k=params.top_k,
        filter=rendered_filter,
        mode=params.mode,
    )
    return NodeResult(output={"hits": hits}, usage=usage)
