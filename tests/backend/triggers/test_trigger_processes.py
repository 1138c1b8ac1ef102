"""Triggers in a distributed deployment: real `flowloom serve` and `flowloom worker` processes."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg
import httpx

from backend.triggers.signatures import signature
from tests.backend.triggers.support import GREETING, NO_INPUTS
from tests.cluster import Cluster, call


async def _fires(dsn: str, trigger_id: str) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        count: int = await connection.fetchval(
            "SELECT count(*) FROM trigger_fires WHERE trigger_id = $1", UUID(trigger_id)
        )
    finally:
        await connection.close()
    return count


async def _set_due(dsn: str, trigger_id: str, at: datetime) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("UPDATE triggers SET next_fire_at = $2 WHERE id = $1", UUID(trigger_id), at)
    finally:
        await connection.close()


async def test_two_worker_processes_fire_each_tick_of_a_schedule_once(cluster: Cluster) -> None:
    cluster.worker()
    cluster.worker()
    server = cluster.serve()
    tenant = await cluster.tenant()
    workflow = await call(
        server, tenant.token, "CreateWorkflow", input={"name": "Ticks", "definition": NO_INPUTS}
    )
    created = await call(
        server,
        tenant.token,
        "CreateTrigger",
        input={"workflowId": workflow["id"], "kind": "SCHEDULE", "cron": "@hourly"},
    )
    trigger_id = created["trigger"]["id"]

    for tick in range(1, 4):
        await _set_due(cluster.dsn, trigger_id, datetime.now(UTC) - timedelta(seconds=tick))
        deadline = time.monotonic() + 15
        while await _fires(cluster.dsn, trigger_id) < tick:
            assert time.monotonic() < deadline, f"tick {tick} did not fire within 15 s"
            await asyncio.sleep(0.1)
        await asyncio.sleep(2.5)  # both workers poll twice more: neither fires the tick again
        assert await _fires(cluster.dsn, trigger_id) == tick

    runs = await call(server, tenant.token, "Runs", workflowId=workflow["id"], first=10)
    assert len(runs["edges"]) == 3


async def test_a_webhook_of_a_served_process_runs_on_a_worker_and_answers_with_the_output(
    cluster: Cluster,
) -> None:
    cluster.worker()
    server = cluster.serve()
    tenant = await cluster.tenant()
    workflow = await call(
        server, tenant.token, "CreateWorkflow", input={"name": "Greeter", "definition": GREETING}
    )
    created = await call(
        server,
        tenant.token,
        "CreateTrigger",
        input={"workflowId": workflow["id"], "kind": "WEBHOOK", "requireSignature": True},
    )
    body = b'{"name": "cluster"}'

    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        response = await client.post(
            f"{created['trigger']['webhookPath']}?wait=20",
            content=body,
            headers={
                "Content-Type": "application/json",
                "X-Flowloom-Signature": signature(created["secret"], body),
            },
        )

    assert response.status_code == 200, response.text
    assert response.json()["output"] == {"greet": "Hello cluster"}
