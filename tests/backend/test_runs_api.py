"""Runs through GraphQL, as a client sees them: every node kind, human tasks, retries, cancellation."""

from __future__ import annotations

import asyncio
from typing import Any

from backend.services import Services
from tests.backend.conftest import GraphQLClient
from tests.backend.runs_support import create_workflow, node, run_to_end, start_run, wait_for
from tests.fixtures_data import template_chain
from tests.servers.counting import CountingServer
from tests.servers.openai_fake import FakeOpenAI
from tests.tenants import new_tenant


async def use_fake_openai(gql: GraphQLClient, fake: FakeOpenAI) -> None:
    result = await gql.run(
        "SetCredential", input={"provider": "openai", "apiKey": fake.api_key, "baseUrl": fake.base_url}
    )
    assert result["setCredential"]["__typename"] == "Credential", result


def every_kind(counting_url: str) -> dict[str, Any]:
    approval = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}
    return {
        "inputs": {"type": "object", "properties": {"topic": {"type": "string"}}, "required": ["topic"]},
        "nodes": [
            {"id": "ask", "type": "template", "params": {"template": "Tell me about {{ inputs.topic }}"}},
            {
                "id": "llm",
                "type": "llm",
                "params": {"model": "openai-chat:fake-model", "prompt": "{{ input }}"},
            },
            {"id": "store", "type": "embedding", "params": {"collection": "notes", "text": "{{ input }}"}},
            {
                "id": "find",
                "type": "retrieve",
                "params": {"collection": "notes", "query": "{{ inputs.topic }}"},
            },
            {
                "id": "check",
                "type": "condition",
                "params": {
                    "cases": [{"branch": "found", "when": "input.hits | length > 0"}],
                    "default": "empty",
                },
            },
            {
                "id": "notify",
                "type": "tool",
                "params": {
                    "url": f"{counting_url}/notify",
                    "method": "POST",
                    "body": {"hits": "{{ input.hits }}"},
                },
            },
            {"id": "approve", "type": "human", "params": {"prompt": "Publish?", "schema": approval}},
            {
                "id": "out",
                "type": "output",
                "params": {
                    "value": {"answer": "{{ nodes.llm.output }}", "approved": "{{ nodes.approve.output.ok }}"}
                },
            },
        ],
        "edges": [
            {"from": "ask", "to": "llm"},
            {"from": "llm", "to": "store"},
            {"from": "store", "to": "find"},
            {"from": "find", "to": "check"},
            {"from": "check", "to": "notify", "branch": "found"},
            {"from": "notify", "to": "approve"},
            {"from": "approve", "to": "out"},
        ],
    }


async def test_a_workflow_of_every_node_kind_runs_to_success_with_a_human_in_the_loop(
    gql: GraphQLClient, counting: CountingServer, openai_api: FakeOpenAI
) -> None:
    await use_fake_openai(gql, openai_api)
    workflow_id = await create_workflow(gql, every_kind(counting.url))

    started = await start_run(gql, workflow_id, {"topic": "otters"})
    waiting = await wait_for(gql, started["id"], {"WAITING"})
    tasks = (await gql.run("HumanTasks", status="OPEN"))["humanTasks"]
    submitted = (
        await gql.run("SubmitHumanInput", runId=started["id"], nodeId="approve", input={"ok": True})
    )["submitHumanInput"]
    done = await wait_for(gql, started["id"])

    assert waiting["status"] == "WAITING"
    assert [(task["nodeId"], task["prompt"]) for task in tasks] == [("approve", "Publish?")]
    assert submitted["__typename"] == "Run"
    assert done["status"] == "SUCCEEDED", done["error"]
    assert done["output"] == {"answer": "echo: Tell me about otters", "approved": True}
    assert {n["nodeId"] for n in done["nodeRuns"]} == {
        "ask", "llm", "store", "find", "check", "notify", "approve", "out",
    }  # fmt: skip
    for node_run in done["nodeRuns"]:
        assert node_run["status"] == "SUCCEEDED", node_run
        assert node_run["startedAt"], node_run
        assert node_run["finishedAt"], node_run
    assert node(done, "llm")["input"] == "Tell me about otters"
    assert node(done, "llm")["usage"]["requests"] == 1
    assert node(done, "check")["branch"] == "found"
    assert node(done, "find")["output"]["hits"][0]["text"] == "echo: Tell me about otters"
    assert counting.count("/notify") == 1
    assert done["usage"]["inputTokens"] >= node(done, "llm")["usage"]["inputTokens"] > 0
    assert [event["seq"] for event in done["events"]] == list(range(1, len(done["events"]) + 1))
    assert done["events"][0]["type"] == "RUN_STARTED"
    assert done["events"][-1]["type"] == "RUN_SUCCEEDED"


