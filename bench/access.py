"""What authentication and access checks cost on a real `flowloom serve`, and whether a foreign id
answers like an unknown one (same answer, same time).

Seeds an embedded PostgreSQL with two workspaces (each with workflows and finished runs) and a person
with a password in the first, starts `flowloom serve` on it with the rate limits off, and measures
over HTTP:
- `workflow(id)` and `run(id)` with the person's token for an id of their workspace, of the other
  workspace and a random one, interleaved so drift on the machine hits the three alike;
- `{ viewer { email } }` at concurrency 8 with a bearer token and with a browser session (cookie,
  X-CSRF-Token, X-Flowloom-Workspace) of the same person;
- `POST /auth/login` with the right password, a wrong one and an unknown email (argon2id each time).

The sign-in throttle never slows these attempts down: every attempt comes from its own address
(uvicorn trusts X-Forwarded-For from 127.0.0.1), each unknown email is new, and each wrong password
is followed by a right one, which clears the account's failures. Prints one JSON object:

    python -m bench.access [--quick] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import asyncpg
import httpx
import uvloop

from backend.accounts.provisioning import Provisioning
from backend.accounts.records import Principal
from backend.accounts.repository import AccountsRepository
from backend.accounts.roles import Role
from backend.db.embedded import get_server  # imported there with its import-time warning silenced
from backend.problems import Refused
from backend.services import Services
from backend.settings import Settings
from backend.workflows.records import WorkflowRecord
from bench.report import emit
from tests.operations import operation
from tests.processes import Server, flowloom_env

WORKFLOWS = 50
RUNS = 20
"""Per workspace."""
CONCURRENCY = 8
PASSWORD = "correct horse battery staple"
OWN, OTHER = "bench-own", "bench-other"
LOOKUPS = {
    "workflow": "query WorkflowById($id: ID!) { workflow(id: $id) { id name version } }",
    "run": "query RunById($id: ID!) { run(id: $id) { id status } }",
}
VIEWER = "query ViewerEmail { viewer { email } }"
DEFINITION = {
    "nodes": [
        {"id": "shape", "type": "template", "params": {"template": "hello"}},
        {"id": "out", "type": "output", "params": {"value": "{{ nodes.shape.output }}"}},
    ],
    "edges": [{"from": "shape", "to": "out"}],
}


@dataclass(frozen=True)
class Seeded:
    """What the benchmark acts with: the person, their token and the ids of both workspaces."""

    email: str
    own_token: str
    other_token: str
    workflows: dict[str, list[str]]
    """Workflow ids by workspace slug; runs are added once the server runs them."""


@dataclass(frozen=True)
class Sizes:
    """How much each repetition measures."""

    requests: int
    warm_up: int
    seconds: float
    sign_in_rounds: int
    repetitions: int


class BenchError(RuntimeError):
    """The server answered something a measurement did not expect: its figures would mean nothing."""


def expect(condition: bool, what: str) -> None:
    """Raise `BenchError(what)` unless `condition` (not `assert`: it must hold under -O too)."""
    if not condition:
        raise BenchError(what)


async def seed(settings: Settings) -> Seeded:
    """Two workspaces with workflows, and a person with a password and a token in the first."""
    services = await Services.open(settings, migrate=True)
    try:
        accounts = services.accounts
        own = await accounts.ensure_workspace(OWN, "Own", "own-owner@bench.test", "Owner")
        other = await accounts.ensure_workspace(OTHER, "Other", "other-owner@bench.test", "Owner")
        email = "person@bench.test"
        provisioning = Provisioning(AccountsRepository())
        user_id = await provisioning.create_user(email, PASSWORD, "Person", OWN, Role.EDITOR)
        if isinstance(user_id, Refused):
            raise BenchError(user_id.message)
        person = Principal(user_id=user_id, workspace_id=own.workspace_id, role=Role.EDITOR)
        issued = await accounts.issue_token(person, "bench", Role.EDITOR)
        if isinstance(issued, Refused):
            raise BenchError(issued.message)
        workflows: dict[str, list[str]] = {}
        for slug, principal in ((OWN, person), (OTHER, other)):
            for i in range(WORKFLOWS):
                created = await services.workflows.create(principal, f"Workflow {i}", DEFINITION)
                if not isinstance(created, WorkflowRecord):
                    raise BenchError(f"workflow not created: {created}")
                workflows.setdefault(slug, []).append(str(created.id))
        other_token = (await accounts.create_token(OTHER, "bench")).secret
        return Seeded(email, issued.secret, other_token, workflows)
    finally:
        await services.close()


async def start_runs(url: str, token: str, workflow_ids: list[str]) -> list[str]:
    """Run `RUNS` of the workflows to the end over the API; their ids."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        ids = []
        for i in range(RUNS):
            variables = {"workflowId": workflow_ids[i % len(workflow_ids)]}
            response = await client.post(
                "/graphql", json={"query": operation("StartRun"), "variables": variables}
            )
            started = response.json()["data"]["startRun"]
            expect(started["__typename"] == "Run", f"run not started: {started}")
            ids.append(started["id"])
        for run_id in ids:
            deadline = time.monotonic() + 30
            while True:
                body = {"query": LOOKUPS["run"], "variables": {"id": run_id}}
                status = (await client.post("/graphql", json=body)).json()["data"]["run"]["status"]
                if status in {"SUCCEEDED", "FAILED", "CANCELLED"}:
                    break
                expect(time.monotonic() < deadline, f"run {run_id} still {status}")
                await asyncio.sleep(0.05)
        return ids


