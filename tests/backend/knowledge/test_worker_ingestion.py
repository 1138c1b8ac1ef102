"""With Redis, API processes only record documents: a `flowloom worker` ingests them, and its
progress reaches subscribers of the API through Redis."""

from __future__ import annotations

import asyncio
from typing import Any

from gql import Client, GraphQLRequest
from gql.transport.websockets import WebsocketsTransport

from tests.backend.test_workers import wait_for
from tests.cluster import Cluster, call
from tests.operations import operation
from tests.processes import Server


async def progress_until_ready(server: Server, token: str, collection_id: str) -> list[tuple[str, str]]:
    """documentProgress messages (document name, status) until a document is READY."""
    transport = WebsocketsTransport(
        url=server.url.replace("http", "ws") + "/graphql",
        init_payload={"authToken": token},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    request = GraphQLRequest(operation("DocumentProgress"), variable_values={"collectionId": collection_id})
    seen: list[tuple[str, str]] = []
    async with Client(transport=transport) as session:
        async for message in session.subscribe(request):
            progress: dict[str, Any] = message["documentProgress"]
            seen.append((progress["name"], progress["status"]))
            if progress["status"] == "READY":
                return seen
    return seen


async def test_a_worker_ingests_what_the_api_recorded_and_its_progress_reaches_the_apis_subscribers(
    cluster: Cluster,
) -> None:
    api = cluster.serve()
    tenant = await cluster.tenant()
    collection = await call(api, tenant.token, "CreateCollection", input={"name": "docs"})
    added = await call(
        api,
        tenant.token,
        "AddDocuments",
        collectionId=collection["id"],
        documents=[{"name": "cats.txt", "text": "a kitten is a young cat"}],
    )
    # nothing ingests without a worker: the subscription's first message is the waiting document
    watching = asyncio.create_task(progress_until_ready(api, tenant.token, collection["id"]))
    await asyncio.sleep(1)
    assert (await call(api, tenant.token, "Collection", id=collection["id"]))["stats"]["pending"] == 1

    cluster.worker()
    seen = await asyncio.wait_for(watching, 60)

    assert added["documents"][0]["status"] == "PENDING"
    assert seen[0] == ("cats.txt", "PENDING")
    assert seen[-1] == ("cats.txt", "READY")

    async def searchable() -> bool:
        collection_now = await call(api, tenant.token, "Collection", id=collection["id"])
        return bool(collection_now["stats"]["chunks"] == 1)

    await wait_for(searchable, within=10)
