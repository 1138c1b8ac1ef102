"""A run survives its server being killed: real processes, SIGKILL, restart, exactly-once proof."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

import psutil

from tests.backend.test_cli import postmaster_pid
from tests.operations import operation
from tests.processes import Server, flowloom_env, run_cli
from tests.servers.counting import CountingServer


def wait_until(condition: Any, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def run_status(server: Server, token: str, run_id: str) -> dict[str, Any]:
    body = server.graphql(token, operation("Run"), {"id": run_id})
    run: dict[str, Any] = body["data"]["run"]
    return run


def test_killing_the_server_mid_run_loses_nothing_and_repeats_only_the_interrupted_node(
    tmp_path: Path, counting: CountingServer
) -> None:
    env = flowloom_env(FLOWLOOM_HOME=str(tmp_path), FLOWLOOM_HTTP_ALLOWLIST="127.0.0.1")
    definition = {
        "nodes": [
            {"id": "a", "type": "tool", "params": {"url": f"{counting.url}/a"}},
            {"id": "slow", "type": "tool", "params": {"url": f"{counting.url}/slow?delay=2"}},
            {"id": "c", "type": "tool", "params": {"url": f"{counting.url}/c"}},
        ],
        "edges": [{"from": "a", "to": "slow"}, {"from": "slow", "to": "c"}],
    }
    first = Server(env).wait_ready()
    token = run_cli("token", "create", env=env).stdout.strip()
    created = first.graphql(
        token, operation("CreateWorkflow"), {"input": {"name": "d", "definition": definition}}
    )
    workflow_id = created["data"]["createWorkflow"]["id"]
    started = first.graphql(token, operation("StartRun"), {"workflowId": workflow_id})
    run_id = started["data"]["startRun"]["id"]

    wait_until(lambda: counting.count("/slow") == 1)
    first.stop(signal.SIGKILL)
    assert psutil.pid_exists(postmaster_pid(tmp_path)), "the embedded PostgreSQL outlives a killed server"

    second = Server(env, port=first.port).wait_ready()
    try:
        wait_until(lambda: run_status(second, token, run_id)["status"] == "SUCCEEDED")
        run = run_status(second, token, run_id)
    finally:
        assert second.stop() == 0, second.output()

    assert counting.counts() == {"/a": 1, "/slow": 2, "/c": 1}
    attempts = {node["nodeId"]: node["attempts"] for node in run["nodeRuns"]}
    assert attempts == {"a": 1, "slow": 2, "c": 1}
    seqs = [event["seq"] for event in run["events"]]
    assert seqs == list(range(1, len(seqs) + 1))
