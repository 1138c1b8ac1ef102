"""Retention: old finished runs lose their events, node data or themselves, in small batches."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from backend.runs.retention import PASSES_ROW, Pruner, PruneReport, RetentionPolicy
from backend.services import Services
from tests.backend.conftest import GraphQLClient
from tests.backend.runs_support import create_workflow, hold_as_other_process, start_run, wait_for
from tests.backend.test_cli_startup import (
    PROVIDER_SDKS,
    RUNTIME,
    SERVER,
    modules_imported_by,
    shared_database_env,
)
from tests.fixtures_data import template_chain
from tests.processes import flowloom_env, run_cli
from tests.tenants import Tenant

# Far enough back that no other test's runs qualify: each test's pass prunes only its own runs.
ANCIENT = 3000
OLD = 1000
POLICY = RetentionPolicy(runs_days=2000, events_days=500, node_data_days=500, batch_size=2)

CHAIN = {
    "nodes": [
        {"id": f"t{i}", "type": "template", "params": {"template": "{{inputs.text}}"}} for i in range(3)
    ],
    "edges": [{"from": "t0", "to": "t1"}, {"from": "t1", "to": "t2"}],
}
"""Three nodes, each outputting the run input `text`: 8 events (run start and end, 2 per node)."""

HUMAN_GATE = {
    "nodes": [
        {"id": "before", "type": "template", "params": {"template": "draft {{inputs.text}}"}},
        {"id": "approve", "type": "human", "params": {"prompt": "OK?"}},
    ],
    "edges": [{"from": "before", "to": "approve"}],
}


@pytest.fixture(autouse=True)
async def nothing_old_left(services: Services) -> AsyncIterator[None]:
    """After each test, what its old runs still hold goes: the next test's counts are its own."""
    yield
    await Pruner(services.db.pool, POLICY).prune(force=True)


async def finished_runs(
    gql: GraphQLClient, count: int, definition: dict[str, Any] | None = None
) -> list[str]:
    """Ids of `count` runs of one workflow (by default three template nodes), each finished."""
    workflow_id = await create_workflow(gql, definition or CHAIN)
    ids = []
    for _ in range(count):
        started = await start_run(gql, workflow_id, {"text": "hello"})
        ids.append(started["id"])
    for run_id in ids:
        assert (await wait_for(gql, run_id))["status"] == "SUCCEEDED"
    return ids


async def finished_days_ago(services: Services, run_ids: list[str], days: int) -> None:
    async with services.db.pool.acquire() as connection:
        await connection.execute(
            "UPDATE runs SET finished_at = now() - make_interval(days => $2) WHERE id = ANY($1::uuid[])",
            [UUID(run_id) for run_id in run_ids],
            days,
        )


async def stored(services: Services, run_id: str) -> dict[str, Any]:
    """What PostgreSQL holds of a run: whether it exists, its events, its node runs' data."""
    async with services.db.pool.acquire() as connection:
        exists = await connection.fetchval("SELECT count(*) FROM runs WHERE id = $1", UUID(run_id))
        events = await connection.fetch(
            "SELECT seq, type, data::text AS data FROM run_events WHERE run_id = $1 ORDER BY seq",
            UUID(run_id),
        )
        nodes = await connection.fetch(
            "SELECT node_id, status, input::text AS input, output::text AS output, pruned_at, started_at, "
            "finished_at FROM node_runs WHERE run_id = $1 ORDER BY ord",
            UUID(run_id),
        )
    return {
        "exists": bool(exists),
        "events": [dict(row) for row in events],
        "nodes": [dict(row) for row in nodes],
    }


