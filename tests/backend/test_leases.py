"""Run leases in one process: a process that loses a run's lease stops executing it at once and
commits nothing more of it."""

from __future__ import annotations

import asyncio
import time
from uuid import UUID

import pytest

from backend.services import Services
from tests.backend.conftest import GraphQLClient
from tests.backend.runs_support import OTHER_PROCESS, create_workflow, start_run
from tests.servers.counting import CountingServer


@pytest.mark.parametrize("heartbeat", [True, False], ids=["heartbeat-notices", "commit-refused"])
async def test_a_process_that_lost_a_runs_lease_stops_executing_it_and_commits_nothing_more(
    gql: GraphQLClient, services: Services, counting: CountingServer, heartbeat: bool
) -> None:
    # the heartbeat notices the loss and interrupts the execution; without it, the next commit is
    # refused (it checks the lease) and the execution stops there
    definition = {
        "nodes": [
            {
                "id": "slow",
                "type": "tool",
                "params": {"url": f"{counting.url}/lease/{heartbeat}/slow?delay=1"},
            },
            {"id": "next", "type": "tool", "params": {"url": f"{counting.url}/lease/{heartbeat}/next"}},
        ],
        "edges": [{"from": "slow", "to": "next"}],
    }
    started = await start_run(gql, await create_workflow(gql, definition))
    run_id = UUID(started["id"])
    host = services.runtime.host
    assert host is not None
    deadline = time.monotonic() + 15
    while counting.count(f"/lease/{heartbeat}/slow") == 0:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)

    async with services.db.pool.acquire() as connection:  # another process takes the run over
        await connection.execute(
            "UPDATE runs SET lease_owner = $2, lease_expires_at = now() + interval '1 hour' WHERE id = $1",
            run_id,
            OTHER_PROCESS,
        )
        last_seq = await connection.fetchval("SELECT last_seq FROM runs WHERE id = $1", run_id)
    if heartbeat:
        await services.runtime.leases.renew()  # the heartbeat finds the lease gone
    stopped_within = time.monotonic() + (0.5 if heartbeat else 3)
    while host.executing(run_id) and time.monotonic() < stopped_within:  # noqa: ASYNC110 - polls the host
        await asyncio.sleep(0.01)
    executing_after_renewal = host.executing(run_id)
    await asyncio.sleep(1.5)  # past the moment `slow` would have finished and `next` started

    async with services.db.pool.acquire() as connection:
        row = await connection.fetchrow(
            "SELECT last_seq, status, lease_owner FROM runs WHERE id = $1", run_id
        )
    assert row is not None
    assert not executing_after_renewal
    assert (row["last_seq"], row["status"], row["lease_owner"]) == (last_seq, "RUNNING", OTHER_PROCESS)
    assert counting.count(f"/lease/{heartbeat}/next") == 0
