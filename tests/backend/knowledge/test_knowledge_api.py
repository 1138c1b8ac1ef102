"""Knowledge collections over GraphQL, as a client sees them: create, fill, search, change, delete."""

from __future__ import annotations

import asyncio

from backend.services import Services
from tests.backend.conftest import GraphQLClient
from tests.backend.knowledge.support import add_texts, documents_when_done, new_collection, search

PETS = """# Pets

## Cats
A kitten is a young cat. Cats purr when they are content and sleep most of the day.

## Invoices
An invoice lists what a customer owes, with a due date and payment terms.
"""


async def test_a_new_collection_takes_the_offline_model_and_its_dimension(gql: GraphQLClient) -> None:
    created = await new_collection(gql, "handbook", description="Our handbook")

    assert created["model"] == "wordllama-256"
    assert created["dimension"] == 256
    assert created["metric"] == "COSINE"
    assert created["chunking"] == {"size": 1000, "overlap": 100, "unit": "CHARACTERS"}
    listed = (await gql.run("Collections"))["collections"]
    assert [(item["name"], item["stats"]["documents"]) for item in listed] == [("handbook", 0)]


async def test_added_texts_are_ingested_in_the_background_and_found_by_meaning(gql: GraphQLClient) -> None:
    collection = await new_collection(gql, chunking={"size": 120, "overlap": 0})

    added = await add_texts(
        gql,
        collection["id"],
        {"name": "pets.md", "text": PETS, "mediaType": "text/markdown", "metadata": {"topic": "pets"}},
    )

    assert added["__typename"] == "AddedDocuments"
    assert [document["status"] for document in added["documents"]] in (["PENDING"], ["PROCESSING"], ["READY"])
    [document] = await documents_when_done(gql, collection["id"])
    assert document["status"] == "READY", document
    assert document["chunkCount"] >= 2
    hits = await search(gql, collection["id"], "a small feline", topK=1)
    assert "kitten" in hits[0]["text"]
    assert hits[0]["documentName"] == "pets.md"
    assert hits[0]["metadata"] == {"topic": "pets"}


async def test_adding_the_same_content_again_is_a_no_op(gql: GraphQLClient) -> None:
    collection = await new_collection(gql)
    first = await add_texts(gql, collection["id"], {"name": "a.txt", "text": "the same words"})
    await documents_when_done(gql, collection["id"])

    again = await add_texts(gql, collection["id"], {"name": "b.txt", "text": "the same words"})

    assert again["documents"][0]["id"] == first["documents"][0]["id"]
    assert again["documents"][0]["status"] == "READY"
    stats = (await gql.run("Collection", id=collection["id"]))["collection"]["stats"]
    assert (stats["documents"], stats["chunks"]) == (1, 1)


async def test_keyword_and_hybrid_searches_find_literal_terms(gql: GraphQLClient) -> None:
    collection = await new_collection(gql, language="english", chunking={"size": 120, "overlap": 0})
    await add_texts(gql, collection["id"], {"name": "pets.md", "text": PETS, "mediaType": "text/markdown"})
    await documents_when_done(gql, collection["id"])

    keyword = await search(gql, collection["id"], "invoices", mode="KEYWORD")
    hybrid = await search(gql, collection["id"], "payment terms", mode="HYBRID", topK=1)

    assert len(keyword) == 1
    assert "invoice" in keyword[0]["text"]
    assert "payment terms" in hybrid[0]["text"]


async def test_a_metadata_filter_narrows_the_search(gql: GraphQLClient) -> None:
    collection = await new_collection(gql)
    await add_texts(
        gql,
        collection["id"],
        {"name": "2022.txt", "text": "cats in 2022", "metadata": {"year": 2022}},
        {"name": "2024.txt", "text": "cats in 2024", "metadata": {"year": 2024}},
    )
    await documents_when_done(gql, collection["id"])

    hits = await search(gql, collection["id"], "cats", filter={"year": {"$gte": 2023}})

    assert [hit["documentName"] for hit in hits] == ["2024.txt"]


async def test_a_bad_filter_is_a_typed_error_naming_where(gql: GraphQLClient) -> None:
    collection = await new_collection(gql)

    status, body = await gql.post(
        'query($id: ID!, $filter: JSON) { search(collectionId: $id, query: "x", filter: $filter) '
        "{ chunkId } }",
        {"id": collection["id"], "filter": {"year": {"$between": [1, 2]}}},
    )

    assert status == 200
    [error] = body["errors"]
    assert error["extensions"] == {"code": "INVALID_FILTER", "path": "filter.year.$between"}
    assert "$between" in error["message"]


async def test_an_unknown_model_and_a_wrong_dimension_are_typed_problems(gql: GraphQLClient) -> None:
    unknown = (await gql.run("CreateCollection", input={"name": "x", "model": "magic:embedder"}))[
        "createCollection"
    ]
    wrong = (await gql.run("CreateCollection", input={"name": "y", "dimension": 384}))["createCollection"]

    assert unknown["__typename"] == "InvalidKnowledge"
    assert [problem["code"] for problem in unknown["problems"]] == ["UNKNOWN_MODEL"]
    assert [problem["code"] for problem in wrong["problems"]] == ["DIMENSION_MISMATCH"]
    assert (await gql.run("Collections"))["collections"] == []


async def test_deleting_a_document_removes_its_chunks_from_search(gql: GraphQLClient) -> None:
    collection = await new_collection(gql)
    added = await add_texts(gql, collection["id"], {"name": "cats.txt", "text": "cats purr"})
    await documents_when_done(gql, collection["id"])

    deleted = (await gql.run("DeleteDocument", id=added["documents"][0]["id"]))["deleteDocument"]

    assert deleted["__typename"] == "DeletedDocument"
    assert await search(gql, collection["id"], "cats") == []


async def test_deleting_a_collection_forgets_it(gql: GraphQLClient) -> None:
    collection = await new_collection(gql)

    deleted = (await gql.run("DeleteCollection", id=collection["id"]))["deleteCollection"]
    again = (await gql.run("DeleteCollection", id=collection["id"]))["deleteCollection"]

    assert deleted == {"__typename": "DeletedCollection", "id": collection["id"]}
    assert again["__typename"] == "NotFound"
    assert (await gql.run("Collection", id=collection["id"]))["collection"] is None


async def test_listing_collections_with_stats_costs_the_same_statements_whatever_their_number(
    gql: GraphQLClient, services: Services
) -> None:
    async def statements() -> int:
        # the least of seven: the ingester, the reconciler, the trigger scheduler and the pruner send
        # statements of their own meanwhile
        counts = []
        for _ in range(7):
            await asyncio.sleep(0)  # asyncpg reports statements with call_soon: let them land
            before = services.db.statements.total
            await gql.run("Collections")
            await asyncio.sleep(0)
            counts.append(services.db.statements.total - before)
        return min(counts)

    await new_collection(gql, "one")
    await gql.run("Collections")  # warm-up: asyncpg introspects new types once
    one = await statements()
    for name in ("two", "three", "four"):
        await new_collection(gql, name)
    four = await statements()

    assert four == one
