"""GraphQL list cost against a hand-written Litestar JSON handler, on a real server over HTTP.

Seeds an embedded PostgreSQL with workflows that have several versions, serves Flowloom's app plus a
hand-written handler returning the same data (same services, same authentication) from a uvicorn
subprocess, and loads both with the same client. Prints one JSON object:

    python -m bench.api [--quick] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import uvicorn
import uvloop
from litestar import Request, get
from litestar.datastructures import State

from backend.app import create_app
from backend.cli import settle_gc
from backend.db.embedded import get_server  # imported there with its import-time warning silenced
from backend.gql.context import bearer_token
from backend.pagination import PageRequest
from backend.services import Services
from backend.settings import DEFAULT_WORKSPACE_SLUG, Settings
from backend.workflows.records import WorkflowRecord
from bench.report import emit
from tests.operations import operation
from tests.processes import free_port

WORKFLOWS = 200
VERSIONS_PER_WORKFLOW = 3
PAGE = 50


@get("/bench/workflows")
async def hand_written_workflows(request: Request[Any, Any, Any], state: State) -> Any:
    """The same page as `WorkflowsWithVersions(first: 50)`, built by hand."""
    services: Services = state.services
    principal = await services.accounts.authenticate(bearer_token(request.headers.get("authorization")))
    if principal is None:
        return {"errors": [{"message": "authentication required"}]}
    page = await services.workflows.page(principal, PageRequest.parse(PAGE, None))
    versions = await services.workflows.versions(principal, [item.id for item in page.items])
    edges = [
        {
            "cursor": cursor,
            "node": {
                "id": str(item.id),
                "name": item.name,
                "version": item.version,
                "definition": item.definition,
                "createdAt": item.created_at.isoformat(),
                "updatedAt": item.updated_at.isoformat(),
                "versions": [
                    {"version": v.version, "definition": v.definition, "createdAt": v.created_at.isoformat()}
                    for v in item_versions
                ],
            },
        }
        for cursor, item, item_versions in zip(page.cursors, page.items, versions, strict=True)
    ]
    info = {"hasNextPage": page.has_next_page, "endCursor": page.end_cursor}
    return {"data": {"workflows": {"edges": edges, "pageInfo": info}}}


@get("/bench/statements", sync_to_thread=False)
def statement_count(state: State) -> dict[str, int]:
    """SQL statements sent so far by this process."""
    services: Services = state.services
    return {"total": services.db.statements.total}


def definition(i: int, version: int) -> dict[str, Any]:
    """A realistic small workflow: llm → template → output, varying by version."""
    return {
        "nodes": [
            {
                "id": "ask",
                "type": "llm",
                "params": {"model": "test", "prompt": f"v{version} #{i}: {{{{input}}}}"},
            },
            {"id": "shape", "type": "template", "params": {"template": "{{ nodes.ask.output }}"}},
            {"id": "out", "type": "output", "params": {"value": {"answer": "{{input}}"}}},
        ],
        "edges": [{"from": "ask", "to": "shape"}, {"from": "shape", "to": "out"}],
    }


async def seed(settings: Settings) -> str:
    """Create the workflows and their versions; return a token of the default workspace."""
    services = await Services.open(settings, migrate=True)
    try:
        principal = await services.accounts.ensure_default_workspace(DEFAULT_WORKSPACE_SLUG)
        for i in range(WORKFLOWS):
            created = await services.workflows.create(principal, f"Workflow {i}", definition(i, 1))
            assert isinstance(created, WorkflowRecord), created
            for version in range(2, VERSIONS_PER_WORKFLOW + 1):
                await services.workflows.update(principal, str(created.id), definition=definition(i, version))
        return (await services.accounts.create_token(DEFAULT_WORKSPACE_SLUG, "bench")).secret
    finally:
        await services.close()


def serve(port: int) -> None:
    """The server side: Flowloom's app plus the hand-written handler, on uvicorn."""

    async def run() -> None:
        settings = Settings.from_env()
        services = await Services.open(settings)
        app = create_app(settings, services)
        app.register(hand_written_workflows)
        app.register(statement_count)
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
        settle_gc()  # as `flowloom serve` does
        await uvicorn.Server(config).serve()

    uvloop.run(run())


Send = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]
"""One request of a load, sent with the given client."""


