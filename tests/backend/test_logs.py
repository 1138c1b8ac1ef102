"""Structured logs: with FLOWLOOM_LOG_FORMAT=json every line a process prints is one JSON object,
and records emitted while a node runs say which run, node and workspace they belong to."""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path
from typing import Any
from uuid import uuid4

from backend.logs import JsonFormatter
from engine import log_context
from tests.operations import operation
from tests.processes import Server, flowloom_env, run_cli
from tests.servers.counting import CountingServer


def _is_json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except json.JSONDecodeError:
        return False


def test_a_record_becomes_one_json_object_with_what_was_bound_where_it_was_emitted() -> None:
    run, workspace = uuid4(), uuid4()
    record = logging.LogRecord("flowloom.test", logging.WARNING, __file__, 1, "node %s slow", ("n1",), None)
    with log_context.bound(run_id=run, workspace_id=workspace), log_context.bound(node_id="n1"):
        line = JsonFormatter().format(record)

    entry = json.loads(line)

    assert entry["level"] == "WARNING"
    assert entry["logger"] == "flowloom.test"
    assert entry["message"] == "node n1 slow"
    assert (entry["run_id"], entry["node_id"], entry["workspace_id"]) == (str(run), "n1", str(workspace))
    assert "\n" not in line


def test_an_exception_travels_inside_its_record() -> None:
    try:
        int("boom")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())

    entry = json.loads(JsonFormatter().format(record))

    assert "ValueError: invalid literal for int() with base 10: 'boom'" in entry["exception"]
    assert "run_id" not in entry


def test_a_json_logging_server_prints_only_json_lines_and_tags_a_nodes_records(
    tmp_path: Path, counting: CountingServer
) -> None:
    env = flowloom_env(
        FLOWLOOM_HOME=str(tmp_path), FLOWLOOM_LOG_FORMAT="json", FLOWLOOM_HTTP_ALLOWLIST="127.0.0.1"
    )
    server = Server(env).wait_ready()
    try:
        token = run_cli("token", "create", env=env).stdout.strip()
        definition = {"nodes": [{"id": "call", "type": "tool", "params": {"url": f"{counting.url}/logs"}}]}
        workflow = server.graphql(
            token, operation("CreateWorkflow"), {"input": {"name": "w", "definition": definition}}
        )
        started = server.graphql(
            token, operation("StartRun"), {"workflowId": workflow["data"]["createWorkflow"]["id"]}
        )
        run_id = started["data"]["startRun"]["id"]
        deadline = time.monotonic() + 30
        while (
            server.graphql(token, operation("RunStatus"), {"id": run_id})["data"]["run"]["status"]
            != "SUCCEEDED"
        ):
            assert time.monotonic() < deadline, "the run did not succeed"
            time.sleep(0.05)
    finally:
        assert server.stop() == 0
    lines = [line for line in server.output().splitlines() if line.strip()]

    assert [line for line in lines if not _is_json_object(line)] == []
    entries: list[dict[str, Any]] = [json.loads(line) for line in lines]

    requests = [entry for entry in entries if f"{counting.url}/logs" in entry["message"]]
    assert requests, lines
    assert {(entry.get("run_id"), entry.get("node_id")) for entry in requests} == {(run_id, "call")}
    assert all("workspace_id" in entry for entry in requests)
    assert any(entry["logger"].startswith("uvicorn") for entry in entries)
    # no OTEL_* variable was set: nothing is traced, so no record names a trace
    assert not any("trace_id" in entry for entry in entries)
