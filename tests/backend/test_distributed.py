"""Two `flowloom serve` processes and a `flowloom worker` on one PostgreSQL and one Redis: runs
execute on the worker, and live events and human input cross processes."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.cluster import Cluster, ClusterTenant, approval_beside_a_slow_call, call, subscribe
from tests.processes import Server
from tests.redis_server import RedisServer
from tests.servers.counting import CountingServer


@pytest.fixture
async def pair(cluster: Cluster) -> tuple[Server, Server]:
    """API processes A and B and one worker, sharing a fresh database and Redis."""
    cluster.worker()
    return cluster.serve(), cluster.serve()


@pytest.fixture
async def tenant(cluster: Cluster) -> ClusterTenant:
    """A workspace of the cluster's database."""
    return await cluster.tenant()


async def stored_events(server: Server, token: str, run_id: str) -> list[tuple[int, str]]:
    run = await call(server, token, "Run", id=run_id)
    return [(event["seq"], event["type"]) for event in run["events"]]


async def test_a_run_executed_by_one_process_streams_to_a_subscriber_of_the_other_and_takes_input_there(
    pair: tuple[Server, Server], tenant: ClusterTenant, counting: CountingServer
) -> None:
    a, b = pair
    definition = approval_beside_a_slow_call(f"{counting.url}/slow?delay=1.5")
    workflow = await call(a, tenant.token, "CreateWorkflow", input={"name": "pair", "definition": definition})
    run = await call(a, tenant.token, "StartRun", workflowId=workflow["id"])
    events = asyncio.create_task(subscribe(b, tenant.token, run["id"]))
    while counting.count("/slow") == 0:  # noqa: ASYNC110 - the count lives in another thread's server
        await asyncio.sleep(0.02)

    # the run is RUNNING on the worker (its slow branch in flight): only that execution can take the
    # input, which B hands to it
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
    pair: tuple[Server, Server], tenant: ClusterTenant, counting: CountingServer, redis_server: RedisServer
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
