"""Workflow CRUD over GraphQL, as a client sees it."""

from __future__ import annotations

import asyncio
from typing import Any

from backend.services import Services
from tests.backend.conftest import GraphQLClient
from tests.fixtures_data import seed_workflow, template_chain
from tests.operations import operation
from tests.tenants import new_tenant


async def create(gql: GraphQLClient, name: str, definition: Any) -> dict[str, Any]:
    data = await gql.run("CreateWorkflow", input={"name": name, "definition": definition})
    result: dict[str, Any] = data["createWorkflow"]
    return result


async def test_creating_the_seed_workflow_returns_it_at_version_1(gql: GraphQLClient) -> None:
    created = await create(gql, "Seed", seed_workflow())

    assert created["__typename"] == "Workflow"
    assert created["name"] == "Seed"
    assert created["version"] == 1
    assert created["definition"] == seed_workflow()


async def test_a_created_workflow_is_listed_and_fetched_with_its_versions(gql: GraphQLClient) -> None:
    created = await create(gql, "Seed", seed_workflow())

    listed = (await gql.run("Workflows"))["workflows"]
    fetched = (await gql.run("Workflow", id=created["id"]))["workflow"]

    assert [edge["node"]["id"] for edge in listed["edges"]] == [created["id"]]
    assert fetched["versions"] == [
        {"version": 1, "definition": seed_workflow(), "createdAt": fetched["versions"][0]["createdAt"]}
    ]


async def test_an_invalid_definition_reports_every_problem_and_stores_nothing(gql: GraphQLClient) -> None:
    broken = {
        "nodes": [
            {"id": "a", "type": "llm", "params": {"prompt": "{{ nodes.b.output }}"}},
            {"id": "a", "type": "teleport", "params": {}},
        ],
        "edges": [{"from": "a", "to": "ghost"}],
    }

    result = await create(gql, "Broken", broken)

    assert result["__typename"] == "InvalidWorkflow"
    codes = {problem["code"] for problem in result["problems"]}
    assert {"MISSING_FIELD", "DUPLICATE_NODE_ID", "UNKNOWN_NODE_KIND", "UNKNOWN_EDGE_TARGET"} <= codes
    assert (await gql.run("Workflows"))["workflows"]["edges"] == []


async def test_a_problem_names_its_json_path_and_node(gql: GraphQLClient) -> None:
    definition = {"nodes": [{"id": "n1", "type": "llm", "params": {"prompt": "hi"}}], "edges": []}

    result = await create(gql, "No model", definition)

    assert {"code": "MISSING_FIELD", "path": "nodes[0].params.model", "nodeId": "n1"} in [
        {key: problem[key] for key in ("code", "path", "nodeId")} for problem in result["problems"]
    ]


async def test_over_limit_inputs_are_typed_problems(gql: GraphQLClient) -> None:
    too_long_name = await create(gql, "x" * 201, seed_workflow())
    too_many_nodes = await create(gql, "big", template_chain(501))
    huge = seed_workflow()
    huge["nodes"][0]["params"]["prompt"] = "{{input}}" + "x" * 1_000_001
    too_large = await create(gql, "huge", huge)

    assert [p["code"] for p in too_long_name["problems"]] == ["NAME_TOO_LONG"]
    assert "TOO_MANY_NODES" in [p["code"] for p in too_many_nodes["problems"]]
    assert [p["code"] for p in too_large["problems"]] == ["DEFINITION_TOO_LARGE"]
    assert (await gql.run("Workflows"))["workflows"]["edges"] == []


async def test_updating_the_definition_adds_an_immutable_version(gql: GraphQLClient) -> None:
    created = await create(gql, "Chain", template_chain(2))

    updated = (await gql.run("UpdateWorkflow", id=created["id"], input={"definition": template_chain(3)}))[
        "updateWorkflow"
    ]
    fetched = (await gql.run("Workflow", id=created["id"]))["workflow"]

    assert updated["version"] == 2
    assert updated["definition"] == template_chain(3)
    assert [(v["version"], len(v["definition"]["nodes"])) for v in fetched["versions"]] == [(2, 3), (1, 2)]


async def test_renaming_alone_keeps_the_version(gql: GraphQLClient) -> None:
    created = await create(gql, "Before", template_chain(1))

    renamed = (await gql.run("UpdateWorkflow", id=created["id"], input={"name": "After"}))["updateWorkflow"]

    assert (renamed["name"], renamed["version"]) == ("After", 1)


async def test_an_invalid_update_changes_nothing(gql: GraphQLClient) -> None:
    created = await create(gql, "Stable", template_chain(2))

    result = (
        await gql.run("UpdateWorkflow", id=created["id"], input={"name": "", "definition": {"nodes": []}})
    )["updateWorkflow"]
    fetched = (await gql.run("Workflow", id=created["id"]))["workflow"]

    assert result["__typename"] == "InvalidWorkflow"
    assert {p["code"] for p in result["problems"]} == {"NAME_REQUIRED", "EMPTY_WORKFLOW"}
    assert (fetched["name"], fetched["version"], len(fetched["versions"])) == ("Stable", 1, 1)


async def test_a_stale_expected_version_is_a_conflict(gql: GraphQLClient) -> None:
    created = await create(gql, "Edited twice", template_chain(1))
    await gql.run("UpdateWorkflow", id=created["id"], input={"definition": template_chain(2)})

    stale = (
        await gql.run(
            "UpdateWorkflow", id=created["id"], input={"definition": template_chain(3), "expectedVersion": 1}
        )
    )["updateWorkflow"]

    assert stale == {"__typename": "VersionConflict", "expectedVersion": 1, "currentVersion": 2}