def percentiles(latencies: list[float]) -> dict[str, float]:
    """p50 and p95 in milliseconds."""
    ordered = sorted(latencies)
    return {
        "p50_ms": 1000 * ordered[len(ordered) // 2],
        "p95_ms": 1000 * ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))],
    }


async def lookups(
    client: httpx.AsyncClient, token: str, field: str, ids: dict[str, list[str]], sizes: Sizes
) -> dict[str, Any]:
    """Latency of `field(id)` for own, foreign and unknown ids, one of each in turn."""
    headers = {"Authorization": f"Bearer {token}"}
    own, foreign = ids[OWN], ids[OTHER]
    latencies: dict[str, list[float]] = {"own": [], "foreign": [], "unknown": []}
    nothing = {"data": {field: None}}
    for i in range(sizes.warm_up + sizes.requests):
        chosen = {"own": own[i % len(own)], "foreign": foreign[i % len(foreign)], "unknown": str(uuid4())}
        kinds = list(chosen)
        for kind in kinds[i % 3 :] + kinds[: i % 3]:  # rotate: no kind always follows the same one
            started = time.perf_counter()
            document = {"query": LOOKUPS[field], "variables": {"id": chosen[kind]}}
            response = await client.post("/graphql", json=document, headers=headers)
            elapsed = time.perf_counter() - started
            body = response.json()
            if kind == "own":
                expect(body.get("data", {}).get(field, {}).get("id") == chosen[kind], f"own {field}: {body}")
            else:
                # the point of the exercise: a foreign id gets exactly the answer of an unknown one
                expect(response.status_code == 200 and body == nothing, f"{kind} {field}: {body}")
            if i >= sizes.warm_up:
                latencies[kind].append(elapsed)
    figures: dict[str, Any] = {kind: percentiles(values) for kind, values in latencies.items()}
    figures["foreign_over_unknown_p50"] = figures["foreign"]["p50_ms"] / figures["unknown"]["p50_ms"]
    figures["foreign_over_unknown_p95"] = figures["foreign"]["p95_ms"] / figures["unknown"]["p95_ms"]
    return figures


Send = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]
"""One request of a load, sent with the given client."""


