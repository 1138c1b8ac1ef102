"""Embedding and searching knowledge collections: shared by the `embedding` and `retrieve` nodes
and the LLM's retrieve tool."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from pydantic import JsonValue

from engine.filters import FilterSyntaxError, parse_filter
from engine.nodes.base import NodeContext, NodeError
from engine.nodes.model_errors import PROVIDER_ERRORS, provider_failure
from engine.ports import DimensionMismatchError, Embeddings, Hit, SearchMode
from engine.records import Usage


async def embed(
    context: NodeContext, model: str | None, texts: Sequence[str], *, query: bool = False
) -> Embeddings:
    """Embed texts with the workspace's embedder.

    Args:
        context: The node's context.
        model: The embedding model; None for the workspace default.
        texts: What to embed.
        query: Whether the texts are search queries.

    Returns:
        One vector per text, and their usage priced by the embedding model.

    Raises:
        NodeError: A text is blank (not retryable), or the provider failed.
    """
    if any(not text.strip() for text in texts):
        raise NodeError("there is no text to embed (it rendered empty)", retryable=False)
    services = context.services
    try:
        embeddings = await services.embedder.embed(context.workspace_id, model, texts, query=query)
    except PROVIDER_ERRORS as error:
        raise provider_failure(error) from error
    return replace(embeddings, usage=services.prices.priced(embeddings.model, embeddings.usage))


def hit_output(hit: Hit) -> JsonValue:
    """A search hit as JSON: `{"id", "text", "score", "metadata"}`."""
    return {"id": hit.id, "text": hit.text, "score": hit.score, "metadata": dict(hit.metadata)}


async def search(
    context: NodeContext,
    collection: str,
    query: str,
    *,
    top_k: int,
    filter: Mapping[str, JsonValue] | None = None,
    mode: SearchMode = "semantic",
) -> tuple[list[JsonValue], Usage]:
    """Search a collection with a text query embedded by the collection's own model.

    Args:
        context: The node's context.
        collection: The collection's name.
        query: The search text.
        top_k: How many hits to return at most.
        filter: Metadata every hit must match, in the filter language of `engine.filters`.
        mode: Semantic (vector similarity), keyword (full text) or hybrid (both, fused).

    Returns:
        The hits (best first) as JSON, and what embedding the query cost.

    Raises:
        NodeError: The collection does not exist, the query is blank or the filter is not valid
            (not retryable), or the embedder failed.
    """
    try:
        parsed = parse_filter(filter)
    except FilterSyntaxError as error:
        raise NodeError(f"the filter is not valid: {error}", retryable=False) from error
    vectors = context.services.vectors
    info = await vectors.collection(context.workspace_id, collection)
    if info is None:
        raise NodeError(f"no collection {collection!r} in this workspace", retryable=False)
    if not query.strip():
        raise NodeError("there is no text to search for (it rendered empty)", retryable=False)
    usage = Usage()
    vector = None
    if mode != "keyword":
        embeddings = await embed(context, info.model, [query], query=True)
        vector, usage = embeddings.vectors[0], embeddings.usage
    try:
        hits = await vectors.search(
            context.workspace_id,
            collection,
            vector,
            top_k=top_k,
            filter=parsed,
            mode=mode,
            query_text=query,
        )
    except DimensionMismatchError as error:
        raise NodeError(f"cannot search collection {collection!r}: {error}", retryable=False) from error
    return [hit_output(hit) for hit in hits], usage
