"""Helpers of the knowledge tests: collections, documents waited for, searches."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tests.backend.conftest import GraphQLClient

FINISHED = {"READY", "FAILED"}


async def new_collection(gql: GraphQLClient, name: str = "docs", **fields: Any) -> dict[str, Any]:
    """Create a collection (offline model unless `model` is given); fails the test on problems."""
    result: dict[str, Any] = (await gql.run("CreateCollection", input={"name": name, **fields}))[
        "createCollection"
    ]
    assert result["__typename"] == "Collection", result
    return result


async def add_texts(gql: GraphQLClient, collection_id: str, *documents: dict[str, Any]) -> dict[str, Any]:
    """addDocuments; the result."""
    result: dict[str, Any] = (
        await gql.run("AddDocuments", collectionId=collection_id, documents=list(documents))
    )["addDocuments"]
    return result


async def documents_when_done(
    gql: GraphQLClient, collection_id: str, within: float = 30
) -> list[dict[str, Any]]:
    """Poll until no document of the collection is PENDING or PROCESSING; its documents by name."""
    deadline = time.monotonic() + within
    while True:
        collection = (await gql.run("Collection", id=collection_id, first=100))["collection"]
        documents = [edge["node"] for edge in collection["documents"]["edges"]]
        if all(document["status"] in FINISHED for document in documents):
            return sorted(documents, key=lambda document: document["name"])
        assert time.monotonic() < deadline, f"documents still ingesting after {within}s: {documents}"
        await asyncio.sleep(0.05)


async def search(
    gql: GraphQLClient, collection_id: str, query: str, **arguments: Any
) -> list[dict[str, Any]]:
    """Search; the hits."""
    hits: list[dict[str, Any]] = (
        await gql.run("Search", collectionId=collection_id, query=query, **arguments)
    )["search"]
    return hits