async def test_human_input_is_checked_against_the_schema_and_accepted_once(gql: GraphQLClient) -> None:
    schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}
    definition = {
        "nodes": [
            {"id": "before", "type": "template", "params": {"template": "draft"}},
            {"id": "approve", "type": "human", "params": {"prompt": "OK?", "schema": schema}},
            {"id": "after", "type": "template", "params": {"template": "{{ input.ok | tojson }}"}},
        ],
        "edges": [{"from": "before", "to": "approve"}, {"from": "approve", "to": "after"}],
    }
    started = await start_run(gql, await create_workflow(gql, definition))
    await wait_for(gql, started["id"], {"WAITING"})

    invalid = (await gql.run("SubmitHumanInput", runId=started["id"], nodeId="approve", input={"ok": "yes"}))[
        "submitHumanInput"
    ]
    still = (await gql.run("RunStatus", id=started["id"]))["run"]["status"]
    valid = (await gql.run("SubmitHumanInput", runId=started["id"], nodeId="approve", input={"ok": False}))[
        "submitHumanInput"
    ]
    done = await wait_for(gql, started["id"])
    again = (await gql.run("SubmitHumanInput", runId=started["id"], nodeId="approve", input={"ok": True}))[
        "submitHumanInput"
    ]
    wrong_node = (
        await gql.run("SubmitHumanInput", runId=started["id"], nodeId="before", input={"ok": True})
    )["submitHumanInput"]

    assert invalid["__typename"] == "InvalidHumanInput"
    assert any("'yes' is not of type 'boolean'" in error for error in invalid["errors"])
    assert still == "WAITING"
    assert valid["__typename"] == "Run"
    assert (done["status"], node(done, "after")["output"]) == ("SUCCEEDED", False)
    assert [n["nodeId"] for n in done["nodeRuns"]].count("before") == 1
    assert (again["__typename"], wrong_node["__typename"]) == ("NoOpenTask", "NoOpenTask")


async def test_a_failing_node_retries_then_takes_its_error_edge(
    gql: GraphQLClient, counting: CountingServer
) -> None:
    counting.fail("/flaky", status=503, times=10)
    definition = {
        "nodes": [
            {
                "id": "call",
                "type": "tool",
                "params": {"url": f"{counting.url}/flaky"},
                "retry": {"maxAttempts": 3, "backoffSeconds": 0.01},
                "onError": "errorEdge",
            },
            {"id": "ok", "type": "template", "params": {"template": "fine"}},
            {"id": "handled", "type": "template", "params": {"template": "handled: {{ input.error }}"}},
        ],
        "edges": [{"from": "call", "to": "ok"}, {"from": "call", "to": "handled", "branch": "error"}],
    }

    done = await run_to_end(gql, definition)

    assert done["status"] == "SUCCEEDED"
    assert counting.count("/flaky") == 3
    call = node(done, "call")
    assert (call["status"], call["attempts"], call["branch"]) == ("FAILED", 3, "error")
    assert "503" in node(done, "handled")["output"]
    assert node(done, "ok")["status"] == "SKIPPED"
    assert [e["type"] for e in done["events"]].count("NODE_RETRYING") == 2


async def test_retry_run_finishes_a_failed_run_without_re_running_completed_nodes(
    gql: GraphQLClient, counting: CountingServer
) -> None:
    counting.fail("/second", status=500, times=1)
    definition = {
        "nodes": [
            {"id": "first", "type": "tool", "params": {"url": f"{counting.url}/first"}},
            {"id": "second", "type": "tool", "params": {"url": f"{counting.url}/second"}},
        ],
        "edges": [{"from": "first", "to": "second"}],
    }
    failed = await run_to_end(gql, definition)

    retried = (await gql.run("RetryRun", id=failed["id"]))["retryRun"]
    done = await wait_for(gql, failed["id"])

    assert failed["status"] == "FAILED"
    assert "second" in failed["error"]
    assert retried["__typename"] == "Run"
    assert done["status"] == "SUCCEEDED"
    assert (counting.count("/first"), counting.count("/second")) == (1, 2)
    assert node(done, "second")["attempts"] == 2
    again = (await gql.run("RetryRun", id=failed["id"]))["retryRun"]
    assert again["__typename"] == "RunNotRetryable"


async def test_rerun_from_node_reuses_upstream_outputs(gql: GraphQLClient, counting: CountingServer) -> None:
    definition = {
        "nodes": [
            {"id": "fetch", "type": "tool", "params": {"url": f"{counting.url}/fetch"}},
            {"id": "shape", "type": "template", "params": {"template": "shaped {{ input }}"}},
            {"id": "out", "type": "output", "params": {"value": "{{ input }}"}},
        ],
        "edges": [{"from": "fetch", "to": "shape"}, {"from": "shape", "to": "out"}],
    }
    first = await run_to_end(gql, definition)

    rerun = (await gql.run("RerunFromNode", runId=first["id"], nodeId="shape", input="by hand"))[
        "rerunFromNode"
    ]
    done = await wait_for(gql, rerun["id"])

    assert rerun["__typename"] == "Run"
    assert rerun["id"] != first["id"]
    assert done["status"] == "SUCCEEDED"
    assert done["output"] == "shaped by hand"
    assert counting.count("/fetch") == 1
    assert node(done, "fetch")["output"] == node(first, "fetch")["output"]