async def test_concurrent_updates_number_versions_without_gaps_or_duplicates(gql: GraphQLClient) -> None:
    created = await create(gql, "Contended", template_chain(1))

    results = await asyncio.gather(
        *(
            gql.run(
                "UpdateWorkflow", id=created["id"], input={"definition": template_chain(1, prefix=f"p{i}_")}
            )
            for i in range(24)
        )
    )
    fetched = (await gql.run("Workflow", id=created["id"]))["workflow"]

    returned = sorted(result["updateWorkflow"]["version"] for result in results)
    assert returned == list(range(2, 26))
    assert [v["version"] for v in fetched["versions"]] == list(range(25, 0, -1))
    newest = fetched["versions"][0]["definition"]
    assert fetched["version"] == 25
    assert fetched["definition"] == newest


async def test_deleting_hides_the_workflow_and_a_second_delete_is_not_found(gql: GraphQLClient) -> None:
    created = await create(gql, "Doomed", template_chain(1))

    first = (await gql.run("DeleteWorkflow", id=created["id"]))["deleteWorkflow"]
    second = (await gql.run("DeleteWorkflow", id=created["id"]))["deleteWorkflow"]

    assert first == {"__typename": "DeletedWorkflow", "id": created["id"]}
    assert second["__typename"] == "NotFound"
    assert (await gql.run("Workflow", id=created["id"]))["workflow"] is None
    assert (await gql.run("Workflows"))["workflows"]["edges"] == []


async def test_another_workspace_cannot_see_or_change_a_workflow(
    gql: GraphQLClient, services: Services
) -> None:
    created = await create(gql, "Private", template_chain(1))
    stranger = GraphQLClient(gql.http, (await new_tenant(services)).token)

    assert (await stranger.run("Workflow", id=created["id"]))["workflow"] is None
    assert (await stranger.run("Workflows"))["workflows"]["edges"] == []
    update = (await stranger.run("UpdateWorkflow", id=created["id"], input={"name": "Mine"}))[
        "updateWorkflow"
    ]
    delete = (await stranger.run("DeleteWorkflow", id=created["id"]))["deleteWorkflow"]
    assert (update["__typename"], delete["__typename"]) == ("NotFound", "NotFound")
    assert (await gql.run("Workflow", id=created["id"]))["workflow"]["name"] == "Private"


async def test_malformed_ids_are_not_found_rather_than_errors(gql: GraphQLClient) -> None:
    assert (await gql.run("Workflow", id="not-a-uuid"))["workflow"] is None
    result = (await gql.run("UpdateWorkflow", id="not-a-uuid", input={"name": "x"}))["updateWorkflow"]
    assert result == {"__typename": "NotFound", "id": "not-a-uuid", "message": "no workflow not-a-uuid"}


async def test_pages_walk_every_workflow_once_newest_first(gql: GraphQLClient) -> None:
    ids = [(await create(gql, f"W{i}", template_chain(1)))["id"] for i in range(5)]

    seen: list[str] = []
    after = None
    while True:
        page = (await gql.run("Workflows", first=2, after=after))["workflows"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert seen == list(reversed(ids))


async def test_page_size_and_cursor_are_checked(gql: GraphQLClient) -> None:
    _, too_big = await gql.post(operation("Workflows"), {"first": 101})
    _, bad_cursor = await gql.post(operation("Workflows"), {"after": "garbage"})

    assert too_big["data"] is None
    assert too_big["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "between 0 and 100" in too_big["errors"][0]["message"]
    assert bad_cursor["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_validate_workflow_checks_without_storing(gql: GraphQLClient) -> None:
    valid = (await gql.run("ValidateWorkflow", definition=seed_workflow()))["validateWorkflow"]
    invalid = (await gql.run("ValidateWorkflow", definition={"nodes": [], "edges": []}))["validateWorkflow"]

    assert valid == {"valid": True, "problems": []}
    assert invalid["valid"] is False
    assert [p["code"] for p in invalid["problems"]] == ["EMPTY_WORKFLOW"]
    assert (await gql.run("Workflows"))["workflows"]["edges"] == []


async def test_node_kinds_serve_a_params_schema_for_every_kind(gql: GraphQLClient) -> None:
    kinds = (await gql.run("NodeKinds"))["nodeKinds"]

    by_kind = {kind["kind"]: kind for kind in kinds}
    assert set(by_kind) == {
        "llm",
        "embedding",
        "retrieve",
        "tool",
        "condition",
        "human",
        "template",
        "output",
    }
    assert "model" in by_kind["llm"]["paramsSchema"]["properties"]
    assert by_kind["llm"]["paramsSchema"]["properties"]["prompt"]["description"]
    on_error = by_kind["human"]["settingsSchema"]["properties"]["onError"]
    assert on_error["enum"] == ["fail", "errorEdge", "default"]


async def test_viewer_is_the_token_owner_in_their_workspace(gql: GraphQLClient) -> None:
    viewer = (await gql.run("Viewer"))["viewer"]

    assert viewer["role"] == "owner"
    assert viewer["workspace"]["slug"].startswith("t-")
    assert viewer["email"] == f"{viewer['workspace']['slug']}@test.local"
