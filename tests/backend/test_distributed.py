"""Two `flowloom serve` processes on one PostgreSQL and one Redis: live events cross processes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from gql import Client, GraphQLRequest
from gql import gql as document
from gql.transport.websockets import WebsocketsTransport

from tests.operations import operation
from tests.processes import Server, flowloom_env
from tests.redis_server import RedisServer
from tests.servers.counting import CountingServer
from tests.tenants import Tenant

RUN_EVENTS = document(
    "subscription ($runId: ID!, $afterSeq: Int) { "
    "runEvents(runId: $runId, afterSeq: $afterSeq) { seq type } }"
)


@pytest.fixture
def pair(postgres_dsn: str, redis_server: RedisServer) -> Iterator[tuple[Server, Server]]:
    """Processes A and B, sharing the test database and Redis."""
    env = flowloom_env(
        DATABASE_URL=postgres_dsn,
        REDIS_URL=redis_server.url,
        FLOWLOOM_SECRET_KEY="test-secret",
        FLOWLOOM_HTTP_ALLOWLIST="127.0.0.1",
    )
    first, second = Server(env), Server(env)
    try:
        yield first.wait_ready(), second.wait_ready()
    finally:
        for server in (first, second):
            assert server.stop() == 0, server.output()


async def call(server: Server, token: str, name: str, **variables: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            f"{server.url}/graphql",
            json={"query": operation(name), "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return dict(next(iter(body["data"].values())))


async def subscribe(server: Server, token: str, run_id: str, after: int = 0) -> list[tuple[int, str]]:
    """Every runEvents message through the Python gql client (graphql-transport-ws), until complete."""
    transport = WebsocketsTransport(
        url=server.url.replace("http", "ws") + "/graphql",
        init_payload={"authToken": token},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    request = GraphQLRequest(RUN_EVENTS, variable_values={"runId": run_id, "afterSeq": after})
    async with Client(transport=transport) as session:
        return [
            (message["runEvents"]["seq"], message["runEvents"]["type"])
            async for message in session.subscribe(request)
        ]


async def stored_events(server: Server, token: str, run_id: str) -> list[tuple[int, str]]:
    run = await call(server, token, "Run", id=run_id)
    return [(event["seq"], event["type"]) for event in run["events"]]


async def test_a_run_executed_by_one_process_streams_to_a_subscriber_of_the_other_and_takes_input_there(
    pair: tuple[Server, Server], tenant: Tenant, counting: CountingServer
) -> None:
    a, b = pair
    definition = {
        "nodes": [
            {"id": "start", "type": "template", "params": {"template": "go"}},
            {"id": "approve", "type": "human", "params": {"prompt": "OK?"}},
            {"id": "slow", "type": "tool", "params": {"url": f"{counting.url}/slow?delay=1.5"}},
            {"id": "join", "type": "output", "params": {"value": "{{ nodes.approve.output }}"}},
        ],
        "edges": [
            {"from": "start", "to": "approve"},
            {"from": "start", "to": "slow"},
            {"from": "approve", "to": "join"},
            {"from": "slow", "to": "join"},
        ],
    }
    workflow = await call(a, tenant.token, "CreateWorkflow", input={"name": "pair", "definition": definition})
    run = await call(a, tenant.token, "StartRun", workflowId=workflow["id"])
    events = asyncio.create_task(subscribe(b, tenant.token, run["id"]))
    while counting.count("/slow") == 0:  # noqa: ASYNC110 - the count lives in another thread's server
        await asyncio.sleep(0.02)

    # the run is RUNNING in A (its slow branch in flight): only A's execution can take the input
    submitted = await call(
        b, tenant.token, "SubmitHumanInput", runId=run["id"], nodeId="approve", input={"ok": "yes"}
    )
    received = await asyncio.wait_for(events, 30)

    assert submitted["__typename"] == "Run"
    assert received == await stored_events(a, tenant.token, run["id"])
    assert [seq for seq, _ in received] == list(range(1, len(received) + 1))
    assert received[-1][1] == "RUN_SUCCEEDED"
    assert (await call(b, tenant.token, "Run", id=run["id"]))["output"] == {"ok": "yes"}
    assert counting.count("/slow") == 1


async def test_subscribers_get_every_event_when_redis_is_killed_and_restarted_mid_batch(
    pair: tuple[Server, Server], tenant: Tenant, counting: CountingServer, redis_server: RedisServer
) -> None:
    a, b = pair
    definition = {
        "nodes": [
            {"id": f"s{i}", "type": "tool", "params": {"url": f"{counting.url}/step?delay=0.3"}}
            for i in range(8)
        ],
        "edges": [{"from": f"s{i}", "to": f"s{i + 1}"} for i in range(7)],
    }
    workflow = await call(
        a, tenant.token, "CreateWorkflow", input={"name": "batch", "definition": definition}
    )
    runs = [await call(a, tenant.token, "StartRun", workflowId=workflow["id"]) for _ in range(6)]
    subscribers = [asyncio.create_task(subscribe(b, tenant.token, run["id"])) for run in runs]

    await asyncio.sleep(0.8)
    redis_server.kill()
    async with httpx.AsyncClient() as client:
        readiness = await client.get(f"{b.url}/readyz")
    await asyncio.sleep(1.0)
    redis_server.start()
    received = await asyncio.wait_for(asyncio.gather(*subscribers), 60)

    assert readiness.status_code == 503
    assert readiness.json()["checks"]["redis"] == "down"
    for run, events in zip(runs, received, strict=True):
        assert events == await stored_events(a, tenant.token, run["id"])
        assert events[-1][1] == "RUN_SUCCEEDED"
