"""Webhook triggers, called over HTTP against the served app as curl would call them."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from backend.services import Services
from tests.backend.conftest import GraphQLClient
from tests.backend.runs_support import wait_for
from tests.backend.served_apps import served
from tests.backend.triggers.support import create_webhook, greeting_workflow, runs_of, signed


@pytest.fixture
async def hooks(services: Services) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the app served on 127.0.0.1 (run inputs limited to 2,000 bytes)."""
    async with served(services, max_input_bytes=2000) as url, httpx.AsyncClient(base_url=url) as client:
        yield client


async def test_a_signed_delivery_starts_a_run_of_the_workflow_with_the_body_as_inputs(
    gql: GraphQLClient, hooks: httpx.AsyncClient
) -> None:
    workflow_id = await greeting_workflow(gql)
    trigger, secret = await create_webhook(gql, workflow_id, name="From CI", requireSignature=True)
    body = json.dumps({"name": "Ada"}).encode()

    response = await hooks.post(trigger["webhookPath"], content=body, headers=signed(secret, body))

    assert response.status_code == 202, response.text
    run_id = response.json()["runId"]
    run = await wait_for(gql, run_id)
    assert run["status"] == "SUCCEEDED"
    assert run["inputs"] == {"name": "Ada"}
    assert run["output"] == {"greet": "Hello Ada"}
    seen = (await gql.run("RunTrigger", id=run_id))["run"]
    assert seen["trigger"] == {"id": trigger["id"], "kind": "WEBHOOK", "name": "From CI"}
    [listed] = (await gql.run("Triggers", workflowId=workflow_id))["triggers"]
    assert listed["lastFiredAt"] is not None


async def test_a_bad_or_missing_signature_is_refused_and_starts_nothing(
    gql: GraphQLClient, hooks: httpx.AsyncClient
) -> None:
    workflow_id = await greeting_workflow(gql)
    trigger, secret = await create_webhook(gql, workflow_id, requireSignature=True)
    body = b'{"name": "Mallory"}'

    unsigned = await hooks.post(trigger["webhookPath"], content=body)
    forged = await hooks.post(
        trigger["webhookPath"], content=body, headers=signed("flwh_not-the-secret", body)
    )
    tampered = await hooks.post(
        trigger["webhookPath"], content=b'{"name": "Eve"}', headers=signed(secret, body)
    )

    for response in (unsigned, forged, tampered):
        assert response.status_code == 401, response.text
        assert response.json()["error"]["code"] == "INVALID_SIGNATURE"
    assert await runs_of(gql, workflow_id) == []


async def test_a_signature_is_checked_when_sent_even_if_not_required(
    gql: GraphQLClient, hooks: httpx.AsyncClient
) -> None:
    workflow_id = await greeting_workflow(gql)
    trigger, _secret = await create_webhook(gql, workflow_id)
    body = b'{"name": "Bob"}'

    unsigned = await hooks.post(trigger["webhookPath"], content=body)
    forged = await hooks.post(trigger["webhookPath"], content=body, headers=signed("flwh_wrong", body))

    assert unsigned.status_code == 202
    assert forged.status_code == 401


async def test_inputs_that_break_the_workflows_schema_are_400_with_typed_problems(
    gql: GraphQLClient, hooks: httpx.AsyncClient
) -> None:
    workflow_id = await greeting_workflow(gql)
    trigger, secret = await create_webhook(gql, workflow_id)
    wrong = b'{"name": 42}'
    not_json = b"name=Ada"

    response = await hooks.post(trigger["webhookPath"], content=wrong, headers=signed(secret, wrong))
    garbled = await hooks.post(trigger["webhookPath"], content=not_json, headers=signed(secret, not_json))

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "INVALID_INPUTS"
    assert error["problems"] == [
        {"code": "INVALID_INPUT", "message": "42 is not of type 'string'", "path": "inputs.name"}
    ]
    assert garbled.status_code == 400
    assert garbled.json()["error"]["code"] == "INVALID_JSON"
    assert await runs_of(gql, workflow_id) == []


