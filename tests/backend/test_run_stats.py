"""The dashboard's figures (`runStats`), computed by PostgreSQL over runs with known timings.

Runs are written straight into the tables with the times, statuses and usage each case needs (the
engine cannot be asked to take exactly 40 s); every other part is real: the schema, the permission
check, the service's window rules and the SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import msgspec
import pytest

from backend.accounts.roles import Role
from backend.services import Services
from tests.backend.conftest import GraphQLClient
from tests.operations import operation
from tests.tenants import Tenant, new_tenant

WORKFLOW = {"nodes": [{"id": "n1", "type": "template", "params": {"template": "hi"}}]}
SINCE = datetime(2026, 11, 30, tzinfo=UTC)
UNTIL = datetime(2026, 12, 2, tzinfo=UTC)
WINDOW = {"since": SINCE.isoformat(), "until": UNTIL.isoformat()}


def at(text: str) -> datetime:
    """A UTC time of the test's window, `MM-DD HH:MM`."""
    return datetime.strptime(f"2026-{text}", "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


@dataclass(frozen=True)
class Seeded:
    """The workflows the seeded runs belong to."""

    main: str
    other: str


async def insert_run(
    services: Services,
    workspace_id: UUID,
    workflow_id: str,
    created: datetime,
    status: str,
    *,
    seconds: float | None = None,
    started: bool = True,
    usage: tuple[tuple[int, int, int], ...] = (),
) -> None:
    """A run created at `created`, now in `status`, that ran `seconds` (None: not finished), with one
    node run per `(input, output, requests)` in `usage`."""
    started_at = created + timedelta(seconds=1) if started else None
    finished_at = None if seconds is None or started_at is None else started_at + timedelta(seconds=seconds)
    if status in {"CANCELLED", "SUCCEEDED", "FAILED"} and finished_at is None:
        finished_at = created + timedelta(seconds=2)
    async with services.db.pool.acquire() as connection:
        run_id = await connection.fetchval(
            "INSERT INTO runs (workspace_id, workflow_id, version, status, created_at, started_at, "
            "finished_at) VALUES ($1, $2, 1, $3, $4, $5, $6) RETURNING id",
            workspace_id,
            UUID(workflow_id),
            status,
            created,
            started_at,
            finished_at,
        )
        for index, (tokens_in, tokens_out, requests) in enumerate(usage):
            document = {"input_tokens": tokens_in, "output_tokens": tokens_out, "requests": requests}
            await connection.execute(
                "INSERT INTO node_runs (run_id, workspace_id, node_id, status, usage, started_at, "
                "finished_at) VALUES ($1, $2, $3, 'SUCCEEDED', $4::jsonb, $5, $6)",
                run_id,
                workspace_id,
                f"n{index}",
                msgspec.json.encode(document).decode(),
                started_at,
                finished_at,
            )


async def workflow(client: GraphQLClient, name: str) -> str:
    """A new workflow's id."""
    created = await client.run("CreateWorkflow", input={"name": name, "definition": WORKFLOW})
    workflow_id: str = created["createWorkflow"]["id"]
    return workflow_id


async def seed(services: Services, gql: GraphQLClient, tenant: Tenant) -> Seeded:
    """Eight runs in the window (two workflows), two just outside it.

    main: 11-30 10:05 SUCCEEDED 10 s (usage 100/50/1 and 10/5/1), 10:20 SUCCEEDED 20 s, 10:40 FAILED
    40 s, 11:10 FAILED 100 s, 11:30 CANCELLED before starting, 11:45 WAITING; 12-01 09:00 SUCCEEDED
    30 s (usage 7/3/1). other: 11-30 10:30 FAILED 5 s (usage 1/1/1).
    """
    main, other = await workflow(gql, "main"), await workflow(gql, "other")
    space = tenant.principal.workspace_id
    await insert_run(
        services, space, main, at("11-30 10:05"), "SUCCEEDED", seconds=10, usage=((100, 50, 1), (10, 5, 1))
    )
    await insert_run(services, space, main, at("11-30 10:20"), "SUCCEEDED", seconds=20)
    await insert_run(services, space, main, at("11-30 10:40"), "FAILED", seconds=40)
    await insert_run(services, space, main, at("11-30 11:10"), "FAILED", seconds=100)
    await insert_run(services, space, main, at("11-30 11:30"), "CANCELLED", started=False)
    await insert_run(services, space, main, at("11-30 11:45"), "WAITING")
    await insert_run(services, space, main, at("12-01 09:00"), "SUCCEEDED", seconds=30, usage=((7, 3, 1),))
    await insert_run(services, space, other, at("11-30 10:30"), "FAILED", seconds=5, usage=((1, 1, 1),))
    # just outside the half-open window [since, until)
    outside = ((1000, 1000, 1),)
    await insert_run(
        services, space, main, SINCE - timedelta(minutes=1), "SUCCEEDED", seconds=1, usage=outside
    )
    await insert_run(services, space, main, UNTIL, "FAILED", seconds=1, usage=outside)
    return Seeded(main=main, other=other)


async def stats(client: GraphQLClient, **variables: Any) -> dict[str, Any]:
    """`runStats` through the dashboard's own operation."""
    data = await client.run("Dashboard", **variables)
    found: dict[str, Any] = data["runStats"]
    return found


def hours(found: dict[str, Any]) -> list[tuple[datetime, str, int]]:
    """The hourly buckets, as (hour in UTC, status, runs)."""
    return [
        (datetime.fromisoformat(item["hour"]).astimezone(UTC), item["status"], item["runs"])
        for item in found["runsPerHour"]
    ]


def days(found: dict[str, Any]) -> list[tuple[datetime, int, int, int]]:
    """The daily token sums, as (day's start in UTC, input, output, requests)."""
    return [
        (
            datetime.fromisoformat(item["day"]).astimezone(UTC),
            item["inputTokens"],
            item["outputTokens"],
            item["requests"],
        )
        for item in found["tokensPerDay"]
    ]


async def test_runs_are_counted_per_hour_by_status(
    services: Services, gql: GraphQLClient, tenant: Tenant
) -> None:
    await seed(services, gql, tenant)

    found = await stats(gql, **WINDOW)

    assert hours(found) == [
        (at("11-30 10:00"), "FAILED", 2),
        (at("11-30 10:00"), "SUCCEEDED", 2),
        (at("11-30 11:00"), "CANCELLED", 1),
        (at("11-30 11:00"), "FAILED", 1),
        (at("11-30 11:00"), "WAITING", 1),
        (at("12-01 09:00"), "SUCCEEDED", 1),
    ]
    assert (found["runs"], found["finished"], found["failed"]) == (8, 7, 3)


async def test_failure_rate_and_duration_percentiles_cover_finished_runs(
    services: Services, gql: GraphQLClient, tenant: Tenant
) -> None:
    await seed(services, gql, tenant)

    found = await stats(gql, **WINDOW)

    # durations of the finished runs that started: 5, 10, 20, 30, 40, 100 s (percentile_cont interpolates)
    assert found["failureRate"] == pytest.approx(3 / 7)
    assert found["p50DurationSeconds"] == pytest.approx(25)
    assert found["p95DurationSeconds"] == pytest.approx(85)


async def test_tokens_are_summed_per_day_from_node_runs(
    services: Services, gql: GraphQLClient, tenant: Tenant
) -> None:
    await seed(services, gql, tenant)

    found = await stats(gql, **WINDOW)

    assert days(found) == [(at("11-30 00:00"), 111, 56, 3), (at("12-01 00:00"), 7, 3, 1)]


async def test_a_workflow_filter_keeps_only_its_runs(
    services: Services, gql: GraphQLClient, tenant: Tenant
) -> None:
    seeded = await seed(services, gql, tenant)

    found = await stats(gql, workflowId=seeded.main, **WINDOW)

    assert (found["runs"], found["finished"], found["failed"]) == (7, 6, 2)
    assert found["failureRate"] == pytest.approx(1 / 3)
    assert found["p50DurationSeconds"] == pytest.approx(30)
    assert found["p95DurationSeconds"] == pytest.approx(88)
    assert (at("11-30 10:00"), "FAILED", 1) in hours(found)
    assert days(found) == [(at("11-30 00:00"), 110, 55, 2), (at("12-01 00:00"), 7, 3, 1)]


async def test_hours_and_days_follow_the_requested_time_zone(
    services: Services, gql: GraphQLClient, tenant: Tenant
) -> None:
    await seed(services, gql, tenant)

    kolkata = await stats(gql, timeZone="Asia/Kolkata", **WINDOW)
    new_york = await stats(gql, timeZone="America/New_York", **WINDOW)

    # UTC+05:30: 10:05 and 10:20 UTC fall in the hour starting 09:30 UTC; 10:30, 10:40 and 11:10 in the next
    assert hours(kolkata)[:2] == [(at("11-30 09:30"), "SUCCEEDED", 2), (at("11-30 10:30"), "FAILED", 3)]
    # UTC-05:00: days start at 05:00 UTC
    assert [day[0] for day in days(new_york)] == [at("11-30 05:00"), at("12-01 05:00")]
    assert kolkata["timeZone"] == "Asia/Kolkata"


async def test_an_empty_window_has_no_rate_and_no_percentiles(gql: GraphQLClient) -> None:
    found = await stats(gql, **WINDOW)

    assert (found["runs"], found["finished"], found["runsPerHour"], found["tokensPerDay"]) == (0, 0, [], [])
    assert (found["failureRate"], found["p50DurationSeconds"], found["p95DurationSeconds"]) == (
        None,
        None,
        None,
    )


async def test_the_default_window_is_the_last_24_hours(gql: GraphQLClient) -> None:
    before = datetime.now(UTC)

    found = await stats(gql)

    until = datetime.fromisoformat(found["until"])
    assert before <= until <= datetime.now(UTC)
    assert until - datetime.fromisoformat(found["since"]) == timedelta(hours=24)


async def test_a_window_longer_than_90_days_is_clamped_to_its_last_90(gql: GraphQLClient) -> None:
    found = await stats(gql, since=(UNTIL - timedelta(days=400)).isoformat(), until=UNTIL.isoformat())

    assert datetime.fromisoformat(found["since"]) == UNTIL - timedelta(days=90)
    assert datetime.fromisoformat(found["until"]) == UNTIL


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"since": UNTIL.isoformat(), "until": SINCE.isoformat()}, "`since` must be before `until`"),
        ({"timeZone": "Mars/Olympus_Mons"}, "unknown time zone"),
    ],
)
async def test_an_unreadable_window_is_refused_as_bad_input(
    gql: GraphQLClient, variables: dict[str, str], message: str
) -> None:
    status, body = await gql.post(operation("Dashboard"), variables)

    assert status == 200
    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"]
    assert message in body["errors"][0]["message"]


