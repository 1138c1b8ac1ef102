"""The reference Node client (graphql-ws on `ws`) against a real `flowloom serve` process.

Third parties subscribe with graphql-ws, not with our test client: this checks that what they get
is what the contract promises, over a real socket, a real server process and its PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.services import Services
from tests.operations import operation
from tests.processes import Server, flowloom_env
from tests.servers.counting import CountingServer
from tests.tenants import Tenant

CLIENT = Path(__file__).resolve().parent / "node"
NODE_SECONDS = 30


@dataclass(frozen=True)
class Finished:
    """What the Node client did: its exit status and what it printed."""

    status: int
    stdout: str
    stderr: str

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stdout.splitlines()]


async def subscribe(server: Server, token: str, run_id: str) -> Finished:
    """Run `node subscribe.mjs` against the server until it exits."""
    node = shutil.which("node")
    assert node, "node is not installed (apt-get install nodejs npm)"
    assert (CLIENT / "node_modules").is_dir(), "the Node client's packages are missing: make node-clients"
    ws_url = f"ws://127.0.0.1:{server.port}/graphql"
    process = await asyncio.create_subprocess_exec(
        node,
        str(CLIENT / "subscribe.mjs"),
        ws_url,
        token,
        run_id,
        cwd=CLIENT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), NODE_SECONDS)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return Finished(process.returncode, stdout.decode(), stderr.decode())


@pytest.fixture(scope="module")
async def server(
    services: Services, postgres_dsn: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Server]:
    """A `flowloom serve` process on the session database (which `services` migrated)."""
    env = flowloom_env(
        FLOWLOOM_HOME=str(tmp_path_factory.mktemp("node-client-home")),
        DATABASE_URL=postgres_dsn,
        FLOWLOOM_SECRET_KEY="test-secret",
        FLOWLOOM_HTTP_ALLOWLIST="127.0.0.1",
    )
    started = Server(env)
    try:
        await asyncio.to_thread(started.wait_ready)
        yield started
    finally:
        assert await asyncio.to_thread(started.stop) == 0, started.output()


async def graphql(server: Server, token: str, name: str, **variables: Any) -> dict[str, Any]:
    """Run operation `name` over HTTP; its data (failing the test on GraphQL errors)."""
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        response = await http.post(
            "/graphql",
            json={"query": operation(name), "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


def slow_chain(counting: CountingServer) -> dict[str, Any]:
    """Three tool nodes of 0.3 s each: the client normally joins mid-run (replay, then live)."""
    ids = ["a", "b", "c"]
    nodes = [{"id": i, "type": "tool", "params": {"url": f"{counting.url}/{i}?delay=0.3"}} for i in ids]
    return {"nodes": nodes, "edges": [{"from": "a", "to": "b"}, {"from": "b", "to": "c"}]}


async def test_the_node_client_receives_every_persisted_event_in_order_then_completes(
    server: Server, tenant: Tenant, counting: CountingServer
) -> None:
    created = await graphql(
        server, tenant.token, "CreateWorkflow", input={"name": "node", "definition": slow_chain(counting)}
    )
    started = await graphql(server, tenant.token, "StartRun", workflowId=created["createWorkflow"]["id"])
    run_id = started["startRun"]["id"]

    finished = await subscribe(server, tenant.token, run_id)

    assert finished.status == 0, finished.stderr
    run = (await graphql(server, tenant.token, "Run", id=run_id))["run"]
    persisted = [event["seq"] for event in run["events"]]
    assert persisted == list(range(1, len(persisted) + 1))
    assert [event["seq"] for event in finished.events()] == persisted
    assert finished.events()[-1]["type"] == "RUN_SUCCEEDED"
    assert counting.counts() == {"/a": 1, "/b": 1, "/c": 1}


async def test_a_bad_token_makes_the_node_client_fail_with_close_code_4403(server: Server) -> None:
    finished = await subscribe(server, "flt_wrong", str(uuid.uuid4()))

    assert finished.status == 1
    assert finished.stdout == ""
    assert finished.stderr.startswith("closed 4403"), finished.stderr
