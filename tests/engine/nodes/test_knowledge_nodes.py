"""The `embedding` and `retrieve` nodes over an in-memory vector store and a bag-of-words embedder."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import JsonValue

from engine.dsl import EmbeddingNode, RetrieveNode
from engine.filters import Equals
from engine.models import StaticModelFactory
from engine.nodes import embedding, retrieve
from engine.nodes.base import NodeError
from engine.ports import CollectionInfo
from engine.records import Usage
from tests.engine.nodes.context import Context, make_context
from tests.engine.nodes.knowledge_doubles import HashEmbedder, MemoryVectorStore
from tests.json_values import array, at, number, obj


def embed_node(**params: Any) -> EmbeddingNode:
    return EmbeddingNode.model_validate({"id": "store", "type": "embedding", "params": params})


def retrieve_node(**params: Any) -> RetrieveNode:
    return RetrieveNode.model_validate({"id": "find", "type": "retrieve", "params": params})


@pytest.fixture
def context() -> Context:
    return make_context(models=StaticModelFactory({}), embedder=HashEmbedder(), vectors=MemoryVectorStore())


async def store(context: Context, upstream: str, **params: Any) -> dict[str, JsonValue]:
    """Run an embedding node on `upstream` as the next iteration of a loop (one chunk per text)."""
    context.input = upstream
    result = await embedding.execute(embed_node(collection="docs", **params), context)
    context.iteration += 1
    return obj(result.output)


def hits(output: JsonValue) -> list[dict[str, JsonValue]]:
    """The hits of a `retrieve` node's output, best first."""
    return [obj(hit) for hit in array(at(output, "hits"))]


async def test_embedding_creates_the_collection_with_the_models_dimension(context: Context) -> None:
    output = await store(context, "cats purr", model="hash-16")

    assert output == {"collection": "docs", "id": output["id"], "dimension": 16, "model": "hash-16"}
    assert await context.services.vectors.collection(context.workspace_id, "docs") == CollectionInfo(
        "docs", "hash-16", 16
    )


async def test_embedding_without_a_model_uses_the_workspace_default(context: Context) -> None:
    output = await store(context, "cats purr")

    assert output["model"] == "hash-64"


async def test_embedding_reports_the_embedders_usage(context: Context) -> None:
    context.input = "three little words"

    result = await embedding.execute(embed_node(collection="docs"), context)

    # the double's model (hash-64) has no price: its tokens count at 0, marked unpriced
    assert result.usage == Usage(input_tokens=3, requests=1, unpriced=True)


async def test_running_the_same_node_iteration_again_replaces_its_chunk(context: Context) -> None:
    first = await store(context, "first draft")
    context.iteration = 0
    second = await store(context, "final draft")

    assert first["id"] == second["id"]
    result = await retrieve.execute(retrieve_node(collection="docs", query="draft", topK=10), context)
    assert [hit["text"] for hit in hits(result.output)] == ["final draft"]


async def test_text_and_metadata_are_rendered(context: Context) -> None:
    context.inputs = {"lang": "en"}
    await store(context, "ignored", text="Note: {{ input | upper }}", metadata={"lang": "{{ inputs.lang }}"})

    result = await retrieve.execute(retrieve_node(collection="docs", query="note"), context)

    (hit,) = hits(result.output)
    assert hit["text"] == "Note: IGNORED"
    assert hit["metadata"] == {"lang": "en"}


async def test_a_model_other_than_the_collections_is_refused(context: Context) -> None:
    await store(context, "cats purr", model="hash-16")

    with pytest.raises(NodeError, match="embedded with hash-16, not hash-32") as failure:
        await store(context, "dogs bark", model="hash-32")
    assert not failure.value.retryable


async def test_an_empty_text_is_refused(context: Context) -> None:
    with pytest.raises(NodeError, match="no text to embed") as failure:
        await store(context, "   ")
    assert not failure.value.retryable


async def test_retrieve_returns_the_closest_chunks_first(context: Context) -> None:
    for text in ["cats purr when content", "the invoice is due on friday", "dogs bark at cats"]:
        await store(context, text)

    context.input = "do cats purr"

    result = await retrieve.execute(retrieve_node(collection="docs", query="{{ input }}", topK=2), context)

    found = hits(result.output)
    assert [hit["text"] for hit in found] == ["cats purr when content", "dogs bark at cats"]
    assert number(found[0]["score"]) > number(found[1]["score"]) > 0
    assert set(found[0]) == {"id", "text", "score", "metadata"}


async def test_retrieve_embeds_the_query_with_the_collections_model(context: Context) -> None:
    await store(context, "cats purr", model="hash-16")
    context.input = "purring"

    await retrieve.execute(retrieve_node(collection="docs"), context)

    embedder = context.services.embedder
    assert isinstance(embedder, HashEmbedder)
    assert embedder.calls[-1] == ("hash-16", ["purring"], True)


async def test_retrieve_applies_the_rendered_filter_and_mode(context: Context) -> None:
    await store(context, "cats purr", metadata={"lang": "en"})
    await store(context, "les chats ronronnent", metadata={"lang": "fr"})
    context.inputs = {"lang": "fr"}
    spec = retrieve_node(
        collection="docs", query="chats", filter={"lang": "{{ inputs.lang }}"}, mode="hybrid"
    )

    result = await retrieve.execute(spec, context)

    assert [hit["text"] for hit in hits(result.output)] == ["les chats ronronnent"]
    vectors = context.services.vectors
    assert isinstance(vectors, MemoryVectorStore)
    assert vectors.searches[-1] == {
        "collection": "docs",
        "filter": Equals(key="lang", value="fr"),
        "mode": "hybrid",
        "query": "chats",
    }


async def test_retrieve_from_a_missing_collection_fails_for_good(context: Context) -> None:
    context.input = "anything"

    with pytest.raises(NodeError, match="no collection 'nowhere'") as failure:
        await retrieve.execute(retrieve_node(collection="nowhere"), context)
    assert not failure.value.retryable