async def test_unknown_disabled_and_malformed_webhooks_all_answer_the_same_404(
    gql: GraphQLClient, hooks: httpx.AsyncClient
) -> None:
    workflow_id = await greeting_workflow(gql)
    trigger, _secret = await create_webhook(gql, workflow_id)
    updated = await gql.run("UpdateTrigger", id=trigger["id"], input={"enabled": False})
    assert updated["updateTrigger"]["enabled"] is False
    deleted_workflow = await greeting_workflow(gql)
    orphan, _secret = await create_webhook(gql, deleted_workflow)
    await gql.run("DeleteWorkflow", id=deleted_workflow)

    answers = [
        await hooks.post(path, json={"name": "Ada"})
        for path in (
            trigger["webhookPath"],
            orphan["webhookPath"],
            "/hooks/5f0e2c1a-0000-4000-8000-000000000000",
            "/hooks/not-a-uuid",
        )
    ]

    assert {response.status_code for response in answers} == {404}
    assert len({response.content for response in answers}) == 1
    assert await runs_of(gql, workflow_id) == []


async def test_a_replayed_delivery_id_returns_the_same_run_instead_of_starting_another(
    gql: GraphQLClient, hooks: httpx.AsyncClient
) -> None:
    workflow_id = await greeting_workflow(gql)
    trigger, secret = await create_webhook(gql, workflow_id)
    body = b'{"name": "Ada"}'
    headers = signed(secret, body, **{"X-Flowloom-Delivery": "delivery-1"})

    first, *replays = await asyncio.gather(
        *(hooks.post(trigger["webhookPath"], content=body, headers=headers) for _ in range(4))
    )
    later = await hooks.post(trigger["webhookPath"], content=body, headers=headers)
    other = await hooks.post(
        trigger["webhookPath"],
        content=body,
        headers=signed(secret, body, **{"X-Flowloom-Delivery": "delivery-2"}),
    )

    run_ids = {response.json()["runId"] for response in [first, *replays, later]}
    assert len(run_ids) == 1
    assert later.json()["replayed"] is True
    assert other.json()["runId"] not in run_ids
    assert len(await runs_of(gql, workflow_id)) == 2


async def test_waiting_answers_with_the_runs_output(gql: GraphQLClient, hooks: httpx.AsyncClient) -> None:
    workflow_id = await greeting_workflow(gql)
    trigger, secret = await create_webhook(gql, workflow_id)
    body = b'{"name": "Grace"}'

    response = await hooks.post(
        f"{trigger['webhookPath']}?wait=10", content=body, headers=signed(secret, body)
    )
    by_header = await hooks.post(
        trigger["webhookPath"], content=body, headers=signed(secret, body, **{"X-Flowloom-Wait": "10"})
    )

    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["status"] == "SUCCEEDED"
    assert answer["output"] == {"greet": "Hello Grace"}
    assert answer["error"] is None
    assert by_header.status_code == 200
    assert by_header.json()["runId"] != answer["runId"]


async def test_a_run_that_outlasts_the_wait_is_answered_202_with_its_id(
    gql: GraphQLClient, hooks: httpx.AsyncClient
) -> None:
    human = {"nodes": [{"id": "ask", "type": "human", "params": {"prompt": "OK?", "schema": {}}}]}
    created = (await gql.run("CreateWorkflow", input={"name": "Waits", "definition": human}))[
        "createWorkflow"
    ]
    trigger, _secret = await create_webhook(gql, created["id"])

    response = await hooks.post(f"{trigger['webhookPath']}?wait=0.3", json={})

    assert response.status_code == 202
    assert response.json()["status"] in {"PENDING", "RUNNING", "WAITING"}


async def test_a_body_over_the_input_limit_is_refused_413(
    gql: GraphQLClient, hooks: httpx.AsyncClient
) -> None:
    workflow_id = await greeting_workflow(gql)
    trigger, _secret = await create_webhook(gql, workflow_id)

    response = await hooks.post(trigger["webhookPath"], json={"name": "x" * 5000})

    assert response.status_code == 413
    assert await runs_of(gql, workflow_id) == []


async def test_a_rotated_secret_replaces_the_old_one_at_once(
    gql: GraphQLClient, hooks: httpx.AsyncClient
) -> None:
    workflow_id = await greeting_workflow(gql)
    trigger, old = await create_webhook(gql, workflow_id, requireSignature=True)
    rotated = (await gql.run("RotateTriggerSecret", id=trigger["id"]))["rotateTriggerSecret"]
    new = rotated["secret"]
    body = b'{"name": "Ada"}'

    with_old = await hooks.post(trigger["webhookPath"], content=body, headers=signed(old, body))
    with_new = await hooks.post(trigger["webhookPath"], content=body, headers=signed(new, body))

    assert new != old
    assert with_old.status_code == 401
    assert with_new.status_code == 202
