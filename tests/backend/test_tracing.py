"""OpenTelemetry traces: a run is one trace, from the startRun request that created it to its last
node, across a restart; node attempts carry GenAI attributes; the HTTP tool carries `traceparent`
to the server it calls; log lines name their trace. Exported over OTLP/HTTP to a real receiver."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.operations import operation
from tests.processes import Server, flowloom_env, run_cli
from tests.servers.counting import CountingServer
from tests.servers.otlp import Receiver, Span, otlp_receiver

SECRET_KEY = "sk-ant-trace-secret-key"
SECRET_LINK = "fll_trace-secret-link"
SECRET_HOOK = "5b0f3c1e-0d5e-4d8e-9f43-7a1c2b3d4e5f"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with otlp_receiver() as running:
        yield running


def _wait_status(server: Server, token: str, run_id: str, status: str) -> None:
    deadline = time.monotonic() + 30
    while server.graphql(token, operation("RunStatus"), {"id": run_id})["data"]["run"]["status"] != status:
        assert time.monotonic() < deadline, f"the run did not reach {status}"
        time.sleep(0.05)


def _one(spans: list[Span], name: str) -> Span:
    found = [span for span in spans if span.name == name]
    assert len(found) == 1, (name, [span.name for span in spans])
    return found[0]


def _traced_run(
    tmp_path: Path, counting: CountingServer, receiver: Receiver, trace_id: str, client_span: str
) -> tuple[str, dict[str, Any], str]:
    env = flowloom_env(
        FLOWLOOM_HOME=str(tmp_path),
        FLOWLOOM_HTTP_ALLOWLIST="127.0.0.1",
        FLOWLOOM_LOG_FORMAT="json",
        OTEL_EXPORTER_OTLP_ENDPOINT=receiver.url,
        OTEL_BSP_SCHEDULE_DELAY="100",
    )
    definition = {
        "nodes": [
            {"id": "ask", "type": "llm", "params": {"model": "test", "prompt": "Summarise {{input}}"}},
            {"id": "call", "type": "tool", "params": {"url": f"{counting.url}/traced", "method": "POST"}},
            {"id": "approve", "type": "human", "params": {"prompt": "OK?", "schema": {"type": "object"}}},
            {"id": "done", "type": "template", "params": {"template": "approved"}},
        ],
        "edges": [
            {"from": "ask", "to": "call"},
            {"from": "call", "to": "approve"},
            {"from": "approve", "to": "done"},
        ],
    }
    first = Server(env).wait_ready()
    try:
        token = run_cli("token", "create", env=env).stdout.strip()
        created = first.graphql(
            token, operation("CreateWorkflow"), {"input": {"name": "t", "definition": definition}}
        )
        workflow_id = created["data"]["createWorkflow"]["id"]
        started = httpx.post(
            f"{first.url}/graphql",
            json={"query": operation("StartRun"), "variables": {"workflowId": workflow_id}},
            headers={"Authorization": f"Bearer {token}", "traceparent": f"00-{trace_id}-{client_span}-01"},
            timeout=30,
        ).json()
        run_id: str = started["data"]["startRun"]["id"]
        _wait_status(first, token, run_id, "WAITING")
        # requests whose values must stay out of every span: a key, a link's token, a webhook's id
        stored = first.graphql(
            token, operation("SetCredential"), {"input": {"provider": "anthropic", "apiKey": SECRET_KEY}}
        )
        assert stored["data"]["setCredential"]["__typename"] == "Credential", stored
        httpx.get(f"{first.url}/setup?token={SECRET_LINK}", timeout=10)
        assert httpx.post(f"{first.url}/hooks/{SECRET_HOOK}", json={}, timeout=10).status_code == 404
    finally:
        assert first.stop() == 0
    # another process continues the run: the human's answer resumes it there
    second = Server(env).wait_ready()
    try:
        answered = second.graphql(
            token,
            operation("SubmitHumanInput"),
            {"runId": run_id, "nodeId": "approve", "input": {"ok": True}},
        )
        assert answered["data"]["submitHumanInput"]["__typename"] == "Run", answered
        _wait_status(second, token, run_id, "SUCCEEDED")
        run = second.graphql(token, operation("Run"), {"id": run_id})["data"]["run"]
    finally:
        assert second.stop() == 0
    call = next(node for node in run["nodeRuns"] if node["nodeId"] == "call")
    logs = first.output() + second.output()
    return run_id, call["output"], logs


def test_a_run_is_one_trace_from_its_start_request_to_its_last_node_across_processes(
    tmp_path: Path, counting: CountingServer, receiver: Receiver
) -> None:
    trace_id, client_span = secrets.token_hex(16), secrets.token_hex(8)

    run_id, call_output, logs = _traced_run(tmp_path, counting, receiver, trace_id, client_span)

    spans = [span for span in receiver.spans() if span.trace_id == trace_id]
    by_id = {span.span_id: span for span in spans}
    request = next(span for span in spans if span.parent_id == client_span)
    assert request.scope.startswith("opentelemetry.instrumentation.asgi") or "litestar" in request.scope, (
        request
    )
    created = _one(spans, "run created")
    assert created.attributes["flowloom.run.id"] == run_id
    ancestor = created
    while ancestor.parent_id != client_span:
        ancestor = by_id[ancestor.parent_id]  # the startRun request's spans, up to the client's
    executions = [span for span in spans if span.name == "run"]
    assert len(executions) == 2, [span.name for span in spans]
    assert {span.parent_id for span in executions} == {created.span_id}
    nodes = {span.name: span for span in spans if span.attributes.get("flowloom.node.id")}
    assert set(nodes) == {"llm ask", "tool call", "human approve", "template done"}
    # the first process ran the nodes up to the human one; the second, after the answer, the rest
    first_run = {nodes[name].parent_id for name in ("llm ask", "tool call", "human approve")}
    assert len(first_run) == 1
    assert {nodes["template done"].parent_id, *first_run} == {span.span_id for span in executions}

    llm = nodes["llm ask"].attributes
    assert (llm["gen_ai.operation.name"], llm["gen_ai.request.model"]) == ("chat", "test")
    assert llm["gen_ai.usage.input_tokens"] > 0
    assert llm["gen_ai.usage.output_tokens"] > 0
    assert nodes["human approve"].attributes["flowloom.node.outcome"] == "waiting"

    tool = nodes["tool call"]
    assert call_output["body"]["headers"]["traceparent"] == f"00-{trace_id}-{tool.span_id}-01"
    assert any(span.scope.endswith("asyncpg") and span.parent_id for span in spans)
    assert any(span.name.startswith("GraphQL") or "strawberry" in span.scope for span in spans)

    entries = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    tool_records = [entry for entry in entries if entry.get("node_id") == "call"]
    assert tool_records
    assert {entry.get("trace_id") for entry in tool_records} == {trace_id}


def test_no_span_holds_a_key_a_link_token_or_a_webhook_id(
    tmp_path: Path, counting: CountingServer, receiver: Receiver
) -> None:
    _traced_run(tmp_path, counting, receiver, secrets.token_hex(16), secrets.token_hex(8))

    spans = receiver.spans()
    assert any(span.name.startswith("GraphQL") for span in spans)
    assert any(span.attributes.get("http.target") == "/hooks/{id}" for span in spans), [
        (span.name, span.attributes) for span in spans if "hook" in span.name or "setup" in span.name
    ]
    recorded = json.dumps([(span.name, span.attributes) for span in spans], default=str)
    for secret in (SECRET_KEY, SECRET_LINK, SECRET_HOOK):
        assert secret not in recorded
