"""Values PostgreSQL cannot hold, and values past the limits, are typed problems that change nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.backend.conftest import GraphQLClient
from tests.backend.runs_support import create_workflow, node, run_to_end, start_run, wait_for
from tests.servers.counting import CountingServer

NUL = "x\x00y"


def _template(text: str = "{{ input }}", **extra: Any) -> dict[str, Any]:
    return {"nodes": [{"id": "t", "type": "template", "params": {"template": text}, **extra}]}


async def _problems(gql: GraphQLClient, name: str, definition: Any) -> list[dict[str, Any]]:
    created = (await gql.run("CreateWorkflow", input={"name": name, "definition": definition}))[
        "createWorkflow"
    ]
    assert created["__typename"] == "InvalidWorkflow", created
    problems: list[dict[str, Any]] = created["problems"]
    return problems


async def test_a_workflow_name_with_a_nul_character_is_a_problem(gql: GraphQLClient) -> None:
    problems = await _problems(gql, NUL, _template())

    assert [(p["code"], p["path"]) for p in problems] == [("UNSTORABLE_TEXT", "name")]
    assert problems[0]["message"] == "the name contains a NUL character (U+0000), which cannot be stored"
    assert (await gql.run("Workflows"))["workflows"]["edges"] == []


@pytest.mark.parametrize(
    ("definition", "path"),
    [
        (
            {"nodes": [{"id": "t", "type": "template", "label": NUL, "params": {"template": "x"}}]},
            "nodes[0].label",
        ),
        (_template(NUL), "nodes[0].params.template"),
        (
            {**_template(), "inputs": {"type": "object", "properties": {NUL: {"type": "string"}}}},
            "inputs.properties",
        ),
    ],
    ids=["label", "template", "json-schema-key"],
)
async def test_a_definition_with_a_nul_character_is_a_problem_where_it_is(
    gql: GraphQLClient, definition: dict[str, Any], path: str
) -> None:
    created = await _problems(gql, "nul", definition)
    validated = (await gql.run("ValidateWorkflow", definition=definition))["validateWorkflow"]
    workflow_id = await create_workflow(gql, _template())
    updated = (await gql.run("UpdateWorkflow", id=workflow_id, input={"definition": definition}))[
        "updateWorkflow"
    ]

    for problems in (created, validated["problems"], updated["problems"]):
        assert [(p["code"], p["path"]) for p in problems] == [("UNSTORABLE_TEXT", path)]
    assert not validated["valid"]
    assert (await gql.run("Workflow", id=workflow_id))["workflow"]["version"] == 1


async def test_run_inputs_with_a_nul_character_are_a_problem_and_create_no_run(gql: GraphQLClient) -> None:
    workflow_id = await create_workflow(gql, _template())

    started = await start_run(gql, workflow_id, {"topic": {"deep": NUL}})

    assert started["__typename"] == "InvalidRunInputs"
    assert started["problems"] == [
        {
            "code": "UNSTORABLE_TEXT",
            "message": "inputs at topic.deep contains a NUL character (U+0000), which cannot be stored",
            "path": "inputs.topic.deep",
        }
    ]
    assert (await gql.run("Runs", workflowId=workflow_id))["runs"]["edges"] == []


async def test_run_inputs_past_the_size_limit_are_a_problem(gql: GraphQLClient) -> None:
    workflow_id = await create_workflow(gql, _template())

    started = await start_run(gql, workflow_id, {"text": "x" * 1_000_001})

    assert started["__typename"] == "InvalidRunInputs"
    assert [(p["code"], p["path"]) for p in started["problems"]] == [("VALUE_TOO_LARGE", "inputs")]
    assert (await gql.run("Runs", workflowId=workflow_id))["runs"]["edges"] == []


async def test_human_input_with_a_nul_character_is_refused_and_the_run_keeps_waiting(
    gql: GraphQLClient,
) -> None:
    definition = {"nodes": [{"id": "ask", "type": "human", "params": {"prompt": "Name?", "schema": {}}}]}
    started = await start_run(gql, await create_workflow(gql, definition))
    await wait_for(gql, started["id"], {"WAITING"})

    refused = (await gql.run("SubmitHumanInput", runId=started["id"], nodeId="ask", input={"name": NUL}))[
        "submitHumanInput"
    ]
    accepted = (await gql.run("SubmitHumanInput", runId=started["id"], nodeId="ask", input={"name": "xy"}))[
        "submitHumanInput"
    ]
    done = await wait_for(gql, started["id"])

    assert refused["__typename"] == "InvalidHumanInput"
    assert refused["errors"] == ["input at name contains a NUL character (U+0000), which cannot be stored"]
    assert accepted["__typename"] == "Run"
    assert node(done, "ask")["output"] == {"name": "xy"}


async def test_rerun_from_node_with_a_nul_character_is_a_problem_and_creates_no_run(
    gql: GraphQLClient,
) -> None:
    workflow_id = await create_workflow(gql, {**_template(), "edges": []})
    first = await wait_for(gql, (await start_run(gql, workflow_id))["id"])

    rerun = (await gql.run("RerunFromNode", runId=first["id"], nodeId="t", input=NUL))["rerunFromNode"]

    assert rerun["__typename"] == "InvalidRunInputs"
    assert [(p["code"], p["path"]) for p in rerun["problems"]] == [("UNSTORABLE_TEXT", "input")]
    assert len((await gql.run("Runs", workflowId=workflow_id))["runs"]["edges"]) == 1


async def test_no_new_run_starts_from_a_deleted_workflow_whichever_way_it_is_asked(
    gql: GraphQLClient,
) -> None:
    workflow_id = await create_workflow(gql, _template())
    first = await wait_for(gql, (await start_run(gql, workflow_id))["id"])
    await gql.run("DeleteWorkflow", id=workflow_id)

    started = await start_run(gql, workflow_id)
    rerun = (await gql.run("RerunFromNode", runId=first["id"], nodeId="t", input="again"))["rerunFromNode"]

    assert started["__typename"] == "NotFound"
    assert rerun["__typename"] == "NotFound"
    assert rerun["message"] == f"the workflow of run {first['id']} was deleted"
    assert (await gql.run("Run", id=first["id"]))["run"]["status"] == "SUCCEEDED"


async def test_a_template_that_renders_a_nul_character_fails_its_node_with_the_reason(
    gql: GraphQLClient,
) -> None:
    done = await run_to_end(gql, {**_template("x{{ '\\x00' }}y"), "edges": []})

    assert done["status"] == "FAILED"
    assert node(done, "t")["error"] == "the output contains a NUL character (U+0000), which cannot be stored"
    assert done["error"] == f"node t failed: {node(done, 't')['error']}"


async def test_an_http_response_with_a_nul_character_fails_its_node_with_the_reason(
    gql: GraphQLClient, counting: CountingServer
) -> None:
    definition = {
        "nodes": [{"id": "call", "type": "tool", "params": {"url": f"{counting.url}/poison?v=x%00y"}}]
    }

    done = await run_to_end(gql, definition)

    assert done["status"] == "FAILED"
    assert node(done, "call")["error"] == (
        "the output at body.query.v contains a NUL character (U+0000), which cannot be stored"
    )


async def test_a_node_output_past_the_size_limit_fails_its_node(
    gql: GraphQLClient, counting: CountingServer
) -> None:
    definition = {
        "nodes": [{"id": "call", "type": "tool", "params": {"url": f"{counting.url}/big?size=1200000"}}]
    }

    done = await run_to_end(gql, definition)

    assert done["status"] == "FAILED"
    assert node(done, "call")["output"] is None
    assert node(done, "call")["error"].startswith("the output is 1,2")
    assert node(done, "call")["error"].endswith(" bytes as JSON; the limit is 1,000,000")


async def test_a_runs_workflow_lists_its_versions_like_the_workflow_itself(gql: GraphQLClient) -> None:
    workflow_id = await create_workflow(gql, _template())
    await gql.run("UpdateWorkflow", id=workflow_id, input={"definition": _template("{{ input }}!")})
    run_id = (await start_run(gql, workflow_id))["id"]

    through_run = (await gql.run("Run", id=run_id))["run"]["workflow"]["versions"]
    direct = (await gql.run("Workflow", id=workflow_id))["workflow"]["versions"]

    assert [version["version"] for version in through_run] == [2, 1]
    assert [version["version"] for version in direct] == [2, 1]


async def test_deleting_the_credential_of_a_provider_with_a_nul_character_finds_nothing(
    gql: GraphQLClient,
) -> None:
    deleted = (await gql.run("DeleteCredential", provider=NUL))["deleteCredential"]

    assert deleted["__typename"] == "NotFound"


async def test_an_api_key_with_a_nul_character_is_a_problem_that_does_not_echo_the_key(
    gql: GraphQLClient,
) -> None:
    stored = (await gql.run("SetCredential", input={"provider": "openai", "apiKey": "sk-secret\x00"}))[
        "setCredential"
    ]

    assert stored["__typename"] == "InvalidCredential"
    assert [(p["code"], p["path"]) for p in stored["problems"]] == [("UNSTORABLE_TEXT", "apiKey")]
    assert "sk-secret" not in str(stored)
    assert (await gql.run("Credentials"))["credentials"] == []


async def test_a_lone_surrogate_a_client_sent_is_echoed_back_exactly(gql: GraphQLClient) -> None:
    document = "mutation ($id: ID!) { deleteWorkflow(id: $id) { __typename ... on NotFound { id } } }"
    body = json.dumps({"query": document, "variables": {"id": "x\ud800"}})  # ASCII: the escape \\ud800

    response = await gql.http.post(
        "/graphql",
        content=body,
        headers={"Authorization": f"Bearer {gql.token}", "Content-Type": "application/json"},
    )

    assert response.status_code == 200, response.text
    assert '"id":"x\\ud800"' in response.text.replace(" ", "")
    assert json.loads(response.text)["data"]["deleteWorkflow"] == {"__typename": "NotFound", "id": "x\ud800"}