async def test_another_workspace_s_runs_and_workflows_stay_out(
    services: Services, http: httpx.AsyncClient, gql: GraphQLClient, tenant: Tenant
) -> None:
    seeded = await seed(services, gql, tenant)
    other = await new_tenant(services)
    outsider = GraphQLClient(http, other.token)

    theirs = await stats(outsider, **WINDOW)
    by_their_workflow = await stats(outsider, workflowId=seeded.main, **WINDOW)
    by_unknown_workflow = await stats(outsider, workflowId=str(uuid4()), **WINDOW)
    by_no_uuid = await stats(outsider, workflowId="not-a-uuid", **WINDOW)

    assert theirs["runs"] == 0
    assert by_their_workflow == by_unknown_workflow == by_no_uuid == theirs


async def test_a_viewer_may_read_the_figures(
    services: Services, http: httpx.AsyncClient, gql: GraphQLClient, tenant: Tenant
) -> None:
    await seed(services, gql, tenant)
    viewer = (await services.accounts.create_token(tenant.slug, "viewer", role=Role.VIEWER)).secret

    found = await stats(GraphQLClient(http, viewer), **WINDOW)

    assert found["runs"] == 8


async def test_nobody_signed_in_is_refused(http: httpx.AsyncClient) -> None:
    status, _body = await GraphQLClient(http, None).post(operation("Dashboard"), WINDOW)

    assert status == 401