async def test_pruning_takes_what_each_setting_lets_go_and_only_from_finished_runs(
    services: Services, gql: GraphQLClient
) -> None:
    ancient = await finished_runs(gql, 3)  # deleted: past the runs' retention
    old = await finished_runs(gql, 3)  # events and node data pruned, the runs kept
    recent = await finished_runs(gql, 1)  # untouched
    waiting = (await start_run(gql, await create_workflow(gql, HUMAN_GATE), {"text": "x"}))["id"]
    await wait_for(gql, waiting, {"WAITING"})
    await finished_days_ago(services, ancient, ANCIENT)
    await finished_days_ago(services, old, OLD)
    # an unfinished run is never pruned, whatever its timestamps say
    await finished_days_ago(services, [waiting], ANCIENT)
    waiting_before = await stored(services, waiting)
    recent_before = await stored(services, recent[0])

    report = await Pruner(services.db.pool, POLICY).prune(force=True)

    assert report.acted
    assert (report.runs_deleted, report.events_deleted, report.node_runs_deleted) == (3, 6 * 8, 9)
    assert (report.runs_events_pruned, report.runs_node_data_pruned, report.node_runs_pruned) == (3, 3, 9)
    assert report.node_events_pruned == 0  # their events went first
    # batches of 2 rows: 48 events, 18 node runs, 18 node events, 3 runs... at least one statement per 2
    assert report.statements >= (48 + 18 + 18 + 9) // 2
    for run_id in ancient:
        assert (await stored(services, run_id)) == {"exists": False, "events": [], "nodes": []}
    for run_id in old:
        kept = await stored(services, run_id)
        assert kept["exists"]
        assert kept["events"] == []
        assert [(n["status"], n["input"], n["output"]) for n in kept["nodes"]] == [
            ("SUCCEEDED", None, None)
        ] * 3
        assert all(n["pruned_at"] and n["started_at"] and n["finished_at"] for n in kept["nodes"])
    assert await stored(services, recent[0]) == recent_before
    assert await stored(services, waiting) == waiting_before


async def test_pruned_node_data_leaves_the_events_without_inputs_and_outputs(
    services: Services, gql: GraphQLClient
) -> None:
    [run_id] = await finished_runs(gql, 1)
    await finished_days_ago(services, [run_id], OLD)
    before = await stored(services, run_id)

    report = await Pruner(services.db.pool, RetentionPolicy(node_data_days=500, batch_size=2)).prune(
        force=True
    )

    assert (report.runs_node_data_pruned, report.node_runs_pruned, report.node_events_pruned) == (1, 3, 6)
    after = await stored(services, run_id)
    assert [(e["seq"], e["type"]) for e in after["events"]] == [
        (e["seq"], e["type"]) for e in before["events"]
    ]
    for event in after["events"]:
        data = json.loads(event["data"])
        if event["type"] in {"NODE_STARTED", "NODE_SUCCEEDED"}:
            assert data["pruned"] is True
            assert not {"input", "inputRef", "output", "outputRef"} & set(data)
        else:
            assert event in before["events"]
    run = (await gql.run("Run", id=run_id))["run"]
    assert [(node["output"], node["prunedAt"] is not None) for node in run["nodeRuns"]] == [(None, True)] * 3


async def test_a_pass_finishes_the_node_data_a_pass_that_died_had_only_marked(
    services: Services, gql: GraphQLClient
) -> None:
    [run_id] = await finished_runs(gql, 1)
    async with services.db.pool.acquire() as connection:  # marked, then the process died
        await connection.execute(
            "UPDATE runs SET node_data_pruned_at = now(), node_data_pruning = true WHERE id = $1",
            UUID(run_id),
        )

    report = await Pruner(services.db.pool, RetentionPolicy(node_data_days=500, batch_size=2)).prune(
        force=True
    )

    assert report.node_runs_pruned == 3
    assert [node["output"] for node in (await stored(services, run_id))["nodes"]] == [None] * 3
    async with services.db.pool.acquire() as connection:
        assert not await connection.fetchval("SELECT node_data_pruning FROM runs WHERE id = $1", UUID(run_id))


async def test_a_run_somebody_holds_a_lease_on_waits_for_the_next_pass(
    services: Services, gql: GraphQLClient
) -> None:
    [run_id] = await finished_runs(gql, 1)
    await finished_days_ago(services, [run_id], ANCIENT)
    await hold_as_other_process(services, UUID(run_id))  # as a retry in another process would
    before = await stored(services, run_id)

    held = await Pruner(services.db.pool, POLICY).prune(force=True)

    assert (held.runs_deleted, held.runs_events_pruned, held.runs_node_data_pruned) == (0, 0, 0)
    assert await stored(services, run_id) == before
    async with services.db.pool.acquire() as connection:
        await connection.execute(
            "UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL WHERE id = $1", UUID(run_id)
        )
    assert (await Pruner(services.db.pool, POLICY).prune(force=True)).runs_deleted == 1