async def load(client: httpx.AsyncClient, send: Send, seconds: float, concurrency: int) -> dict[str, float]:
    """Requests per second and latency percentiles of `send` under `concurrency` workers."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            response = await send(client)
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
            assert len(response.json()["data"]["workflows"]["edges"]) == PAGE

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
    }


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    """The median of each figure over the repetitions."""
    return {key: round(statistics.median(run[key] for run in runs), 2) for key in runs[0]}


async def measure(url: str, token: str, seconds: float, repetitions: int, concurrency: int) -> dict[str, Any]:
    """Alternate GraphQL and hand-written runs so drift on the machine hits both alike."""
    headers = {"Authorization": f"Bearer {token}"}
    document = operation("WorkflowsWithVersions")
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=30) as client:

        async def graphql(c: httpx.AsyncClient) -> httpx.Response:
            return await c.post("/graphql", json={"query": document, "variables": {"first": PAGE}})

        async def hand_written(c: httpx.AsyncClient) -> httpx.Response:
            return await c.get("/bench/workflows")

        graphql_body = (await graphql(client)).json()
        same = graphql_body == (await hand_written(client)).json()
        assert same, "the two endpoints must return the same data"
        await load(client, graphql, 1, concurrency)
        await load(client, hand_written, 1, concurrency)
        graphql_runs, hand_runs = [], []
        for _ in range(repetitions):
            graphql_runs.append(await load(client, graphql, seconds, concurrency))
            hand_runs.append(await load(client, hand_written, seconds, concurrency))

        statements = {}
        for first in (10, 100):
            before = (await client.get("/bench/statements")).json()["total"]
            response = await client.post("/graphql", json={"query": document, "variables": {"first": first}})
            assert len(response.json()["data"]["workflows"]["edges"]) == first
            await asyncio.sleep(0.05)
            statements[str(first)] = (await client.get("/bench/statements")).json()["total"] - before

    gql, hand = median_of(graphql_runs), median_of(hand_runs)
    cost = round(hand["rps"] / gql["rps"], 2)
    return {
        "graphql": gql,
        "hand_written": hand,
        "graphql_cost_ratio": cost,
        "sql_statements_per_request": statements,
        "targets": {
            "graphql_at_most_2x_hand_written": cost <= 2.0,
            "statements_constant_in_page_size": statements["10"] == statements["100"],
        },
    }


def main() -> None:
    """Seed, serve, measure, print one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short runs (about 20 s in all)")
    parser.add_argument("--json", type=Path, help="also write the result to this file")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return

    seconds, repetitions, concurrency = (2.0, 3, 4) if args.quick else (5.0, 5, 4)
    home = Path(tempfile.mkdtemp(prefix="flowloom-bench-"))
    # a throwaway cluster this process owns and deletes; the server process only connects to it
    postgres = get_server(home / "pgdata", cleanup_mode="delete")
    postgres.psql("CREATE DATABASE flowloom;")
    env = {
        **os.environ,
        "FLOWLOOM_HOME": str(home),
        "DATABASE_URL": str(postgres.get_uri("flowloom")),
        "FLOWLOOM_SECRET_KEY": "bench",
        # the limits stay on, so the figures include their cost, but one client must never reach them
        "FLOWLOOM_RATE_LIMIT_PER_MINUTE": os.environ.get("FLOWLOOM_RATE_LIMIT_PER_MINUTE", "1000000000"),
        "FLOWLOOM_RATE_LIMIT_PER_ADDRESS_PER_MINUTE": os.environ.get(
            "FLOWLOOM_RATE_LIMIT_PER_ADDRESS_PER_MINUTE", "1000000000"
        ),
    }
    env.pop("REDIS_URL", None)
    settings = Settings.from_env(env)
    token = uvloop.run(seed(settings))
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "bench.api", "--serve", str(port)], env=env)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        figures = uvloop.run(measure(url, token, seconds, repetitions, concurrency))
    finally:
        server.terminate()
        server.wait(timeout=30)
        postgres.cleanup()
    result = {
        "benchmark": "api",
        "query": f"workflows(first: {PAGE}) with versions",
        "seed": {"workflows": WORKFLOWS, "versions_per_workflow": VERSIONS_PER_WORKFLOW},
        "client_concurrency": concurrency,
        "repetitions": repetitions,
        "seconds_per_run": seconds,
        **figures,
    }
    emit(result, args.json)


if __name__ == "__main__":
    main()
