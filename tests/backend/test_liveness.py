"""A server stays responsive while templates are validated and rendered: nothing costly runs on its loop.

Against a real `flowloom serve` (embedded mode). On the landed main, `validateWorkflow` with
`{{ 9**16000000 }}` froze every request, /healthz included, for 46 s, and rendering a costly
template in a run froze it for as long as the template ran.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from tests.operations import operation
from tests.processes import Server, flowloom_env, run_cli

LOOP_BOMB = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
"""10**10 loop iterations: runs until its CPU budget is spent."""
CPU_SECONDS = 3
RESPONSIVE_SECONDS = 1.0
"""Longest a probe may wait for an answer: generous, the answers take milliseconds on an idle server."""


def pathological_definition() -> dict[str, Any]:
    """A power that froze validation, next to a template that takes seconds to compile (legitimately)."""
    nodes = [
        {"id": "power", "type": "template", "params": {"template": "{{ 9**16000000 }}"}},
        {"id": "long", "type": "template", "params": {"template": "{{ input }}" * 60_000}},
    ]
    return {"nodes": nodes, "edges": [{"from": "power", "to": "long"}]}


class Probe:
    """Times /healthz and a small GraphQL query against a server, over and over."""

    def __init__(self, server: Server, token: str) -> None:
        self._client = httpx.Client(base_url=server.url, timeout=30)
        self._headers = {"Authorization": f"Bearer {token}"}
        self.slowest = 0.0
        self.count = 0

    def once(self) -> None:
        """Ask both once; remember the slowest answer."""
        requests: list[Callable[[], httpx.Response]] = [
            lambda: self._client.get("/healthz"),
            lambda: self._client.post("/graphql", json={"query": operation("Viewer")}, headers=self._headers),
        ]
        for request in requests:
            started = time.perf_counter()
            response = request()
            self.slowest = max(self.slowest, time.perf_counter() - started)
            assert response.status_code == 200, response.text
        self.count += 1

    def close(self) -> None:
        """Close the connection."""
        self._client.close()


def in_background(work: Any) -> tuple[threading.Thread, dict[str, Any]]:
    """Run `work()` in a thread; its result (or error) lands in the returned dict."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["result"] = work()
        except Exception as error:  # reported by the test's assertions
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, outcome


def test_the_server_answers_while_templates_are_validated_and_rendered(tmp_path: Path) -> None:
    env = flowloom_env(FLOWLOOM_HOME=str(tmp_path), FLOWLOOM_TEMPLATE_CPU_SECONDS=str(CPU_SECONDS))
    server = Server(env).wait_ready()
    try:
        token = run_cli("token", "create", env=env).stdout.strip()
        bomb = {"nodes": [{"id": "bomb", "type": "template", "params": {"template": LOOP_BOMB}}], "edges": []}
        created = server.graphql(
            token, operation("CreateWorkflow"), {"input": {"name": "Bomb", "definition": bomb}}
        )
        workflow_id = created["data"]["createWorkflow"]["id"]
        probe = Probe(server, token)
        probe.once()  # warm
        probe.slowest = 0.0

        validation, validated = in_background(
            lambda: server.graphql(
                token, operation("ValidateWorkflow"), {"definition": pathological_definition()}
            )
        )
        started = server.graphql(token, operation("StartRun"), {"workflowId": workflow_id})
        run_id = started["data"]["startRun"]["id"]
        deadline = time.monotonic() + 120
        status = "RUNNING"
        while (validation.is_alive() or status in {"PENDING", "RUNNING"}) and time.monotonic() < deadline:
            probe.once()
            run = server.graphql(token, operation("RunStatus"), {"id": run_id})
            status = run["data"]["run"]["status"]
            time.sleep(0.05)
        validation.join(timeout=1)
        probe.close()

        assert not validation.is_alive(), "validateWorkflow did not return"
        assert validated["result"]["data"]["validateWorkflow"] == {"valid": True, "problems": []}
        finished = server.graphql(token, operation("Run"), {"id": run_id})["data"]["run"]
        assert finished["status"] == "FAILED"
        [node_run] = finished["nodeRuns"]
        assert (
            node_run["error"] == f"params.template: the template used more than {CPU_SECONDS} s of CPU time"
        )
        assert probe.count >= 5  # the probes overlapped the work...
        assert probe.slowest < RESPONSIVE_SECONDS  # ...and were answered promptly throughout
    finally:
        assert server.stop() == 0, server.output()