async def test_cancel_stops_an_in_flight_node_promptly(gql: GraphQLClient, counting: CountingServer) -> None:
    definition = {
        "nodes": [{"id": "slow", "type": "tool", "params": {"url": f"{counting.url}/slow?delay=10"}}]
    }
    started = await start_run(gql, await create_workflow(gql, definition))
    await wait_for(gql, started["id"], {"RUNNING"})
    while counting.count("/slow") == 0:  # noqa: ASYNC110 - the count lives in another thread's server
        await asyncio.sleep(0.01)

    cancelled = (await gql.run("CancelRun", id=started["id"]))["cancelRun"]
    done = await wait_for(gql, started["id"], within=1)
    again = (await gql.run("CancelRun", id=started["id"]))["cancelRun"]

    assert cancelled["__typename"] == "Run"
    assert done["status"] == "CANCELLED"
    assert node(done, "slow")["status"] == "FAILED"
    assert done["events"][-1]["type"] == "RUN_CANCELLED"
    assert again["__typename"] == "RunNotCancellable", again


async def test_inputs_not_matching_the_schema_create_no_run(gql: GraphQLClient) -> None:
    definition = {
        "inputs": {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]},
        "nodes": [{"id": "t", "type": "template", "params": {"template": "{{ inputs.n }}"}}],
    }
    workflow_id = await create_workflow(gql, definition)

    missing = await start_run(gql, workflow_id, {})
    wrong = await start_run(gql, workflow_id, {"n": "three"})

    assert missing["__typename"] == "InvalidRunInputs"
    assert missing["problems"][0]["message"] == "'n' is a required property"
    assert wrong["problems"][0]["path"] == "inputs.n"
    assert (await gql.run("Runs", workflowId=workflow_id))["runs"]["edges"] == []


async def test_a_model_without_credentials_is_a_problem_naming_the_provider(gql: GraphQLClient) -> None:
    definition = {
        "nodes": [{"id": "ask", "type": "llm", "params": {"model": "openai:gpt-4o", "prompt": "hi"}}]
    }

    result = await start_run(gql, await create_workflow(gql, definition))

    assert result["__typename"] == "MissingCredentials"
    assert result["provider"] == "openai"
    assert "setCredential" in result["message"]


async def test_the_test_model_runs_offline_without_credentials(gql: GraphQLClient) -> None:
    definition = {"nodes": [{"id": "ask", "type": "llm", "params": {"model": "test", "prompt": "hi"}}]}

    done = await run_to_end(gql, definition)

    assert done["status"] == "SUCCEEDED"
    assert isinstance(done["output"]["ask"], str)


async def test_a_provider_error_fails_the_node_with_the_providers_message(
    gql: GraphQLClient, openai_api: FakeOpenAI
) -> None:
    await use_fake_openai(gql, openai_api)
    openai_api.fail_next(401)
    definition = {
        "nodes": [{"id": "ask", "type": "llm", "params": {"model": "openai-chat:m", "prompt": "hi"}}]
    }

    done = await run_to_end(gql, definition)

    assert done["status"] == "FAILED"
    assert node(done, "ask")["status"] == "FAILED"
    assert "401" in node(done, "ask")["error"]


async def test_a_template_failing_at_run_time_names_the_variable(gql: GraphQLClient) -> None:
    definition = {"nodes": [{"id": "t", "type": "template", "params": {"template": "{{ inputs.missing }}"}}]}

    done = await run_to_end(gql, definition, {"present": 1})

    assert done["status"] == "FAILED"
    assert "missing" in node(done, "t")["error"]


async def test_runs_are_listed_by_workflow_and_status(gql: GraphQLClient) -> None:
    one = await create_workflow(gql, template_chain(1), "one")
    two = await create_workflow(gql, template_chain(2), "two")
    runs = [await start_run(gql, one), await start_run(gql, one), await start_run(gql, two)]
    for started in runs:
        await wait_for(gql, started["id"])

    of_one = (await gql.run("Runs", workflowId=one))["runs"]["edges"]
    succeeded = (await gql.run("Runs", status="SUCCEEDED"))["runs"]["edges"]
    failed = (await gql.run("Runs", status="FAILED"))["runs"]["edges"]

    assert [edge["node"]["id"] for edge in of_one] == [runs[1]["id"], runs[0]["id"]]
    assert len(succeeded) == 3
    assert failed == []
    assert [n["nodeId"] for n in of_one[0]["node"]["nodeRuns"]] == ["t0"]