async def test_a_dry_run_counts_what_a_pass_would_do_and_changes_nothing(
    services: Services, gql: GraphQLClient
) -> None:
    ancient = await finished_runs(gql, 2)
    old = await finished_runs(gql, 3)
    await finished_days_ago(services, ancient, ANCIENT)
    await finished_days_ago(services, old, OLD)
    before = [await stored(services, run_id) for run_id in ancient + old]
    pruner = Pruner(services.db.pool, POLICY)

    planned = await pruner.prune(dry_run=True)

    assert planned.dry_run
    assert [await stored(services, run_id) for run_id in ancient + old] == before
    done = await pruner.prune(force=True)
    assert (planned.runs_deleted, planned.runs_events_pruned, planned.runs_node_data_pruned) == (2, 3, 3)
    assert planned.events_deleted == done.events_deleted == 5 * 8
    assert (planned.node_runs_pruned, planned.node_runs_deleted) == (
        done.node_runs_pruned,
        done.node_runs_deleted,
    )
    assert (planned.runs_deleted, planned.runs_events_pruned) == (done.runs_deleted, done.runs_events_pruned)


async def test_a_pruned_run_says_so_over_graphql_and_cannot_be_retried_or_rerun(
    services: Services, gql: GraphQLClient
) -> None:
    [run_id] = await finished_runs(gql, 1)
    await finished_days_ago(services, [run_id], OLD)
    await Pruner(services.db.pool, POLICY).prune(force=True)

    run = (await gql.run("RunviewRun", id=run_id))["run"]

    assert run["status"] == "SUCCEEDED"
    assert run["eventsPrunedAt"] is not None
    assert run["nodeDataPrunedAt"] is not None
    assert run["events"] == []
    for node in run["nodeRuns"]:
        assert node["prunedAt"] is not None
        assert (node["input"], node["output"], node["status"]) == (None, None, "SUCCEEDED")
        assert node["startedAt"]
        assert node["finishedAt"]
    rerun = (await gql.run("RerunFromNode", runId=run_id, nodeId="t1", input="again"))["rerunFromNode"]
    assert rerun["__typename"] == "InvalidRunInputs"
    assert [problem["code"] for problem in rerun["problems"]] == ["NODE_DATA_PRUNED"]


async def test_a_pruned_failed_run_cannot_be_retried(services: Services, gql: GraphQLClient) -> None:
    failing = {
        "nodes": [{"id": "bad", "type": "template", "params": {"template": "{{ inputs.nope.x }}"}}],
        "edges": [],
    }
    started = await start_run(gql, await create_workflow(gql, failing))
    assert (await wait_for(gql, started["id"]))["status"] == "FAILED"
    await finished_days_ago(services, [started["id"]], OLD)
    await Pruner(services.db.pool, POLICY).prune(force=True)

    retried = (await gql.run("RetryRun", id=started["id"]))["retryRun"]

    assert retried["__typename"] == "RunNotRetryable"
    assert "pruned" in retried["message"]


async def test_a_replay_of_a_run_whose_events_were_pruned_returns_what_is_left_and_ends(
    services: Services, gql: GraphQLClient, tenant: Tenant
) -> None:
    [run_id] = await finished_runs(gql, 1)
    await finished_days_ago(services, [run_id], OLD)
    await Pruner(services.db.pool, RetentionPolicy(events_days=500, batch_size=2)).prune(force=True)

    replayed = [event async for event in services.live.run_events(tenant.principal, UUID(run_id), 0)]

    assert replayed == []
    run = (await gql.run("Run", id=run_id))["run"]
    assert run["events"] == []
    assert [node["output"] for node in run["nodeRuns"]] == ["hello"] * 3  # node data kept


async def test_runs_executing_while_a_pass_prunes_finish_normally(
    services: Services, gql: GraphQLClient
) -> None:
    old = await finished_runs(gql, 6)
    await finished_days_ago(services, old, ANCIENT)
    workflow_id = await create_workflow(gql, template_chain(15))
    pruner = Pruner(services.db.pool, RetentionPolicy(runs_days=2000, batch_size=2))

    async def execute() -> list[dict[str, Any]]:
        started = [await start_run(gql, workflow_id, {"text": "live"}) for _ in range(3)]
        return [await wait_for(gql, run["id"], within=20) for run in started]

    report, finished = await asyncio.gather(pruner.prune(force=True), execute())

    assert report.runs_deleted == 6
    assert [run["status"] for run in finished] == ["SUCCEEDED"] * 3
    assert all(len(run["events"]) == 2 + 2 * 15 for run in finished)


