"""The fault suite: two API processes, three workers, one PostgreSQL, one Redis, and faults on purpose.

200 runs of 10 tool nodes each call the counting server, so that every execution of a node is seen
from outside the processes. While they run, workers are SIGKILLed five times and SIGTERMed once
(each restarted), Redis is restarted empty once and flushed once, and an API process with
subscribers attached is killed and restarted. Afterwards every run has succeeded; every node is
recorded as succeeded once; the counting server saw each node once when it ran once, and a node that
was running when its worker died ran again in a later hand-over of its run (each interrupted attempt
may or may not have sent its request before its process died); and every subscriber saw every event,
in order, without a gap.
"""

from __future__ import annotations

import asyncio
import logging
import random
import signal
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis

from tests.backend.test_workers import attempts_of, chain, db_rows, executor_of, wait_for, workflow
from tests.cluster import Cluster, approval_beside_a_slow_call, call, follow
from tests.processes import Server
from tests.redis_server import RedisServer
from tests.servers.counting import CountingServer

log = logging.getLogger(__name__)

RUNS = 200
NODES = 10
NODE_SECONDS = 5.0
FAST = {
    # long enough that a worker's event loop, busy on two shared cores, never misses a renewal
    "FLOWLOOM_LEASE_SECONDS": "5",
    "FLOWLOOM_RECONCILE_SECONDS": "0.3",
    "FLOWLOOM_QUEUE_GRACE_SECONDS": "1",
    "FLOWLOOM_SHUTDOWN_GRACE_SECONDS": "1",
    # every run in flight at once, with room for a dead worker's runs on the others: a run handed
    # over resumes at once instead of queueing behind the batch
    "FLOWLOOM_WORKER_CONCURRENCY": "80",
    "FLOWLOOM_WORKSPACE_CONCURRENCY": "200",
}
WORKER_FAULT_SPACING = 13.0
"""Seconds between two faults of workers: longer than the slowest recovery — a lease (5 s), a lost
queue entry noticed (1 s, when Redis was emptied meanwhile), reconciler passes and the node run
again (5 s) — so that a node interrupted by one fault has usually run again to completion before
the next. On a loaded machine the next fault can still catch its second attempt (CI saw a third
attempt once), which is why the check bounds attempts by the run's hand-overs, not by two."""


async def stored_events(cluster: Cluster, run_id: str) -> list[tuple[int, str]]:
    rows = await db_rows(
        cluster, "SELECT seq, type FROM run_events WHERE run_id = $1::uuid ORDER BY seq", run_id
    )
    return [(row["seq"], row["type"]) for row in rows]


async def hand_overs_and_successes(cluster: Cluster, run_id: str) -> tuple[int, dict[str, int]]:
    """How many times the run was handed to the queue, and each node's recorded successes."""
    run = await db_rows(cluster, "SELECT dispatches FROM runs WHERE id = $1::uuid", run_id)
    rows = await db_rows(
        cluster,
        "SELECT node_id, count(*) AS n FROM run_events WHERE run_id = $1::uuid AND type = 'NODE_SUCCEEDED' "
        "GROUP BY node_id",
        run_id,
    )
    return int(run[0]["dispatches"]), {row["node_id"]: int(row["n"]) for row in rows}


async def unfinished(cluster: Cluster) -> int:
    rows = await db_rows(
        cluster, "SELECT count(*) AS n FROM runs WHERE status NOT IN ('SUCCEEDED', 'FAILED', 'CANCELLED')"
    )
    return int(rows[0]["n"])


async def kill_a_worker(cluster: Cluster, sig: signal.Signals, chooser: random.Random) -> None:
    running = [worker for worker in cluster.workers if worker.process.poll() is None]
    victim = chooser.choice(running)
    log.info("fault: %s worker %s", sig.name, victim.process.pid)
    await asyncio.to_thread(victim.stop, sig, 60)
    if sig is signal.SIGTERM:
        assert victim.process.returncode == 0, victim.output()
    await asyncio.to_thread(cluster.worker)


async def restart_redis(redis_server: RedisServer) -> None:
    log.info("fault: Redis restarted empty")
    redis_server.kill()
    await asyncio.sleep(0.5)
    redis_server.start()


async def flush_redis(redis_server: RedisServer) -> None:
    log.info("fault: FLUSHALL")
    redis = Redis.from_url(redis_server.url)
    try:
        await redis.flushall()
    finally:
        await redis.aclose()


async def restart_api(cluster: Cluster, api: Server) -> None:
    log.info("fault: API %s killed and restarted", api.process.pid)
    await asyncio.to_thread(api.stop, signal.SIGKILL)
    cluster.servers.remove(api)
    await asyncio.to_thread(cluster.serve, api.port)