async def test_another_workspace_cannot_see_or_touch_a_run(gql: GraphQLClient, services: Services) -> None:
    done = await run_to_end(gql, template_chain(1))
    stranger = GraphQLClient(gql.http, (await new_tenant(services)).token)

    assert (await stranger.run("Run", id=done["id"]))["run"] is None
    assert (await stranger.run("Runs"))["runs"]["edges"] == []
    for operation, variables in (
        ("CancelRun", {"id": done["id"]}),
        ("RetryRun", {"id": done["id"]}),
        ("SubmitHumanInput", {"runId": done["id"], "nodeId": "t0", "input": {}}),
        ("RerunFromNode", {"runId": done["id"], "nodeId": "t0", "input": 1}),
    ):
        result = await stranger.run(operation, **variables)
        assert next(iter(result.values()))["__typename"] == "NotFound", operation
    assert (await gql.run("RunStatus", id="not-a-uuid"))["run"] is None


async def test_credentials_are_write_only_and_encrypted_at_rest(
    gql: GraphQLClient, services: Services
) -> None:
    secret = "sk-very-secret-value"

    stored = await gql.run("SetCredential", input={"provider": "anthropic", "apiKey": secret})
    listed = (await gql.run("Credentials"))["credentials"]
    async with services.db.pool.acquire() as connection:
        at_rest = await connection.fetchval("SELECT secret FROM credentials WHERE provider = 'anthropic'")
    invalid = await gql.run("SetCredential", input={"provider": "bogus", "apiKey": "x"})
    no_key = await gql.run("SetCredential", input={"provider": "openai"})
    deleted = await gql.run("DeleteCredential", provider="anthropic")

    assert stored["setCredential"] == {"__typename": "Credential", "provider": "anthropic", "baseUrl": None}
    assert [c["provider"] for c in listed] == ["anthropic"]
    assert secret not in str(listed)
    assert at_rest
    assert secret not in at_rest
    assert invalid["setCredential"]["problems"][0]["code"] == "UNKNOWN_PROVIDER"
    assert no_key["setCredential"]["problems"][0]["code"] == "API_KEY_REQUIRED"
    assert deleted["deleteCredential"] == {"__typename": "DeletedCredential", "provider": "anthropic"}
    assert (await gql.run("Credentials"))["credentials"] == []


async def test_an_unanswered_human_task_times_out_and_takes_the_timeout_branch(gql: GraphQLClient) -> None:
    definition = {
        "nodes": [
            {"id": "approve", "type": "human", "params": {"prompt": "Quick!", "timeoutSeconds": 0.2}},
            {"id": "answered", "type": "template", "params": {"template": "answered"}},
            {"id": "late", "type": "template", "params": {"template": "nobody answered"}},
        ],
        "edges": [
            {"from": "approve", "to": "answered"},
            {"from": "approve", "to": "late", "branch": "timeout"},
        ],
    }
    started = await start_run(gql, await create_workflow(gql, definition))

    done = await wait_for(gql, started["id"], within=10)
    tasks = (await gql.run("HumanTasks", status="DONE"))["humanTasks"]

    assert done["status"] == "SUCCEEDED"
    assert node(done, "approve")["branch"] == "timeout"
    assert node(done, "answered")["status"] == "SKIPPED"
    assert node(done, "late")["output"] == "nobody answered"
    assert [(task["nodeId"], task["status"]) for task in tasks] == [("approve", "DONE")]


async def test_a_run_shows_the_definition_of_the_version_it_ran_after_the_workflow_changed(
    gql: GraphQLClient,
) -> None:
    workflow_id = await create_workflow(gql, template_chain(1))
    done = await wait_for(gql, (await start_run(gql, workflow_id))["id"])
    updated = await gql.run("UpdateWorkflow", id=workflow_id, input={"definition": template_chain(3)})
    assert updated["updateWorkflow"]["version"] == 2

    shown = (await gql.run("RunDefinition", id=done["id"]))["run"]

    assert shown["version"] == 1
    assert [node["id"] for node in shown["definition"]["nodes"]] == ["t0"]


async def test_each_workflow_names_its_newest_run_and_none_when_never_run(gql: GraphQLClient) -> None:
    ran = await create_workflow(gql, template_chain(1), "ran")
    never = await create_workflow(gql, template_chain(1), "never")
    first = await wait_for(gql, (await start_run(gql, ran))["id"])
    second = await start_run(gql, ran)

    listed = (await gql.run("WorkflowsLastRun", first=100))["workflows"]["edges"]
    last = {edge["node"]["id"]: edge["node"]["lastRun"] for edge in listed}

    assert last[never] is None
    assert last[ran]["id"] == second["id"] != first["id"]
