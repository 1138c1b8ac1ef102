"""Schedule triggers: one fire per tick however many schedulers race, catch-up at most once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from backend.services import Services
from backend.triggers.repository import TriggerRepository
from backend.triggers.scheduler import Scheduler
from tests.backend.conftest import GraphQLClient
from tests.backend.runs_support import create_workflow, wait_for
from tests.backend.triggers.support import GREETING, NO_INPUTS, create_trigger, runs_of


@pytest.fixture
async def pools(postgres_dsn: str) -> AsyncIterator[list[asyncpg.Pool[Any]]]:
    """Two pools of their own, as two processes would have."""
    opened = [await asyncpg.create_pool(postgres_dsn, min_size=1, max_size=2) for _ in range(2)]
    yield opened
    for pool in opened:
        await pool.close()


def schedulers(services: Services, pools: list[asyncpg.Pool[Any]]) -> list[Scheduler]:
    """A scheduler per pool, starting runs the way every process does."""
    return [Scheduler(TriggerRepository(pool), services.runs.starter) for pool in pools]


async def schedule(
    gql: GraphQLClient, workflow_id: str, cron: str = "* * * * *", **values: Any
) -> dict[str, Any]:
    created = await create_trigger(gql, workflowId=workflow_id, kind="SCHEDULE", cron=cron, **values)
    assert created["__typename"] == "TriggerWithSecret", created
    assert created["secret"] is None
    trigger: dict[str, Any] = created["trigger"]
    return trigger


async def set_due(services: Services, trigger_id: str, at: datetime) -> None:
    async with services.db.pool.acquire() as connection:
        await connection.execute("UPDATE triggers SET next_fire_at = $2 WHERE id = $1", UUID(trigger_id), at)


async def fires(services: Services, trigger_id: str) -> list[dict[str, Any]]:
    async with services.db.pool.acquire() as connection:
        rows = await connection.fetch(
            "SELECT run_id, scheduled_for, error FROM trigger_fires WHERE trigger_id = $1 "
            "ORDER BY scheduled_for",
            UUID(trigger_id),
        )
    return [dict(row) for row in rows]


async def next_fire_at(services: Services, trigger_id: str) -> datetime:
    async with services.db.pool.acquire() as connection:
        found: datetime = await connection.fetchval(
            "SELECT next_fire_at FROM triggers WHERE id = $1", UUID(trigger_id)
        )
    return found


async def test_a_new_schedule_next_fires_at_its_first_tick_in_its_time_zone(gql: GraphQLClient) -> None:
    workflow_id = await create_workflow(gql, NO_INPUTS)

    trigger = await schedule(gql, workflow_id, cron="30 9 * * *", timezone="Asia/Kolkata")

    tick = datetime.fromisoformat(trigger["nextFireAt"])
    assert tick > datetime.now(UTC)
    assert (tick.astimezone(UTC).hour, tick.astimezone(UTC).minute) == (4, 0)  # 09:30 IST is 04:00 UTC
    assert trigger["timezone"] == "Asia/Kolkata"


async def test_racing_schedulers_fire_each_tick_exactly_once(
    gql: GraphQLClient, services: Services, pools: list[asyncpg.Pool[Any]]
) -> None:
    workflow_id = await create_workflow(gql, NO_INPUTS)
    trigger = await schedule(gql, workflow_id)
    racing = schedulers(services, pools)

    for round_ in range(1, 6):
        await set_due(services, trigger["id"], datetime.now(UTC) - timedelta(seconds=round_))
        await asyncio.gather(*(scheduler.poll() for scheduler in racing))
        assert len(await fires(services, trigger["id"])) == round_

    runs = await runs_of(gql, workflow_id)
    assert len(runs) == 5
    assert {fire["run_id"] for fire in await fires(services, trigger["id"])} == {
        UUID(run["id"]) for run in runs
    }
    finished = await wait_for(gql, runs[0]["id"])
    assert finished["status"] == "SUCCEEDED"
    seen = (await gql.run("RunTrigger", id=runs[0]["id"]))["run"]
    assert seen["trigger"] == {"id": trigger["id"], "kind": "SCHEDULE", "name": "Schedule"}


async def test_running_scheduler_loops_fire_a_due_tick_once(
    gql: GraphQLClient, services: Services, pools: list[asyncpg.Pool[Any]]
) -> None:
    workflow_id = await create_workflow(gql, NO_INPUTS)
    trigger = await schedule(gql, workflow_id)
    loops = schedulers(services, pools)
    for loop in loops:
        loop.start()
    try:
        await set_due(services, trigger["id"], datetime.now(UTC) - timedelta(seconds=1))
        await asyncio.sleep(2.5)  # every loop (and the session's own) polls twice or more
    finally:
        for loop in loops:
            await loop.stop()

    assert len(await fires(services, trigger["id"])) == 1
    assert len(await runs_of(gql, workflow_id)) == 1


async def test_after_downtime_missed_ticks_fire_once_then_the_next_future_tick(
    gql: GraphQLClient, services: Services, pools: list[asyncpg.Pool[Any]]
) -> None:
    workflow_id = await create_workflow(gql, NO_INPUTS)
    trigger = await schedule(gql, workflow_id)
    missed_since = (datetime.now(UTC) - timedelta(hours=3)).replace(second=0, microsecond=0)
    await set_due(services, trigger["id"], missed_since)  # 180 ticks missed while nothing ran
    racing = schedulers(services, pools)

    for _ in range(3):
        await asyncio.gather(*(scheduler.poll() for scheduler in racing))

    fired = await fires(services, trigger["id"])
    assert len(fired) == 1
    assert fired[0]["scheduled_for"] == missed_since
    upcoming = await next_fire_at(services, trigger["id"])
    assert datetime.now(UTC) < upcoming <= datetime.now(UTC) + timedelta(minutes=1)
    assert len(await runs_of(gql, workflow_id)) == 1


async def test_a_disabled_schedule_does_not_fire(
    gql: GraphQLClient, services: Services, pools: list[asyncpg.Pool[Any]]
) -> None:
    workflow_id = await create_workflow(gql, NO_INPUTS)
    trigger = await schedule(gql, workflow_id, enabled=False)
    await set_due(services, trigger["id"], datetime.now(UTC) - timedelta(minutes=5))

    await asyncio.gather(*(scheduler.poll() for scheduler in schedulers(services, pools)))

    assert await fires(services, trigger["id"]) == []


async def test_a_deleted_workflows_schedule_does_not_fire(
    gql: GraphQLClient, services: Services, pools: list[asyncpg.Pool[Any]]
) -> None:
    workflow_id = await create_workflow(gql, NO_INPUTS)
    trigger = await schedule(gql, workflow_id)
    await gql.run("DeleteWorkflow", id=workflow_id)
    await set_due(services, trigger["id"], datetime.now(UTC) - timedelta(minutes=5))

    await asyncio.gather(*(scheduler.poll() for scheduler in schedulers(services, pools)))

    assert await fires(services, trigger["id"]) == []


async def test_a_tick_whose_inputs_no_longer_fit_is_recorded_without_a_run(
    gql: GraphQLClient, services: Services, pools: list[asyncpg.Pool[Any]]
) -> None:
    workflow_id = await create_workflow(gql, NO_INPUTS)
    trigger = await schedule(gql, workflow_id)
    # the workflow now requires a name the schedule does not send
    changed = await gql.run("UpdateWorkflow", id=workflow_id, input={"definition": GREETING})
    assert changed["updateWorkflow"]["__typename"] == "Workflow", changed
    await set_due(services, trigger["id"], datetime.now(UTC) - timedelta(seconds=1))

    await asyncio.gather(*(scheduler.poll() for scheduler in schedulers(services, pools)))

    [fired] = await fires(services, trigger["id"])
    assert fired["run_id"] is None
    assert "name" in fired["error"]
    assert await next_fire_at(services, trigger["id"]) > datetime.now(UTC)


async def test_schedule_inputs_become_the_runs_inputs(
    gql: GraphQLClient, services: Services, pools: list[asyncpg.Pool[Any]]
) -> None:
    workflow_id = await create_workflow(gql, GREETING)
    trigger = await schedule(gql, workflow_id, inputs={"name": "cron"})
    await set_due(services, trigger["id"], datetime.now(UTC) - timedelta(seconds=1))

    await schedulers(services, pools)[0].poll()

    [run] = await runs_of(gql, workflow_id)
    finished = await wait_for(gql, run["id"])
    assert finished["output"] == {"greet": "Hello cron"}
