"""A budget hold survives its server being killed: real processes, prices from the environment."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path
from typing import Any

from tests.backend.test_costs import CALL, chain
from tests.operations import operation
from tests.processes import Server, flowloom_env, run_cli
from tests.servers.openai_fake import FakeOpenAI


def status_of(server: Server, token: str, run_id: str) -> dict[str, Any]:
    run: dict[str, Any] = server.graphql(token, operation("Run"), {"id": run_id})["data"]["run"]
    return run


def wait_for_status(
    server: Server, token: str, run_id: str, wanted: str, timeout: float = 30
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        run = status_of(server, token, run_id)
        if run["status"] == wanted:
            return run
        assert run["status"] in {"PENDING", "RUNNING", "WAITING"}, run
        assert time.monotonic() < deadline, f"run {run_id} still {run['status']}"
        time.sleep(0.05)


def test_a_run_held_by_a_budget_is_approved_after_a_restart_and_finishes(
    tmp_path: Path, openai_api: FakeOpenAI
) -> None:
    # the embedded mode lets model base URLs reach loopback: the fake serves on 127.0.0.1
    prices = json.dumps({"fake-priced": {"input": 1000, "output": 2000}})
    env = flowloom_env(FLOWLOOM_HOME=str(tmp_path), FLOWLOOM_MODEL_PRICES=prices)
    first = Server(env).wait_ready()
    token = run_cli("token", "create", env=env).stdout.strip()
    credential = {"provider": "openai", "apiKey": openai_api.api_key, "baseUrl": openai_api.base_url}
    first.graphql(token, operation("SetCredential"), {"input": credential})
    created = first.graphql(
        token, operation("CreateWorkflow"), {"input": {"name": "b", "definition": chain(3)}}
    )
    workflow_id = created["data"]["createWorkflow"]["id"]
    budget = {"workflowId": workflow_id, "period": "RUN", "limitUsd": 0.02}
    assert first.graphql(token, operation("SetBudget"), {"input": budget})["data"]["setBudget"]["id"]
    run_id = first.graphql(token, operation("StartRun"), {"workflowId": workflow_id})["data"]["startRun"][
        "id"
    ]
    wait_for_status(first, token, run_id, "WAITING")
    first.stop(signal.SIGKILL)

    second = Server(env, port=first.port).wait_ready()
    try:
        tasks = second.graphql(token, operation("HumanTasks"), {"status": "OPEN"})["data"]["humanTasks"]
        answer = {"runId": run_id, "nodeId": "n2", "input": {"approve": True}}
        second.graphql(token, operation("SubmitHumanInput"), answer)
        run = wait_for_status(second, token, run_id, "SUCCEEDED")
    finally:
        assert second.stop() == 0, second.output()

    assert [(task["nodeId"], task["budgetHold"]) for task in tasks] == [("n2", True)]
    assert abs(run["cost"]["usd"] - 3 * CALL) < 1e-9
    assert len(openai_api.bodies("/v1/chat/completions")) == 3
