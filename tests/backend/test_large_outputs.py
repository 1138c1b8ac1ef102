"""A large node output is stored once, in its node run; its events only reference it."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from litestar import Litestar

from backend.services import Services
from tests.backend.conftest import GraphQLClient
from tests.backend.runs_support import create_workflow, start_run, wait_for
from tests.backend.ws_client import websocket
from tests.tenants import Tenant

LARGE = 100_000
"""Characters of the large output: past the default 64 KB copied into events."""

BIG_THEN_SMALL = {
    "nodes": [
        {"id": "big", "type": "template", "params": {"template": "{{ inputs.word * inputs.times }}"}},
        {"id": "small", "type": "template", "params": {"template": "{{ input | length }}"}},
    ],
    "edges": [{"from": "big", "to": "small"}],
}

RUN_EVENTS = """
subscription ($runId: ID!) { runEvents(runId: $runId) { seq type nodeId data } }
"""


async def finished(gql: GraphQLClient) -> dict[str, Any]:
    started = await start_run(gql, await create_workflow(gql, BIG_THEN_SMALL), {"word": "x", "times": LARGE})
    run = await wait_for(gql, started["id"])
    assert run["status"] == "SUCCEEDED", run
    return run


def succeeded(events: list[dict[str, Any]], node_id: str) -> dict[str, Any]:
    [found] = [e for e in events if e["type"] == "NODE_SUCCEEDED" and e["nodeId"] == node_id]
    data: dict[str, Any] = found["data"]
    return data


async def test_a_large_output_is_referenced_from_its_event_and_whole_in_its_node_run(
    services: Services, gql: GraphQLClient
) -> None:
    run = await finished(gql)

    big = succeeded(run["events"], "big")
    assert big == {"iteration": 0, "outputRef": {"nodeId": "big", "iteration": 0, "bytes": LARGE + 2}}
    assert succeeded(run["events"], "small") == {"iteration": 0, "output": LARGE}
    small_input = next(e for e in run["events"] if e["type"] == "NODE_STARTED" and e["nodeId"] == "small")
    assert small_input["data"]["inputRef"] == {"nodeId": "small", "iteration": 0, "bytes": LARGE + 2}
    fetched = (await gql.run("RunviewNodeOutput", id=run["id"], nodeId="big", iteration=0))["run"]["nodeRun"]
    assert fetched["output"] == "x" * LARGE
    fetched = (await gql.run("RunviewNodeOutput", id=run["id"], nodeId="small", iteration=0))["run"][
        "nodeRun"
    ]
    assert fetched["input"] == "x" * LARGE
    async with services.db.pool.acquire() as connection:
        sizes = await connection.fetch(
            "SELECT type, node_id, octet_length(data::text) AS size FROM run_events WHERE run_id = $1",
            UUID(run["id"]),
        )
        stored = await connection.fetchval(
            "SELECT octet_length(output::text) FROM node_runs WHERE run_id = $1 AND node_id = 'big'",
            UUID(run["id"]),
        )
    assert max(row["size"] for row in sizes) < 1000  # the output is in no event
    assert stored == LARGE + 2


async def test_a_large_run_output_is_referenced_from_run_succeeded(gql: GraphQLClient) -> None:
    wide = {
        "nodes": [
            {"id": "big", "type": "template", "params": {"template": "{{ inputs.word * inputs.times }}"}}
        ]
    }
    started = await start_run(gql, await create_workflow(gql, wide), {"word": "y", "times": LARGE})
    run = await wait_for(gql, started["id"])

    [done] = [event for event in run["events"] if event["type"] == "RUN_SUCCEEDED"]
    assert set(done["data"]) == {"outputRef", "usage"}
    assert done["data"]["outputRef"]["bytes"] > LARGE
    assert (await gql.run("RunviewRunOutput", id=run["id"]))["run"]["output"] == {"big": "y" * LARGE}


async def test_a_subscriber_gets_the_reference_and_fetches_the_output_from_the_node_run(
    app: Litestar, gql: GraphQLClient, tenant: Tenant
) -> None:
    run = await finished(gql)

    async with websocket(app) as socket:
        ack = await socket.init(tenant.token)
        assert ack["type"] == "connection_ack"
        await socket.subscribe("1", RUN_EVENTS, {"runId": run["id"]})
        payloads, final = await socket.collect("1")

    assert final["type"] == "complete"
    events = [payload["data"]["runEvents"] for payload in payloads]
    ref = succeeded(events, "big")["outputRef"]
    assert len(json.dumps(events)) < 10_000
    fetched = await gql.run(
        "RunviewNodeOutput", id=run["id"], nodeId=ref["nodeId"], iteration=ref["iteration"]
    )
    assert fetched["run"]["nodeRun"]["output"] == "x" * LARGE


async def test_the_latest_iteration_is_the_default_and_unknown_nodes_are_null(gql: GraphQLClient) -> None:
    run = await finished(gql)

    latest = await gql.run("RunviewNodeOutput", id=run["id"], nodeId="small", iteration=None)
    unknown = await gql.run("RunviewNodeOutput", id=run["id"], nodeId="nope", iteration=0)

    assert latest["run"]["nodeRun"]["output"] == LARGE
    assert (latest["run"]["nodeRun"]["iteration"], latest["run"]["nodeRun"]["prunedAt"]) == (0, None)
    assert unknown["run"]["nodeRun"] is None