async def test_the_periodic_pass_runs_once_however_many_processes_try(services: Services) -> None:
    dsn = services.settings.database_url
    assert dsn is not None
    async with services.db.pool.acquire() as connection:
        await connection.execute(
            "UPDATE reconciler_passes SET last_pass_at = '-infinity' WHERE id = $1", PASSES_ROW
        )
    pools = [await asyncpg.create_pool(dsn, min_size=1, max_size=2) for _ in range(2)]
    pruners = [Pruner(pool, RetentionPolicy(runs_days=2000), seconds=30) for pool in pools]
    try:
        together = await asyncio.gather(*(pruner.prune() for pruner in pruners))
        assert sorted(report.acted for report in together) == [False, True]
        for pruner in pruners:  # the loops' first passes come within the interval: nobody acts
            pruner.start()
        await asyncio.sleep(0.5)
        assert sum(pruner.passes for pruner in pruners) == 1
    finally:
        for pruner in pruners:
            await pruner.stop()
        for pool in pools:
            await pool.close()


async def test_nothing_is_pruned_when_every_setting_keeps_forever(
    services: Services, gql: GraphQLClient
) -> None:
    ancient = await finished_runs(gql, 1)
    await finished_days_ago(services, ancient, ANCIENT)
    before = await stored(services, ancient[0])

    report = await Pruner(services.db.pool, RetentionPolicy()).prune(force=True)

    assert report == PruneReport(acted=True)
    assert await stored(services, ancient[0]) == before
    await Pruner(services.db.pool, POLICY).prune(force=True)  # leave nothing ancient to later tests


def test_retention_periods_and_batch_sizes_are_checked() -> None:
    with pytest.raises(ValueError, match="batch size"):
        RetentionPolicy(batch_size=0)
    with pytest.raises(ValueError, match="0 \\(keep forever\\)"):
        RetentionPolicy(events_days=-1)


async def test_flowloom_prune_prints_what_it_would_prune_then_what_it_pruned(
    services: Services, gql: GraphQLClient
) -> None:
    ancient = await finished_runs(gql, 2)
    await finished_days_ago(services, ancient, ANCIENT)
    dsn = services.settings.database_url
    assert dsn is not None
    env = flowloom_env(
        FLOWLOOM_HOME=str(services.settings.home),
        DATABASE_URL=dsn,
        FLOWLOOM_SECRET_KEY="test-secret",
        FLOWLOOM_RETENTION_RUNS_DAYS="2000",
        FLOWLOOM_PRUNE_BATCH_SIZE="3",
    )

    planned = run_cli("prune", "--dry-run", env=env)
    done = run_cli("prune", env=env)
    again = run_cli("prune", env=env)

    assert planned.returncode == 0, planned.stderr
    assert planned.stdout.startswith("would prune (dry run): runs_deleted=2,")
    assert "events_deleted=16" in planned.stdout
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("pruned: runs_deleted=2,")
    assert "events_deleted=16" in done.stdout
    assert "node_runs_deleted=6" in done.stdout
    assert again.stdout.startswith("pruned: runs_deleted=0,")
    for run_id in ancient:
        assert not (await stored(services, run_id))["exists"]


def test_flowloom_prune_says_when_every_setting_keeps_forever(services: Services) -> None:
    dsn = services.settings.database_url
    assert dsn is not None
    env = flowloom_env(FLOWLOOM_HOME=str(services.settings.home), DATABASE_URL=dsn, FLOWLOOM_SECRET_KEY="x")

    result = run_cli("prune", env=env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("nothing to prune")


def test_flowloom_prune_opens_only_the_database_side(services: Services, tmp_path: Path) -> None:
    env = shared_database_env(services)
    env["FLOWLOOM_RETENTION_RUNS_DAYS"] = "2000"

    imported = modules_imported_by("prune", "--dry-run", env=env, tmp_path=tmp_path)

    assert "backend.runs.retention" in imported
    assert imported & (PROVIDER_SDKS | SERVER | RUNTIME) == set()
