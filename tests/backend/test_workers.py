"""`flowloom worker` processes: leases, control across processes, shutdown, faults and fairness.

Real processes on a fresh database and a real Redis (`tests.cluster`), tool nodes calling the
counting server, so that every execution of a node is seen from outside the processes.
"""

from __future__ import annotations

import asyncio
import inspect
import signal
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import httpx

from tests.cluster import Cluster, ClusterTenant, call
from tests.processes import Worker
from tests.servers.counting import CountingServer


def chain(
    counting: CountingServer, nodes: int, delay: float, key: str = "{{ inputs.key }}"
) -> dict[str, Any]:
    """A chain of tool nodes; node i calls `/c/<key>/n<i>` (the run input `key`) after `delay` s."""
    return {
        "nodes": [
            {"id": f"n{i}", "type": "tool", "params": {"url": f"{counting.url}/c/{key}/n{i}?delay={delay}"}}
            for i in range(nodes)
        ],
        "edges": [{"from": f"n{i}", "to": f"n{i + 1}"} for i in range(nodes - 1)],
    }


async def workflow(cluster: Cluster, tenant: ClusterTenant, definition: dict[str, Any]) -> str:
    created = await call(
        cluster.servers[0], tenant.token, "CreateWorkflow", input={"name": "w", "definition": definition}
    )
    return str(created["id"])


async def db_rows(cluster: Cluster, query: str, *args: Any) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(cluster.dsn)
    try:
        return list(await connection.fetch(query, *args))
    finally:
        await connection.close()


async def wait_for(condition: Callable[[], bool | Awaitable[bool]], within: float = 60) -> None:
    deadline = time.monotonic() + within
    while not await _value(condition()):
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def executor_of(cluster: Cluster, run_id: str) -> Worker:
    """The worker process holding the run's lease (its /healthz names its lease owner id)."""
    rows = await db_rows(cluster, "SELECT lease_owner FROM runs WHERE id = $1::uuid", run_id)
    owner = str(rows[0]["lease_owner"])
    async with httpx.AsyncClient() as client:
        for worker in cluster.workers:
            if worker.process.poll() is None:
                health = (await client.get(f"{worker.url}/healthz")).json()
                if health["worker"] == owner:
                    return worker
    raise AssertionError(f"no running worker holds the lease of run {run_id} ({owner})")


async def status_of(cluster: Cluster, run_id: str) -> str:
    rows = await db_rows(cluster, "SELECT status FROM runs WHERE id = $1::uuid", run_id)
    return str(rows[0]["status"])


async def attempts_of(cluster: Cluster, run_id: str) -> dict[str, int]:
    rows = await db_rows(
        cluster, "SELECT node_id, attempts FROM node_runs WHERE run_id = $1::uuid ORDER BY node_id", run_id
    )
    return {row["node_id"]: row["attempts"] for row in rows}


async def test_a_cancel_through_another_api_stops_the_run_on_its_worker_at_once(
    cluster: Cluster, counting: CountingServer
) -> None:
    cluster.worker()
    a, b = cluster.serve(), cluster.serve()
    tenant = await cluster.tenant()
    workflow_id = await workflow(cluster, tenant, chain(counting, 2, delay=30, key="cancel"))
    run = await call(a, tenant.token, "StartRun", workflowId=workflow_id)
    await wait_for(lambda: counting.count("/c/cancel/n0") == 1)

    cancelled = await call(b, tenant.token, "CancelRun", id=run["id"])

    # the mutation waits at most 2 s for the executor: CANCELLED here means it took less
    assert cancelled["status"] == "CANCELLED"
    assert counting.count("/c/cancel/n1") == 0


