"""Managing triggers over GraphQL: typed problems, enable/disable, rotate, delete, who may do what."""

from __future__ import annotations

import httpx

from backend.services import Services
from tests.backend.conftest import GraphQLClient
from tests.backend.runs_support import create_workflow, wait_for
from tests.backend.triggers.support import NO_INPUTS, create_trigger, create_webhook, greeting_workflow
from tests.operations import operation
from tests.tenants import new_tenant


async def test_invalid_cron_and_time_zone_are_typed_problems(gql: GraphQLClient) -> None:
    workflow_id = await create_workflow(gql, NO_INPUTS)

    bad = await create_trigger(
        gql, workflowId=workflow_id, kind="SCHEDULE", cron="61 * * * *", timezone="Mars/Olympus"
    )
    seconds = await create_trigger(gql, workflowId=workflow_id, kind="SCHEDULE", cron="* * * * * *")
    missing = await create_trigger(gql, workflowId=workflow_id, kind="SCHEDULE")

    assert bad["__typename"] == "InvalidTrigger"
    assert [(problem["code"], problem["path"]) for problem in bad["problems"]] == [
        ("INVALID_CRON", "cron"),
        ("INVALID_TIMEZONE", "timezone"),
    ]
    assert [problem["code"] for problem in seconds["problems"]] == ["INVALID_CRON"]
    assert [problem["code"] for problem in missing["problems"]] == ["INVALID_CRON"]
    assert (await gql.run("Triggers", workflowId=workflow_id))["triggers"] == []


async def test_schedule_inputs_are_checked_against_the_workflows_inputs_schema(gql: GraphQLClient) -> None:
    workflow_id = await greeting_workflow(gql)

    refused = await create_trigger(
        gql, workflowId=workflow_id, kind="SCHEDULE", cron="@daily", inputs={"name": 1}
    )

    assert refused["__typename"] == "InvalidTrigger"
    assert refused["problems"][0]["path"] == "inputs.name"


async def test_a_trigger_of_an_unknown_workflow_is_not_found(gql: GraphQLClient) -> None:
    created = await create_trigger(gql, workflowId="5f0e2c1a-0000-4000-8000-000000000000", kind="WEBHOOK")

    assert created["__typename"] == "NotFound"


async def test_triggers_are_listed_updated_and_deleted(gql: GraphQLClient) -> None:
    workflow_id = await create_workflow(gql, NO_INPUTS)
    webhook, _secret = await create_webhook(gql, workflow_id)
    scheduled = await create_trigger(
        gql, workflowId=workflow_id, kind="SCHEDULE", cron="0 9 * * 1-5", timezone="Europe/Berlin"
    )

    listed = (await gql.run("Triggers", workflowId=workflow_id))["triggers"]
    assert [trigger["kind"] for trigger in listed] == ["WEBHOOK", "SCHEDULE"]
    assert listed[0]["webhookPath"] == f"/hooks/{webhook['id']}"
    assert listed[1]["webhookPath"] is None

    schedule_id = scheduled["trigger"]["id"]
    disabled = (await gql.run("UpdateTrigger", id=schedule_id, input={"enabled": False}))["updateTrigger"]
    assert (disabled["enabled"], disabled["nextFireAt"]) == (False, None)
    retimed = (
        await gql.run(
            "UpdateTrigger", id=schedule_id, input={"enabled": True, "cron": "*/5 * * * *", "name": "Often"}
        )
    )["updateTrigger"]
    assert (retimed["enabled"], retimed["cron"], retimed["name"]) == (True, "*/5 * * * *", "Often")
    assert retimed["nextFireAt"] is not None
    refused = (await gql.run("UpdateTrigger", id=schedule_id, input={"timezone": "Nowhere"}))["updateTrigger"]
    assert refused["__typename"] == "InvalidTrigger"
    not_a_webhook = (await gql.run("RotateTriggerSecret", id=schedule_id))["rotateTriggerSecret"]
    assert not_a_webhook["problems"][0]["code"] == "NOT_A_WEBHOOK"

    deleted = (await gql.run("DeleteTrigger", id=webhook["id"]))["deleteTrigger"]
    again = (await gql.run("DeleteTrigger", id=webhook["id"]))["deleteTrigger"]
    assert deleted == {"__typename": "DeletedTrigger", "id": webhook["id"]}
    assert again["__typename"] == "NotFound"
    assert [trigger["id"] for trigger in (await gql.run("Triggers", workflowId=workflow_id))["triggers"]] == [
        schedule_id
    ]


async def test_a_run_keeps_its_trigger_kind_after_the_trigger_is_deleted(
    gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    workflow_id = await create_workflow(gql, NO_INPUTS)
    webhook, _secret = await create_webhook(gql, workflow_id)
    run_id = (await http.post(webhook["webhookPath"], json={})).json()["runId"]
    await wait_for(gql, run_id)

    await gql.run("DeleteTrigger", id=webhook["id"])

    seen = (await gql.run("RunTrigger", id=run_id))["run"]
    assert seen["trigger"] == {"id": webhook["id"], "kind": "WEBHOOK", "name": None}


async def test_a_run_started_by_a_person_has_no_trigger(gql: GraphQLClient) -> None:
    workflow_id = await create_workflow(gql, NO_INPUTS)
    run_id = (await gql.run("StartRun", workflowId=workflow_id, inputs={}))["startRun"]["id"]

    assert (await gql.run("RunTrigger", id=run_id))["run"]["trigger"] is None


async def test_viewers_read_triggers_and_editors_manage_them(
    gql: GraphQLClient, http: httpx.AsyncClient, services: Services
) -> None:
    workflow_id = await create_workflow(gql, NO_INPUTS)
    webhook, _secret = await create_webhook(gql, workflow_id)
    made = (await gql.run("CreateApiToken", input={"name": "viewer", "role": "VIEWER"}))["createApiToken"]
    viewer = GraphQLClient(http, made["secret"])

    listed = await viewer.run("Triggers", workflowId=workflow_id)
    status, refused = await viewer.post(operation("DeleteTrigger"), {"id": webhook["id"]})

    assert [trigger["id"] for trigger in listed["triggers"]] == [webhook["id"]]
    assert status == 200
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert len((await gql.run("Triggers", workflowId=workflow_id))["triggers"]) == 1
    stranger = GraphQLClient(http, (await new_tenant(services)).token)
    assert (await stranger.run("Triggers", workflowId=workflow_id))["triggers"] == []
    assert (await stranger.run("DeleteTrigger", id=webhook["id"]))["deleteTrigger"][
        "__typename"
    ] == "NotFound"


async def test_creating_rotating_and_deleting_a_webhook_is_audited_without_its_secret(
    gql: GraphQLClient,
) -> None:
    workflow_id = await create_workflow(gql, NO_INPUTS)
    webhook, first = await create_webhook(gql, workflow_id, name="Audited hook")
    second = (await gql.run("RotateTriggerSecret", id=webhook["id"]))["rotateTriggerSecret"]["secret"]
    await gql.run("DeleteTrigger", id=webhook["id"])

    log = (await gql.run("AuditLog", first=20))["auditLog"]["edges"]
    entries = [edge["node"] for edge in log if edge["node"]["target"] == "Audited hook"]

    assert [entry["action"] for entry in entries] == [
        "TRIGGER_DELETED",
        "TRIGGER_SECRET_ROTATED",
        "TRIGGER_CREATED",
    ]
    assert all(entry["details"]["trigger_id"] == webhook["id"] for entry in entries)
    assert first not in str(log)
    assert second not in str(log)