async def load(client: httpx.AsyncClient, send: Send, email: str, seconds: float) -> dict[str, float]:
    """Requests per second and latency percentiles of `send` under `CONCURRENCY` workers."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            response = await send(client)
            latencies.append(time.perf_counter() - started)
            viewer = response.json().get("data", {}).get("viewer") if response.status_code == 200 else None
            expect(viewer == {"email": email}, f"viewer: {response.status_code} {response.text}")

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return {"rps": len(latencies) / (time.perf_counter() - began), **percentiles(latencies)}


def addresses() -> Iterator[str]:
    """A new client address for each sign-in attempt (10.0.0.1, 10.0.0.2, ...)."""
    n = 0
    while True:
        n += 1
        yield f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


async def sign_ins(
    client: httpx.AsyncClient, email: str, rounds: int, source: Iterator[str]
) -> dict[str, Any]:
    """POST /auth/login latency: right password, wrong password, unknown email, one of each in turn."""
    latencies: dict[str, list[float]] = {"right_password": [], "wrong_password": [], "unknown_email": []}
    warm_up = 2
    for i in range(warm_up + rounds):
        # right after wrong: the success clears the account's failure count
        attempts = {
            "wrong_password": ({"email": email, "password": "not the password at all"}, 401),
            "right_password": ({"email": email, "password": PASSWORD}, 200),
            "unknown_email": ({"email": f"nobody-{uuid4().hex[:12]}@bench.test", "password": PASSWORD}, 401),
        }
        for kind, (body, status) in attempts.items():
            started = time.perf_counter()
            response = await client.post("/auth/login", json=body, headers={"X-Forwarded-For": next(source)})
            elapsed = time.perf_counter() - started
            client.cookies.clear()  # the new session's cookie must not ride along on later requests
            expect(response.status_code == status, f"{kind}: {response.status_code} {response.text}")
            if i >= warm_up:
                latencies[kind].append(elapsed)
    figures: dict[str, Any] = {kind: percentiles(values) for kind, values in latencies.items()}
    right = figures["right_password"]["p50_ms"]
    figures["wrong_over_right_p50"] = figures["wrong_password"]["p50_ms"] / right
    figures["unknown_over_right_p50"] = figures["unknown_email"]["p50_ms"] / right
    figures["unknown_over_wrong_p50"] = (
        figures["unknown_email"]["p50_ms"] / figures["wrong_password"]["p50_ms"]
    )
    return figures


async def session_headers(client: httpx.AsyncClient, email: str, address: str) -> dict[str, str]:
    """Sign in as a browser does; the headers its GraphQL POSTs carry."""
    response = await client.post(
        "/auth/login", json={"email": email, "password": PASSWORD}, headers={"X-Forwarded-For": address}
    )
    expect(response.status_code == 200, f"sign-in: {response.status_code} {response.text}")
    # sent by hand, and only with these requests: the token's requests carry no cookie
    cookie = response.cookies["flowloom_session"]
    client.cookies.clear()
    return {
        "Cookie": f"flowloom_session={cookie}",
        "X-CSRF-Token": response.json()["csrfToken"],
        "X-Flowloom-Workspace": OWN,
    }


async def measure(url: str, seeded: Seeded, runs: dict[str, list[str]], sizes: Sizes) -> list[dict[str, Any]]:
    """Every figure, once per repetition."""
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    source = addresses()
    repetitions = []
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        token = {"Authorization": f"Bearer {seeded.own_token}"}
        session = await session_headers(client, seeded.email, next(source))

        async def with_token(c: httpx.AsyncClient) -> httpx.Response:
            return await c.post("/graphql", json={"query": VIEWER}, headers=token)

        async def with_session(c: httpx.AsyncClient) -> httpx.Response:
            return await c.post("/graphql", json={"query": VIEWER}, headers=session)

        await load(client, with_token, seeded.email, 0.5)
        await load(client, with_session, seeded.email, 0.5)
        for _ in range(sizes.repetitions):
            ids = {"workflow": seeded.workflows, "run": runs}
            found = {
                field: await lookups(client, seeded.own_token, field, ids[field], sizes) for field in LOOKUPS
            }
            bearer = await load(client, with_token, seeded.email, sizes.seconds)
            browser = await load(client, with_session, seeded.email, sizes.seconds)
            authentication = {
                "bearer_token": bearer,
                "browser_session": browser,
                "session_over_token_p50": browser["p50_ms"] / bearer["p50_ms"],
            }
            logins = await sign_ins(client, seeded.email, sizes.sign_in_rounds, source)
            repetitions.append({"lookups": found, "authentication": authentication, "sign_in": logins})
    return repetitions


async def failed_sign_ins(database_url: str) -> list[int]:
    """How many sign-ins failed, and from how many addresses (the server's audit log)."""
    connection = await asyncpg.connect(database_url)
    try:
        row = await connection.fetchrow(
            "SELECT count(*), count(DISTINCT address) FROM audit_events WHERE action = 'sign_in_failed'"
        )
    finally:
        await connection.close()
    if row is None:
        raise BenchError("no audit count")
    return [int(row[0]), int(row[1])]


def median_of(runs: list[Any]) -> Any:
    """The median of each figure over the repetitions; a ratio's is of the repetitions' own ratios."""
    if isinstance(runs[0], dict):
        return {key: median_of([run[key] for run in runs]) for key in runs[0]}
    return round(statistics.median(runs), 2)


def within(ratio: float) -> bool:
    """Whether a ratio of two times is about 1 (what two runs on a busy 2-core machine can tell)."""
    return 0.8 <= ratio <= 1.25


def main() -> None:
    """Seed, serve, measure, print one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short runs (about 20 s in all)")
    parser.add_argument("--json", type=Path, help="also write the result to this file")
    args = parser.parse_args()
    sizes = Sizes(60, 10, 1.0, 5, 1) if args.quick else Sizes(300, 30, 4.0, 15, 3)

    home = Path(tempfile.mkdtemp(prefix="flowloom-bench-access-"))
    # a throwaway cluster this process owns and deletes; the server only connects to it
    postgres = get_server(home / "pgdata", cleanup_mode="delete")
    postgres.psql("CREATE DATABASE flowloom;")
    env = flowloom_env(
        FLOWLOOM_HOME=str(home),
        DATABASE_URL=str(postgres.get_uri("flowloom")),
        FLOWLOOM_SECRET_KEY="bench",
        FORWARDED_ALLOW_IPS="127.0.0.1",  # uvicorn's default, said here because sign_ins() needs it
    )  # rate limits off (flowloom_env): the figures are of authentication, not of refusals
    seeded = uvloop.run(seed(Settings.from_env(env)))
    server = Server(env)
    try:
        server.wait_ready()
        runs = {
            slug: uvloop.run(start_runs(server.url, token, seeded.workflows[slug]))
            for slug, token in ((OWN, seeded.own_token), (OTHER, seeded.other_token))
        }
        repetitions = uvloop.run(measure(server.url, seeded, runs, sizes))
        counted = uvloop.run(failed_sign_ins(env["DATABASE_URL"]))
    finally:
        server.stop()
        postgres.cleanup()
    figures = median_of(repetitions)
    lookups_ = figures["lookups"]
    logins = figures["sign_in"]
    result = {
        "benchmark": "access",
        "server": "flowloom serve, embedded PostgreSQL, rate limits off",
        "seed": {"workspaces": 2, "workflows_per_workspace": WORKFLOWS, "runs_per_workspace": RUNS},
        "repetitions": sizes.repetitions,
        "lookups": {"requests_per_kind": sizes.requests, "caller": "bearer token", **lookups_},
        "authentication": {
            "query": VIEWER,
            "client_concurrency": CONCURRENCY,
            "seconds_per_run": sizes.seconds,
            **figures["authentication"],
        },
        "sign_in": {
            "attempts_per_kind": sizes.sign_in_rounds,
            "failed_attempts_and_their_distinct_addresses": counted,
            **logins,
        },
        "targets": {
            "foreign_answers_like_unknown": True,  # checked on every request, or BenchError
            # p50 only: a p95 of a few hundred requests on a shared 2-core machine is mostly its noise
            "foreign_as_fast_as_unknown": all(
                within(lookups_[f]["foreign_over_unknown_p50"]) for f in LOOKUPS
            ),
            "wrong_password_as_fast_as_right": within(logins["wrong_over_right_p50"]),
            "unknown_email_as_fast_as_wrong_password": within(logins["unknown_over_wrong_p50"]),
            "every_sign_in_from_its_own_address": counted[0] == counted[1],
        },
    }
    emit(result, args.json)


if __name__ == "__main__":
    main()
