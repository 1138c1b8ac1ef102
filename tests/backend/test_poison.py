"""Poisoned runs next to healthy ones: each poisoned run fails with its reason, every healthy run succeeds.

Two layers stand between a bad value and the other runs. The engine's value policy fails the node
that produces one (the end-to-end test below, on a real server that is then restarted); and should
anything slip past it, the group commit writes a refused batch transition by transition, so only the
run whose transition PostgreSQL refuses fails (the store-level test).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
from pydantic import JsonValue

from backend.runs.store import PostgresRunStore
from backend.services import Services
from engine.records import (
    NO_USAGE,
    EventType,
    NodeRun,
    NodeStatus,
    RunEvent,
    RunRecord,
    RunStatus,
    Transition,
    UnstorableTransitionError,
)
from tests.fixtures_data import template_chain
from tests.operations import operation
from tests.processes import Server, flowloom_env, run_cli
from tests.servers.counting import CountingServer
from tests.tenants import Tenant


def _deeply_nested(levels: int) -> JsonValue:
    value: JsonValue = "leaf"
    for _ in range(levels):
        value = [value]
    return value


POISONS: list[JsonValue] = [{"a": "x\x00y"}, ["x\ud800"], _deeply_nested(5000)]
"""Outputs PostgreSQL (NUL) or the JSON encoder (a lone surrogate, runaway nesting) refuses."""


def _first_step(run: RunRecord, output: JsonValue) -> Transition:
    now = datetime.now(UTC)
    started = run._replace(status=RunStatus.RUNNING, last_seq=1, started_at=now)
    done = NodeRun(run.id, "t0", 0, NodeStatus.SUCCEEDED, 1, None, output, None, None, NO_USAGE, now, now)
    event = RunEvent(run.id, 1, EventType.RUN_STARTED, now, None, {"inputs": None})
    return Transition(started, 0, (done,), (event,))


async def test_a_refused_transition_fails_alone_and_every_other_run_of_its_batch_commits(
    services: Services, tenant: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    workflow = await services.workflows.create(tenant.principal, "poison", template_chain(1))
    workflow_id = workflow.id  # type: ignore[union-attr]
    runs = [
        RunRecord(
            uuid4(), tenant.principal.workspace_id, workflow_id, 1, RunStatus.PENDING, None, datetime.now(UTC)
        )
        for _ in range(40)
    ]
    store = PostgresRunStore(services.db.pool)
    for run in runs:
        await store.create(run)
    poisoned = {run.id: POISONS[index % 3] for index, run in enumerate(runs[::4])}
    transitions = [_first_step(run, poisoned.get(run.id, {"ok": index})) for index, run in enumerate(runs)]

    try:
        with caplog.at_level(logging.WARNING, logger="backend.runs.group_commit"):
            # committed together, in one task each: the writer takes them all as one batch
            outcomes = await asyncio.gather(*(store.commit(t) for t in transitions), return_exceptions=True)
    finally:
        await store.close()

    assert "a batch of 40 run transitions was refused; writing them one by one" in caplog.messages
    for run, transition, outcome in zip(runs, transitions, outcomes, strict=True):
        state = await store.load(run.id)
        assert state is not None
        if run.id in poisoned:
            assert isinstance(outcome, UnstorableTransitionError), outcome
            assert (state.run.status, state.run.last_seq, state.node_runs) == (RunStatus.PENDING, 0, ())
        else:
            assert outcome is None
            assert state.run.status is RunStatus.RUNNING
            assert [row.output for row in state.node_runs] == [transition.node_runs[0].output]


POISONED_TEMPLATES = {
    "nul": ("x{{ '\\x00' }}y", "the output contains a NUL character (U+0000), which cannot be stored"),
    "surrogate": (
        "x{{ '\\udc80' }}y",
        "the output contains a lone surrogate (U+DC80), which is not valid Unicode text",
    ),
}


def _poisoned(kind: str, counting_url: str) -> dict[str, Any]:
    if kind == "http":
        return {"nodes": [{"id": "bad", "type": "tool", "params": {"url": f"{counting_url}/poison?v=x%00y"}}]}
    template, _ = POISONED_TEMPLATES[kind]
    return {"nodes": [{"id": "bad", "type": "template", "params": {"template": template}}]}


def _expected_error(kind: str) -> str:
    if kind == "http":
        return "the output at body.query.v contains a NUL character (U+0000), which cannot be stored"
    return POISONED_TEMPLATES[kind][1]


async def _graphql(client: httpx.AsyncClient, name: str, **variables: Any) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": operation(name), "variables": variables})
    body: dict[str, Any] = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def _create(client: httpx.AsyncClient, name: str, definition: dict[str, Any]) -> str:
    created = await _graphql(client, "CreateWorkflow", input={"name": name, "definition": definition})
    workflow_id: str = created["createWorkflow"]["id"]
    return workflow_id


async def _finished(
    client: httpx.AsyncClient, run_ids: list[str], within: float = 60
) -> dict[str, dict[str, Any]]:
    deadline = asyncio.get_running_loop().time() + within
    runs: dict[str, dict[str, Any]] = {}
    while len(runs) < len(run_ids):
        for run_id in run_ids:
            if run_id not in runs:
                run = (await _graphql(client, "Run", id=run_id))["run"]
                if run["status"] in {"SUCCEEDED", "FAILED", "CANCELLED"}:
                    runs[run_id] = run
        assert asyncio.get_running_loop().time() < deadline, f"{len(run_ids) - len(runs)} runs never finished"
        await asyncio.sleep(0.1)
    return runs


async def _unfinished(client: httpx.AsyncClient) -> list[str]:
    found = []
    for status in ("PENDING", "RUNNING", "WAITING"):
        edges = (await _graphql(client, "Runs", status=status, first=100))["runs"]["edges"]
        found += [edge["node"]["id"] for edge in edges]
    return found


async def test_poisoned_runs_fail_with_their_reason_healthy_ones_succeed_and_a_restart_resumes_nothing(
    tmp_path: Path, counting: CountingServer
) -> None:
    env = flowloom_env(FLOWLOOM_HOME=str(tmp_path), FLOWLOOM_HTTP_ALLOWLIST="127.0.0.1")
    server = Server(env).wait_ready()
    token = run_cli("token", "create", env=env).stdout.strip()
    headers = {"Authorization": f"Bearer {token}"}
    kinds = ["nul", "surrogate", "http"]
    try:
        async with httpx.AsyncClient(base_url=server.url, headers=headers, timeout=30) as client:
            healthy = await _create(client, "healthy", template_chain(10))
            poisoned = {kind: await _create(client, kind, _poisoned(kind, counting.url)) for kind in kinds}
            plan = [(healthy, None)] * 30 + [(poisoned[kinds[i % 3]], kinds[i % 3]) for i in range(10)]
            plan = [plan[(i * 7) % len(plan)] for i in range(len(plan))]  # interleaved, 7 and 40 coprime
            started = await asyncio.gather(
                *(
                    _graphql(client, "StartRun", workflowId=workflow_id, inputs={"n": 1})
                    for workflow_id, _ in plan
                )
            )
            run_ids = [result["startRun"]["id"] for result in started]
            runs = await _finished(client, run_ids)
    finally:
        assert server.stop() == 0, server.output()

    for run_id, (_, kind) in zip(run_ids, plan, strict=True):
        run = runs[run_id]
        if kind is None:
            assert run["status"] == "SUCCEEDED", run
            assert run["output"] == {"t9": "{'n': 1}"}
        else:
            bad = next(node for node in run["nodeRuns"] if node["nodeId"] == "bad")
            assert (run["status"], bad["status"], bad["error"]) == ("FAILED", "FAILED", _expected_error(kind))
    assert "writing" not in server.output(), server.output()

    again = Server(env, port=server.port).wait_ready()
    try:
        async with httpx.AsyncClient(base_url=again.url, headers=headers, timeout=30) as client:
            assert await _unfinished(client) == []
    finally:
        assert again.stop() == 0, again.output()
    assert "resuming" not in again.output(), again.output()