async def test_a_worker_stopped_with_sigterm_hands_its_runs_to_another_at_once(
    cluster: Cluster, counting: CountingServer
) -> None:
    # leases outlive the test: only the hand-over on SIGTERM can explain a resumption
    first = cluster.worker(FLOWLOOM_LEASE_SECONDS="120", FLOWLOOM_SHUTDOWN_GRACE_SECONDS="0.5")
    api = cluster.serve()
    tenant = await cluster.tenant()
    workflow_id = await workflow(cluster, tenant, chain(counting, 3, delay=3, key="term"))
    run = await call(api, tenant.token, "StartRun", workflowId=workflow_id)
    await wait_for(lambda: counting.count("/c/term/n0") == 1)
    cluster.worker(FLOWLOOM_LEASE_SECONDS="120")

    assert first.stop(signal.SIGTERM) == 0, first.output()
    await wait_for(lambda: _is(cluster, run["id"], "SUCCEEDED"), within=30)

    assert "interrupting 1 execution(s)" in first.output()
    # the node in flight at SIGTERM ran again (n0, unless starting the second worker took longer
    # than n0's 3 s on a loaded machine); its interrupted attempt may or may not have sent its request
    attempts = await attempts_of(cluster, run["id"])
    seen = {node: counting.count(f"/c/term/{node}") for node in attempts}
    assert sorted(attempts.values()) == [1, 1, 2]
    assert all(1 <= seen[node] <= attempts[node] for node in attempts), (seen, attempts)


async def test_a_run_whose_worker_is_killed_resumes_on_another_once_its_lease_expires(
    cluster: Cluster, counting: CountingServer
) -> None:
    env = {"FLOWLOOM_LEASE_SECONDS": "2", "FLOWLOOM_RECONCILE_SECONDS": "0.5"}
    cluster.worker(**env)
    cluster.worker(**env)
    api = cluster.serve()
    tenant = await cluster.tenant()
    workflow_id = await workflow(cluster, tenant, chain(counting, 3, delay=2, key="kill"))
    run = await call(api, tenant.token, "StartRun", workflowId=workflow_id)
    await wait_for(lambda: counting.count("/c/kill/n1") == 1)

    executor = await executor_of(cluster, run["id"])
    executor.stop(signal.SIGKILL)
    await wait_for(lambda: _is(cluster, run["id"], "SUCCEEDED"), within=30)

    assert counting.counts() == {"/c/kill/n0": 1, "/c/kill/n1": 2, "/c/kill/n2": 1}
    assert await attempts_of(cluster, run["id"]) == {"n0": 1, "n1": 2, "n2": 1}


async def test_a_workspace_with_a_backlog_does_not_starve_another_workspaces_run(
    cluster: Cluster, counting: CountingServer
) -> None:
    # admission happens in every process: API processes when runs start, workers when runs end
    cluster.env["FLOWLOOM_WORKSPACE_CONCURRENCY"] = "2"
    cluster.worker(FLOWLOOM_WORKER_CONCURRENCY="2")
    api = cluster.serve()
    busy, quiet = await cluster.tenant(), await cluster.tenant("quiet")
    busy_workflow = await workflow(cluster, busy, chain(counting, 1, delay=0.3, key="busy"))
    quiet_workflow = await workflow(cluster, quiet, chain(counting, 1, delay=0.3, key="quiet"))
    backlog = [await call(api, busy.token, "StartRun", workflowId=busy_workflow) for _ in range(300)]

    before = counting.count("/c/busy/n0")
    single = await call(api, quiet.token, "StartRun", workflowId=quiet_workflow)
    await wait_for(lambda: _is(cluster, single["id"], "SUCCEEDED"), within=60)
    after = counting.count("/c/busy/n0")

    # two at a time, the backlog takes 45 s; the single run waited for a few of them, not for all
    assert len(backlog) - before > 150
    assert after - before <= 6


async def _value(value: bool | Awaitable[bool]) -> bool:
    return await value if inspect.isawaitable(value) else value


async def _is(cluster: Cluster, run_id: str, status: str) -> bool:
    return await status_of(cluster, run_id) == status
