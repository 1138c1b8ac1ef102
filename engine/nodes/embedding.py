"""Executor of `embedding` nodes: embed a text and upsert it into a knowledge collection."""

from __future__ import annotations

import uuid

from pydantic import JsonValue

from engine.dsl import EmbeddingNode
from engine.nodes.base import NodeContext, NodeError, NodeResult
from engine.nodes.knowledge import embed
from engine.ports import Chunk, CollectionInfo, DimensionMismatchError

CHUNK_NAMESPACE = uuid.UUID("5b0f6f0e-8c1e-4f5e-9a57-2f1f3c0e6a11")
"""Namespace of chunk ids derived from `(run, node, iteration)`."""


def chunk_id(context: NodeContext) -> str:
    """The id of the chunk a node iteration writes.

    Derived from the run, node and iteration, so a retry or a resumed run replaces the chunk
    instead of adding a duplicate.

    Args:
        context: The node's context.

    Returns:
        A UUID string, stable for the same run, node and iteration.
    """
    return str(uuid.uuid5(CHUNK_NAMESPACE, f"{context.run_id}/{context.node_id}/{context.iteration}"))


async def execute(spec: EmbeddingNode, context: NodeContext) -> NodeResult:
    """Embed the rendered text and store it, with its rendered metadata, in the collection.

    A missing collection is created with the embedding's model and dimension; an existing one is
    written with its own model.

    Args:
        spec: The node.
        context: The node's context.

    Returns:
        `{"collection", "id", "dimension", "model"}` and the embedder's usage.

    Raises:
        NodeError: The text renders empty, the node's model differs from the collection's, the
            dimension does not match (not retryable), or the embedder failed.
    """
    params = spec.params
    text = await context.render(params.text)
    metadata = await context.render_value(dict(params.metadata))
    if not isinstance(metadata, dict):
        raise NodeError("the metadata must render to an object", retryable=False)
    vectors = context.services.vectors
    existing = await vectors.collection(context.workspace_id, params.collection)
    model = params.model
    if existing is not None:
        if model is not None and model != existing.model:
            raise NodeError(
                f"collection {params.collection!r} is embedded with {existing.model}, not {model}",
                retryable=False,
            )
        model = existing.model
    embeddings = await embed(context, model, [text])
    vector = embeddings.vectors[0]
    info = existing or CollectionInfo(params.collection, embeddings.model, len(vector))
    chunk = Chunk(id=chunk_id(context), text=text, vector=vector, metadata=metadata)
    try:
        await vectors.upsert(context.workspace_id, info, [chunk])
    except DimensionMismatchError as error:
        raise NodeError(
            f"cannot store in collection {params.collection!r}: {error}", retryable=False
        ) from error
    output: dict[str, JsonValue] = {
        "collection": info.name,
        "id": chunk.id,
        "dimension": len(vector),
        "model": info.model,
    }
    return NodeResult(output=output, usage=embeddings.usage)