async def test_no_run_is_lost_and_no_recorded_node_runs_twice_through_kills_and_redis_loss(
    cluster: Cluster, counting: CountingServer, redis_server: RedisServer
) -> None:
    cluster.env.update(FAST)
    for _ in range(3):
        cluster.worker()
    a, b = cluster.serve(), cluster.serve()
    tenant = await cluster.tenant()
    workflow_id = await workflow(cluster, tenant, chain(counting, NODES, delay=NODE_SECONDS))
    runs = [
        await call((a, b)[i % 2], tenant.token, "StartRun", workflowId=workflow_id, inputs={"key": f"r{i}"})
        for i in range(RUNS)
    ]
    # subscribers on both API processes; B is the one that gets killed while they are attached
    followers = {
        run["id"]: asyncio.create_task(follow((a, b)[i % 2], tenant.token, run["id"]))
        for i, run in enumerate(runs[::10])
    }

    seed = random.randrange(1 << 30)
    chooser = random.Random(seed)
    worker_faults: list[Callable[[], Awaitable[None]]] = [
        lambda: kill_a_worker(cluster, signal.SIGKILL, chooser),
        lambda: kill_a_worker(cluster, signal.SIGKILL, chooser),
        lambda: kill_a_worker(cluster, signal.SIGKILL, chooser),
        lambda: kill_a_worker(cluster, signal.SIGTERM, chooser),
        lambda: kill_a_worker(cluster, signal.SIGKILL, chooser),
        lambda: kill_a_worker(cluster, signal.SIGKILL, chooser),
    ]
    other_faults: list[Callable[[], Awaitable[None]]] = [
        lambda: restart_redis(redis_server),
        lambda: restart_api(cluster, b),
        lambda: flush_redis(redis_server),
    ]
    loop = asyncio.get_running_loop()
    for index, fault in enumerate(worker_faults):
        # at random moments; the other faults in the gaps between worker faults
        started = loop.time()
        await asyncio.sleep(chooser.uniform(0.5, 1.5))
        await fault()
        if index < len(other_faults):
            await asyncio.sleep(chooser.uniform(0.5, 2.0))
            await other_faults[index]()
        await asyncio.sleep(max(0.0, started + WORKER_FAULT_SPACING - loop.time()))
    try:
        await wait_for(lambda: _none_unfinished(cluster), within=120)
    except AssertionError:
        stuck = await db_rows(
            cluster,
            "SELECT id, status, last_seq, lease_owner, lease_expires_at - now() AS lease_left, "
            "now() - dispatched_at AS queued_for, dispatches FROM runs "
            "WHERE status NOT IN ('SUCCEEDED', 'FAILED', 'CANCELLED')",
        )
        raise AssertionError(f"seed {seed}: runs left unfinished: {[dict(row) for row in stuck]}") from None
    received = await asyncio.wait_for(asyncio.gather(*followers.values()), 60)

    statuses = await db_rows(cluster, "SELECT status, count(*) AS n FROM runs GROUP BY status")
    assert {row["status"]: row["n"] for row in statuses} == {"SUCCEEDED": RUNS}, f"seed {seed}"
    counts = counting.counts()
    repeated = 0
    for i, run in enumerate(runs):
        attempts = await attempts_of(cluster, run["id"])
        dispatches, succeeded = await hand_overs_and_successes(cluster, run["id"])
        seen = {f"n{j}": counts.get(f"/c/r{i}/n{j}", 0) for j in range(NODES)}
        # each node recorded as done once; a node runs again only in a later hand-over of its run
        # (a worker died or lost its lease while it ran), and each attempt sent at most one request
        # (an interrupted one may or may not have sent it before its process died)
        wrong = {
            node: (seen[node], attempts.get(node), succeeded.get(node, 0), dispatches)
            for node in seen
            if succeeded.get(node, 0) != 1
            or not 1 <= (attempts.get(node) or 0) <= dispatches
            or not 1 <= seen[node] <= attempts[node]
        }
        assert not wrong, (
            f"seed {seed}, run {run['id']}: node: (requests seen, attempts, recorded successes, "
            f"hand-overs) {wrong}"
        )
        repeated += sum(1 for value in attempts.values() if value > 1)
    assert repeated > 0, "no fault interrupted a node: the suite proved nothing"
    for (run_id, _), events in zip(followers.items(), received, strict=True):
        assert events == await stored_events(cluster, run_id), (f"seed {seed}", run_id)
        assert [seq for seq, _ in events] == list(range(1, len(events) + 1))
        assert events[-1][1] == "RUN_SUCCEEDED"
    log.info("fault suite: seed %d, %d nodes ran twice", seed, repeated)


async def test_a_human_answer_through_the_other_api_resumes_the_run_while_its_worker_is_killed(
    cluster: Cluster, counting: CountingServer
) -> None:
    cluster.env.update(FAST)
    cluster.worker()
    cluster.worker()
    a, b = cluster.serve(), cluster.serve()
    tenant = await cluster.tenant()
    definition = approval_beside_a_slow_call(f"{counting.url}/hitl/slow?delay=2")
    workflow_id = await workflow(cluster, tenant, definition)
    run = await call(a, tenant.token, "StartRun", workflowId=workflow_id)
    await wait_for(lambda: counting.count("/hitl/slow") == 1)

    (await executor_of(cluster, run["id"])).stop(signal.SIGKILL)
    submitted = await call(
        b, tenant.token, "SubmitHumanInput", runId=run["id"], nodeId="approve", input={"ok": "yes"}
    )
    await wait_for(lambda: _status_is(cluster, run["id"], "SUCCEEDED"), within=30)

    assert submitted["__typename"] == "Run"
    assert (await call(a, tenant.token, "Run", id=run["id"]))["output"] == {"ok": "yes"}
    assert counting.count("/hitl/slow") == 2
    assert (await attempts_of(cluster, run["id"]))["slow"] == 2


async def _none_unfinished(cluster: Cluster) -> bool:
    return await unfinished(cluster) == 0


async def _status_is(cluster: Cluster, run_id: str, status: str) -> bool:
    rows = await db_rows(cluster, "SELECT status FROM runs WHERE id = $1::uuid", run_id)
    return bool(rows[0]["status"] == status)
