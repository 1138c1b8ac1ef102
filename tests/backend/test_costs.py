"""Costs and budgets over GraphQL, with the fake OpenAI-compatible server (which reports usage).

The session's settings price `fake-priced` at $1,000 / $2,000 per million tokens (tests/conftest.py):
$0.001 an input token, $0.002 an output token. The fake counts a token per word: asked "hello
there", it answers "echo: hello there", so each call below costs 2 * $0.001 + 3 * $0.002 = $0.008.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from backend.settings import Settings
from engine.pricing import ModelPrice
from tests.backend.conftest import GraphQLClient
from tests.backend.runs_support import create_workflow, node, run_to_end, start_run, wait_for
from tests.backend.test_runs_api import use_fake_openai
from tests.servers.openai_fake import FakeOpenAI

CALL = 0.008
"""What one call of `fake-priced` with the prompt "hello there" costs."""


def llm(node_id: str, model: str = "openai-chat:fake-priced") -> dict[str, Any]:
    # maxTokens bounds the budget estimate: 3 input tokens (the prompt, as characters / 4) and 5
    # output tokens, $0.013 at most
    return {"id": node_id, "type": "llm", "params": {"model": model, "prompt": "hello there", "maxTokens": 5}}


def chain(count: int) -> dict[str, Any]:
    ids = [f"n{index}" for index in range(1, count + 1)]
    return {
        "nodes": [llm(node_id) for node_id in ids],
        "edges": [{"from": a, "to": b} for a, b in itertools.pairwise(ids)],
    }


def today() -> str:
    return datetime.now(UTC).date().isoformat()


async def set_budget(gql: GraphQLClient, **input: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await gql.run("SetBudget", input=input))["setBudget"]
    return result


def test_model_prices_are_read_from_the_environment_as_json(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "FLOWLOOM_HOME": str(tmp_path),
            "FLOWLOOM_MODEL_PRICES": '{"gpt-4o": {"input": 5, "output": 20}, "my-model*": [1, 2]}',
        }
    )

    table = settings.price_table()

    assert table.lookup("openai:gpt-4o").price == ModelPrice(5.0, 20.0)
    assert table.lookup("openai-chat:my-model-v2").price == ModelPrice(1.0, 2.0)
    assert table.lookup("openai:gpt-4o-mini").price == ModelPrice(0.15, 0.60)  # shipped, not overridden


def test_a_malformed_price_setting_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="FLOWLOOM_MODEL_PRICES"):
        Settings.from_env({"FLOWLOOM_HOME": str(tmp_path), "FLOWLOOM_MODEL_PRICES": '{"gpt-4o": -1}'})


async def test_node_runs_and_runs_cost_what_their_tokens_cost_at_the_configured_price(
    gql: GraphQLClient, openai_api: FakeOpenAI
) -> None:
    await use_fake_openai(gql, openai_api)

    done = await run_to_end(gql, chain(2))

    assert done["status"] == "SUCCEEDED", done
    first = node(done, "n1")
    assert (first["usage"]["inputTokens"], first["usage"]["outputTokens"]) == (2, 3)
    assert first["cost"] == {"usd": pytest.approx(CALL), "priced": True}
    assert done["cost"] == {"usd": pytest.approx(2 * CALL), "priced": True}


async def test_a_model_the_price_table_does_not_know_costs_nothing_and_says_so(
    gql: GraphQLClient, openai_api: FakeOpenAI
) -> None:
    await use_fake_openai(gql, openai_api)

    done = await run_to_end(gql, {"nodes": [llm("n1", "openai-chat:unheard-of")], "edges": []})

    assert node(done, "n1")["cost"] == {"usd": 0.0, "priced": False}
    assert done["cost"] == {"usd": 0.0, "priced": False}


async def test_costs_sum_runs_tokens_and_cost_per_day_and_by_model(
    gql: GraphQLClient, openai_api: FakeOpenAI
) -> None:
    await use_fake_openai(gql, openai_api)
    workflow_id = await create_workflow(gql, chain(2))
    for _ in range(2):
        started = await start_run(gql, workflow_id)
        await wait_for(gql, started["id"])
    other = await run_to_end(gql, {"nodes": [llm("x", "openai-chat:unheard-of")], "edges": []})
    assert other["status"] == "SUCCEEDED"

    (day,) = (await gql.run("Costs", **{"from": today(), "to": today()}))["costs"]
    (mine,) = (await gql.run("Costs", **{"from": today(), "to": today(), "workflowId": workflow_id}))["costs"]

    assert day["day"] == today()
    assert (day["runs"], day["costUsd"]) == (3, pytest.approx(4 * CALL))
    assert (day["inputTokens"], day["outputTokens"]) == (10, 15)
    models = {model["model"]: model for model in day["byModel"]}
    assert models["openai-chat:fake-priced"]["costUsd"] == pytest.approx(4 * CALL)
    assert models["openai-chat:fake-priced"]["priced"] is True
    assert models["openai-chat:unheard-of"]["priced"] is False
    assert (mine["runs"], mine["costUsd"]) == (2, pytest.approx(4 * CALL))


async def test_a_costs_window_longer_than_a_year_is_refused(gql: GraphQLClient) -> None:
    start = datetime.now(UTC).date()
    status, body = await gql.post(
        "query($f: Date!, $t: Date!) { costs(from: $f, to: $t) { day } }",
        {"f": start.isoformat(), "t": (start + timedelta(days=400)).isoformat()},
    )

    assert status == 200
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_budgets_are_set_changed_listed_and_deleted(gql: GraphQLClient) -> None:
    workflow_id = await create_workflow(gql, chain(1), name="Budgeted")

    daily = await set_budget(gql, period="DAY", limitUsd=5.0)
    per_run = await set_budget(gql, workflowId=workflow_id, period="RUN", limitUsd=0.5)
    changed = await set_budget(gql, period="DAY", limitUsd=7.5)
    listed = (await gql.run("Budgets"))["budgets"]

    assert changed["id"] == daily["id"]
    assert [(b["workflowName"], b["period"], b["limitUsd"], b["spentUsd"]) for b in listed] == [
        (None, "DAY", 7.5, 0.0),
        ("Budgeted", "RUN", 0.5, None),
    ]
    deleted = (await gql.run("DeleteBudget", id=per_run["id"]))["deleteBudget"]
    assert deleted == {"__typename": "DeletedBudget", "id": per_run["id"]}
    assert [b["id"] for b in (await gql.run("Budgets"))["budgets"]] == [daily["id"]]


async def test_a_budget_limit_must_be_positive_and_its_workflow_must_exist(gql: GraphQLClient) -> None:
    invalid = await set_budget(gql, period="MONTH", limitUsd=0)
    unknown = await set_budget(
        gql, workflowId="00000000-0000-4000-8000-000000000000", period="DAY", limitUsd=1
    )

    assert invalid["__typename"] == "InvalidBudget"
    assert [(p["code"], p["path"]) for p in invalid["problems"]] == [("INVALID_LIMIT", "limitUsd")]
    assert unknown["__typename"] == "NotFound"


async def held_run(gql: GraphQLClient, openai_api: FakeOpenAI, count: int) -> tuple[str, dict[str, Any]]:
    """A run of `count` priced calls under a per-run budget of two cents: the second call waits."""
    await use_fake_openai(gql, openai_api)
    workflow_id = await create_workflow(gql, chain(count))
    assert (await set_budget(gql, workflowId=workflow_id, period="RUN", limitUsd=0.02))[
        "__typename"
    ] == "Budget"
    started = await start_run(gql, workflow_id)
    waiting = await wait_for(gql, started["id"], {"WAITING", "SUCCEEDED", "FAILED"})
    assert waiting["status"] == "WAITING", waiting
    return started["id"], waiting


async def test_a_run_pauses_with_a_task_explaining_the_cost_when_a_call_would_exceed_its_budget(
    gql: GraphQLClient, openai_api: FakeOpenAI
) -> None:
    run_id, waiting = await held_run(gql, openai_api, 3)

    tasks = [
        task for task in (await gql.run("HumanTasks", status="OPEN"))["humanTasks"] if task["runId"] == run_id
    ]
    (task,) = tasks
    assert task["nodeId"] == "n2"
    assert task["budgetHold"] is True
    assert task["schema"]["required"] == ["approve"]
    prompt = task["prompt"]
    assert "per-run budget" in prompt
    assert "$0.0200" in prompt  # the limit
    assert "$0.0080" in prompt  # the cost so far
    assert node(waiting, "n2")["status"] == "WAITING"
    assert len(openai_api.bodies("/v1/chat/completions")) == 1  # the held call was not made


async def test_approving_the_hold_makes_the_call_and_the_run_finishes(
    gql: GraphQLClient, openai_api: FakeOpenAI
) -> None:
    run_id, _ = await held_run(gql, openai_api, 3)

    submitted = (await gql.run("SubmitHumanInput", runId=run_id, nodeId="n2", input={"approve": True}))[
        "submitHumanInput"
    ]
    done = await wait_for(gql, run_id)

    assert submitted["__typename"] == "Run"
    assert done["status"] == "SUCCEEDED", done
    assert done["cost"]["usd"] == pytest.approx(3 * CALL)  # within the approved allowance of $0.04
    assert [node(done, f"n{i}")["attempts"] for i in (1, 2, 3)] == [1, 1, 1]
    assert len(openai_api.bodies("/v1/chat/completions")) == 3


async def test_rejecting_the_hold_fails_the_run_with_a_clear_error(
    gql: GraphQLClient, openai_api: FakeOpenAI
) -> None:
    run_id, _ = await held_run(gql, openai_api, 2)

    await gql.run("SubmitHumanInput", runId=run_id, nodeId="n2", input={"approve": False})
    done = await wait_for(gql, run_id)

    assert done["status"] == "FAILED"
    assert "budget" in done["error"]
    assert "not approved" in done["error"]
    assert node(done, "n2")["status"] == "FAILED"
    assert len(openai_api.bodies("/v1/chat/completions")) == 1


async def test_a_budget_given_at_start_run_holds_that_run_alone(
    gql: GraphQLClient, openai_api: FakeOpenAI
) -> None:
    await use_fake_openai(gql, openai_api)
    workflow_id = await create_workflow(gql, chain(2))

    capped = (await gql.run("StartRunWithBudget", workflowId=workflow_id, budgetUsd=0.01))["startRun"]
    free = await start_run(gql, workflow_id)
    held = await wait_for(gql, capped["id"], {"WAITING", "SUCCEEDED", "FAILED"})
    unheld = await wait_for(gql, free["id"])

    assert held["status"] == "WAITING"
    assert unheld["status"] == "SUCCEEDED"
    (task,) = [
        t for t in (await gql.run("HumanTasks", status="OPEN"))["humanTasks"] if t["runId"] == capped["id"]
    ]
    assert "This run's budget" in task["prompt"]
    assert (await gql.run("Budgets"))["budgets"] == []  # a run's own budget is not the workspace's


async def test_a_budget_given_at_start_run_must_be_positive(gql: GraphQLClient) -> None:
    workflow_id = await create_workflow(gql, chain(1))

    status, body = await gql.post(
        "mutation($w: ID!) { startRun(workflowId: $w, budgetUsd: -1) { __typename } }", {"w": workflow_id}
    )

    assert status == 200
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert (await gql.run("Runs", workflowId=workflow_id))["runs"]["edges"] == []
