"""Changing a collection's model re-embeds it in the background; searches keep working meanwhile and
then use the new model. Provider embeddings come from the fake OpenAI-compatible server."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tests.backend.conftest import GraphQLClient
from tests.backend.knowledge.support import add_texts, documents_when_done, new_collection, search
from tests.servers.openai_fake import FakeOpenAI

TEXTS = [
    {"name": "cats.txt", "text": "a kitten is a young cat"},
    {"name": "bills.txt", "text": "the invoice is due at the end of the month"},
]


async def reindexed(gql: GraphQLClient, collection_id: str, within: float = 30) -> dict[str, Any]:
    """Poll until the collection is no longer being re-embedded; the collection."""
    deadline = time.monotonic() + within
    while True:
        collection: dict[str, Any] = (await gql.run("Collection", id=collection_id))["collection"]
        if not collection["reindexing"]:
            return collection
        assert time.monotonic() < deadline, f"still re-embedding after {within}s"
        await asyncio.sleep(0.05)


async def test_a_new_model_re_embeds_every_chunk_and_search_follows(
    gql: GraphQLClient, openai_api: FakeOpenAI
) -> None:
    await gql.run(
        "SetCredential",
        input={"provider": "openai", "apiKey": openai_api.api_key, "baseUrl": openai_api.base_url},
    )
    collection = await new_collection(gql)
    await add_texts(gql, collection["id"], *TEXTS)
    await documents_when_done(gql, collection["id"])

    changed = (
        await gql.run("UpdateCollection", id=collection["id"], input={"model": "openai:fake-embedding"})
    )["updateCollection"]
    during = await search(gql, collection["id"], "baby feline", topK=1)
    after = await reindexed(gql, collection["id"])

    assert changed["__typename"] == "Collection", changed
    assert changed["nextModel"] == "openai:fake-embedding"
    assert changed["model"] == "wordllama-256"  # searches use the old vectors until the new are complete
    assert during[0]["documentName"] == "cats.txt"
    assert (after["model"], after["dimension"], after["nextModel"]) == ("openai:fake-embedding", 32, None)
    assert after["stats"]["chunks"] == 2
    # the fake gives the same vector to the same text: a chunk's own text finds it first
    [hit] = await search(gql, collection["id"], "the invoice is due at the end of the month", topK=1)
    assert (hit["documentName"], round(hit["score"], 6)) == ("bills.txt", 1.0)


async def test_a_model_the_workspace_has_no_credentials_for_is_refused_and_nothing_changes(
    gql: GraphQLClient,
) -> None:
    collection = await new_collection(gql)

    result = (
        await gql.run(
            "UpdateCollection", id=collection["id"], input={"model": "openai:text-embedding-3-small"}
        )
    )["updateCollection"]

    # a known model needs no probe, so the missing key shows when re-embedding starts: refuse it now
    assert result["__typename"] == "InvalidKnowledge", result
    assert [problem["code"] for problem in result["problems"]] == ["MISSING_CREDENTIALS"]
    assert (await gql.run("Collection", id=collection["id"]))["collection"]["model"] == "wordllama-256"
