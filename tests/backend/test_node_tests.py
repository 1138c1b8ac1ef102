"""Testing one node from the editor: it runs as in a run, is recorded apart, and bad input runs nothing."""

from __future__ import annotations

from typing import Any

from pydantic import JsonValue

from backend.runs.node_tests import NodeTestService
from backend.runs.node_tests_repository import KEPT_NODE_TESTS, NodeTestRepository
from backend.runs.records import NodeTestRecord, NodeTestRequest
from backend.services import Services
from engine.nodes.base import HttpSettings
from engine.records import NodeStatus
from engine.testing import memory_services
from tests.backend.conftest import GraphQLClient
from tests.backend.runs_support import create_workflow
from tests.servers.counting import CountingServer
from tests.tenants import Tenant, new_tenant


def pipeline(counting_url: str) -> dict[str, Any]:
    return {
        "inputs": {"type": "object", "properties": {"topic": {"type": "string"}}},
        "nodes": [
            {"id": "ask", "type": "template", "params": {"template": "About {{ inputs.topic }}"}},
            {"id": "llm", "type": "llm", "params": {"model": "test", "prompt": "{{ input }}"}},
            {
                "id": "check",
                "type": "condition",
                "params": {"cases": [{"branch": "long", "when": "input | length > 5"}], "default": "short"},
            },
            {
                "id": "post",
                "type": "tool",
                "params": {
                    "url": f"{counting_url}/notes",
                    "method": "POST",
                    "body": {
                        "text": "{{ input }}",
                        "topic": "{{ inputs.topic }}",
                        "llm": "{{ nodes.llm.output }}",
                    },
                },
            },
            {"id": "approve", "type": "human", "params": {"prompt": "Publish {{ input }}?", "schema": {}}},
        ],
        "edges": [
            {"from": "ask", "to": "llm"},
            {"from": "llm", "to": "check"},
            {"from": "check", "to": "post", "branch": "long"},
            {"from": "post", "to": "approve"},
        ],
    }


async def try_node(gql: GraphQLClient, workflow_id: str, definition: Any, node_id: str, **more: Any) -> Any:
    result = await gql.run(
        "TestNode", input={"workflowId": workflow_id, "definition": definition, "nodeId": node_id, **more}
    )
    return result["testNode"]


async def test_an_llm_node_runs_alone_with_its_usage_and_no_run_is_recorded(
    gql: GraphQLClient, counting: CountingServer
) -> None:
    definition = pipeline(counting.url)
    workflow_id = await create_workflow(gql, definition)

    tested = await try_node(gql, workflow_id, definition, "llm", input="Tell me about otters")

    assert tested["__typename"] == "NodeTest", tested
    assert tested["status"] == "SUCCEEDED"
    assert tested["kind"] == "llm"
    assert tested["input"] == "Tell me about otters"
    assert isinstance(tested["output"], str)
    assert tested["output"]
    assert tested["usage"]["requests"] == 1
    assert tested["durationMs"] >= 0
    assert (await gql.run("Runs", workflowId=workflow_id))["runs"]["edges"] == []
    listed = (await gql.run("NodeTests", workflowId=workflow_id, nodeId="llm"))["nodeTests"]
    assert [item["id"] for item in listed] == [tested["id"]]


async def test_a_tool_node_renders_its_input_run_inputs_and_upstream_outputs_and_calls_once(
    gql: GraphQLClient, counting: CountingServer
) -> None:
    definition = pipeline(counting.url)
    workflow_id = await create_workflow(gql, definition)
    before = counting.count("/notes")

    tested = await try_node(
        gql,
        workflow_id,
        definition,
        "post",
        input="pinned",
        inputs={"topic": "otters"},
        upstream={"llm": "said"},
    )

    assert tested["status"] == "SUCCEEDED", tested
    assert tested["output"]["body"]["body"] == {"text": "pinned", "topic": "otters", "llm": "said"}
    assert counting.count("/notes") == before + 1


async def test_a_condition_node_reports_the_branch_it_takes(
    gql: GraphQLClient, counting: CountingServer
) -> None:
    definition = pipeline(counting.url)
    workflow_id = await create_workflow(gql, definition)

    long = await try_node(gql, workflow_id, definition, "check", input="a long text")
    short = await try_node(gql, workflow_id, definition, "check", input="hi")

    assert (long["status"], long["branch"]) == ("SUCCEEDED", "long")
    assert (short["status"], short["branch"]) == ("SUCCEEDED", "short")


async def test_a_human_node_shows_the_task_it_would_open(
    gql: GraphQLClient, counting: CountingServer
) -> None:
    definition = pipeline(counting.url)
    workflow_id = await create_workflow(gql, definition)

    tested = await try_node(gql, workflow_id, definition, "approve", input="draft 3")

    assert tested["status"] == "WAITING"
    assert tested["output"] == {"prompt": "Publish draft 3?", "schema": {}}


async def test_a_failing_node_is_a_failed_test_with_its_error_not_a_problem(
    gql: GraphQLClient, counting: CountingServer
) -> None:
    definition = pipeline(counting.url)
    workflow_id = await create_workflow(gql, definition)

    tested = await try_node(gql, workflow_id, definition, "ask", inputs={})

    assert tested["__typename"] == "NodeTest"
    assert tested["status"] == "FAILED"
    assert "topic" in tested["error"]
    assert tested["output"] is None


