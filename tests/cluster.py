"""A distributed deployment for tests: API and worker processes on their own database and Redis.

Each cluster gets a fresh database, so that the test session's in-process services (which execute
runs from their own in-process queue) never see its runs. Everything in it goes through processes
and the command line, as in a deployment: `flowloom migrate`, `flowloom token create`, GraphQL.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import pytest
from gql import Client, GraphQLRequest
from gql import gql as document
from gql.transport.websockets import WebsocketsTransport

from tests.operations import operation
from tests.processes import Server, Worker, flowloom_env, run_cli
from tests.redis_server import RedisServer


@dataclass(frozen=True)
class ClusterTenant:
    """A workspace of the cluster and a token acting as its owner."""

    slug: str
    token: str


@dataclass
class Cluster:
    """Processes sharing one database and one Redis."""

    dsn: str
    redis: RedisServer
    env: dict[str, str]
    servers: list[Server] = field(default_factory=list)
    workers: list[Worker] = field(default_factory=list)

    def serve(self, port: int | None = None) -> Server:
        """Start an API process and wait until it is ready."""
        server = Server(self.env, port).wait_ready()
        self.servers.append(server)
        return server

    def worker(self, **env: str) -> Worker:
        """Start a worker process (with `env` added to the cluster's) and wait until its /healthz
        answers."""
        worker = Worker({**self.env, **env}).wait_ready()
        self.workers.append(worker)
        return worker

    async def tenant(self, slug: str = "default") -> ClusterTenant:
        """An owner's token for workspace `slug` (a workspace other than the default one is made
        with SQL, owned by the command line's local owner: only a browser session may create one)."""
        default = await asyncio.to_thread(self._token, "default")
        if slug == "default":
            return ClusterTenant(slug, default)
        connection = await asyncpg.connect(self.dsn)
        try:
            await connection.execute(
                "WITH w AS (INSERT INTO workspaces (slug, name) VALUES ($1, $1) RETURNING id) "
                "INSERT INTO memberships (workspace_id, user_id, role) "
                "SELECT w.id, m.user_id, 'owner' FROM w, memberships m JOIN workspaces d "
                "ON d.id = m.workspace_id AND d.slug = 'default' WHERE m.role = 'owner'",
                slug,
            )
        finally:
            await connection.close()
        return ClusterTenant(slug, await asyncio.to_thread(self._token, slug))

    def _token(self, slug: str) -> str:
        created = run_cli("token", "create", "--workspace", slug, env=self.env)
        assert created.returncode == 0, created.stderr
        return created.stdout.strip()

    def stop_all(self) -> dict[str, str]:
        """Stop every process still running (SIGTERM); the output of each that did not exit 0."""
        failed: dict[str, str] = {}
        for process in [*self.workers, *self.servers]:
            if process.process.poll() is None and process.stop(signal.SIGTERM, 60) != 0:
                failed[f"{process.command[0]} {process.process.pid}"] = process.output()[-4000:]
        return failed


async def call(server: Server, token: str, name: str, /, **variables: Any) -> dict[str, Any]:
    """The root field of operation `name` of graphql/*.graphql (the test fails on a GraphQL error)."""
    async with httpx.AsyncClient(timeout=60) as client:
        response = await client.post(
            f"{server.url}/graphql",
            json={"query": operation(name), "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, (name, body)
    return dict(next(iter(body["data"].values())))


RUN_EVENTS = document(
    "subscription ($runId: ID!, $afterSeq: Int) { "
    "runEvents(runId: $runId, afterSeq: $afterSeq) { seq type } }"
)
FINAL = {"RUN_SUCCEEDED", "RUN_FAILED", "RUN_CANCELLED"}


async def subscribe(server: Server, token: str, run_id: str, after: int = 0) -> list[tuple[int, str]]:
    """Every runEvents message through the Python gql client (graphql-transport-ws), until complete."""
    transport = WebsocketsTransport(
        url=server.url.replace("http", "ws") + "/graphql",
        init_payload={"authToken": token},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    request = GraphQLRequest(RUN_EVENTS, variable_values={"runId": run_id, "afterSeq": after})
    async with Client(transport=transport) as session:
        return [
            (message["runEvents"]["seq"], message["runEvents"]["type"])
            async for message in session.subscribe(request)
        ]


async def follow(server: Server, token: str, run_id: str) -> list[tuple[int, str]]:
    """Every event of the run, as a client that reconnects with `afterSeq` would see them: through
    network drops and server restarts, until the run's final event."""
    received: list[tuple[int, str]] = []
    while not received or received[-1][1] not in FINAL:
        try:
            received += await subscribe(server, token, run_id, received[-1][0] if received else 0)
        except Exception:
            await asyncio.sleep(0.2)
    return received


def approval_beside_a_slow_call(url: str) -> dict[str, Any]:
    """start → approve (a human node) and start → slow (a tool calling `url`), joined by the output
    (the approval's answer): while `slow` runs, the run is RUNNING with a task open."""
    return {
        "nodes": [
            {"id": "start", "type": "template", "params": {"template": "go"}},
            {"id": "approve", "type": "human", "params": {"prompt": "OK?"}},
            {"id": "slow", "type": "tool", "params": {"url": url}},
            {"id": "join", "type": "output", "params": {"value": "{{ nodes.approve.output }}"}},
        ],
        "edges": [
            {"from": "start", "to": "approve"},
            {"from": "start", "to": "slow"},
            {"from": "approve", "to": "join"},
            {"from": "slow", "to": "join"},
        ],
    }


@pytest.fixture
async def cluster(fresh_database: str, redis_server: RedisServer) -> AsyncIterator[Cluster]:
    """A cluster on a fresh, migrated database; its processes are stopped (and checked) afterwards."""
    await _flush(redis_server)
    env = flowloom_env(
        DATABASE_URL=fresh_database,
        REDIS_URL=redis_server.url,
        FLOWLOOM_SECRET_KEY="test-secret",
        FLOWLOOM_HTTP_ALLOWLIST="127.0.0.1",
    )
    migrated = await asyncio.to_thread(run_cli, "migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    cluster = Cluster(fresh_database, redis_server, env)
    try:
        yield cluster
    finally:
        failed = cluster.stop_all()
    assert not failed, failed


async def _flush(redis_server: RedisServer) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(redis_server.url)
    try:
        await redis.flushall()
    finally:
        await redis.aclose()