async def test_the_unsaved_definition_is_what_runs(gql: GraphQLClient, counting: CountingServer) -> None:
    definition = pipeline(counting.url)
    workflow_id = await create_workflow(gql, definition)
    edited = pipeline(counting.url)
    edited["nodes"][0]["params"]["template"] = "Edited {{ inputs.topic }}"

    tested = await try_node(gql, workflow_id, edited, "ask", inputs={"topic": "bees"})

    assert tested["output"] == "Edited bees"


async def test_an_invalid_definition_lists_its_problems_and_runs_nothing(
    gql: GraphQLClient, counting: CountingServer
) -> None:
    definition = pipeline(counting.url)
    workflow_id = await create_workflow(gql, definition)
    broken = pipeline(counting.url)
    broken["edges"].append({"from": "post", "to": "nowhere"})

    tested = await try_node(gql, workflow_id, broken, "ask", inputs={"topic": "x"})

    assert tested["__typename"] == "InvalidWorkflow"
    assert tested["problems"]
    assert (await gql.run("NodeTests", workflowId=workflow_id))["nodeTests"] == []


async def test_unknown_nodes_and_foreign_workflows_are_not_found(
    gql: GraphQLClient, counting: CountingServer, services: Services
) -> None:
    definition = pipeline(counting.url)
    workflow_id = await create_workflow(gql, definition)
    stranger = GraphQLClient(gql.http, (await new_tenant(services)).token)

    missing_node = await try_node(gql, workflow_id, definition, "ghost")
    foreign = await try_node(stranger, workflow_id, definition, "ask", inputs={"topic": "x"})

    assert (missing_node["__typename"], missing_node["id"]) == ("NotFound", "ghost")
    assert (foreign["__typename"], foreign["id"]) == ("NotFound", workflow_id)
    assert (await stranger.run("NodeTests", workflowId=workflow_id))["nodeTests"] == []


async def test_unstorable_or_malformed_values_are_refused_before_anything_runs(
    gql: GraphQLClient, counting: CountingServer
) -> None:
    definition = pipeline(counting.url)
    workflow_id = await create_workflow(gql, definition)
    before = counting.count("/notes")

    nul = await try_node(gql, workflow_id, definition, "post", input="a\u0000b")
    upstream = await try_node(gql, workflow_id, definition, "post", input="x", upstream=[1, 2])

    assert nul["__typename"] == "InvalidNodeTestInput"
    assert [(p["code"], p["path"]) for p in nul["problems"]] == [("UNSTORABLE_TEXT", "input")]
    assert upstream["__typename"] == "InvalidNodeTestInput"
    assert [p["code"] for p in upstream["problems"]] == ["INVALID_UPSTREAM"]
    assert counting.count("/notes") == before


async def test_a_model_without_credentials_is_a_problem_before_anything_runs(gql: GraphQLClient) -> None:
    definition = {
        "nodes": [{"id": "llm", "type": "llm", "params": {"model": "openai:gpt-4o", "prompt": "hi"}}]
    }
    workflow_id = await create_workflow(gql, definition)

    tested = await try_node(gql, workflow_id, definition, "llm")

    assert tested["__typename"] == "MissingCredentials"
    assert tested["provider"] == "openai"


async def test_only_the_newest_tests_of_a_node_are_kept(gql: GraphQLClient, counting: CountingServer) -> None:
    definition = pipeline(counting.url)
    workflow_id = await create_workflow(gql, definition)

    ids = [
        (await try_node(gql, workflow_id, definition, "ask", inputs={"topic": str(n)}))["id"]
        for n in range(KEPT_NODE_TESTS + 2)
    ]
    await try_node(gql, workflow_id, definition, "check", input="kept apart")

    listed = (await gql.run("NodeTests", workflowId=workflow_id, nodeId="ask"))["nodeTests"]
    assert [item["id"] for item in listed] == ids[::-1][:KEPT_NODE_TESTS]
    assert len((await gql.run("NodeTests", workflowId=workflow_id, nodeId="check"))["nodeTests"]) == 1


async def test_a_node_slower_than_the_test_time_limit_is_stopped_and_recorded_as_failed(
    services: Services, tenant: Tenant, gql: GraphQLClient, counting: CountingServer
) -> None:
    definition: dict[str, JsonValue] = {
        "nodes": [{"id": "slow", "type": "tool", "params": {"url": f"{counting.url}/slow?delay=3"}}]
    }
    workflow_id = await create_workflow(gql, definition)
    tester = NodeTestService(
        workflows=services.workflows,
        repository=NodeTestRepository(),
        credentials=services.credentials,
        node_services=memory_services(http=HttpSettings(allowlist=frozenset({"127.0.0.1"}))),
        limits=services.settings.run_limits(),
        time_limit=0.3,
    )
    request = NodeTestRequest(workflow_id, definition, "slow", None, None, None)

    tested = await tester.test(tenant.principal, request)

    assert isinstance(tested, NodeTestRecord)
    assert tested.status is NodeStatus.FAILED
    assert tested.error == "the test was stopped after 0.3 seconds"
    assert (tested.finished_at - tested.started_at).total_seconds() < 2
    listed = (await gql.run("NodeTests", workflowId=workflow_id))["nodeTests"]
    assert [(item["id"], item["status"]) for item in listed] == [(str(tested.id), "FAILED")]
