"""The GraphQL endpoint's edges: authentication, malformed requests, limits, cost, health."""

from __future__ import annotations

import asyncio

import httpx

from backend.services import Services
from tests.backend.conftest import GraphQLClient
from tests.fixtures_data import seed_workflow, template_chain
from tests.operations import operation
from tests.tenants import Tenant


async def test_a_request_without_a_token_gets_an_authentication_error_and_no_data(
    http: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await http.post("/graphql", json={"query": operation("Workflows")})

    assert response.status_code == 401
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_wrong_token_gets_an_authentication_error(http: httpx.AsyncClient) -> None:
    for header in ("Bearer flt_not-a-real-token", "Bearer garbage", "Basic dXNlcjpwYXNz"):
        response = await http.post(
            "/graphql", json={"query": "{ viewer { id } }"}, headers={"Authorization": header}
        )
        assert response.status_code == 401, header
        assert "data" not in response.json()


async def test_introspection_and_get_queries_need_a_token_too(http: httpx.AsyncClient) -> None:
    introspection = await http.post("/graphql", json={"query": "{ __schema { queryType { name } } }"})
    via_get = await http.get("/graphql", params={"query": "{ viewer { id } }"})

    assert (introspection.status_code, via_get.status_code) == (401, 401)


async def test_graphiql_page_is_served_without_a_token(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert "graphiql" in response.text.lower()


async def test_a_malformed_json_body_is_a_graphql_error_response(
    http: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await http.post(
        "/graphql",
        content=b'{"query": "{ viewer { id } ',
        headers={"Authorization": f"Bearer {tenant.token}", "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_a_graphql_syntax_error_is_reported_not_a_server_error(gql: GraphQLClient) -> None:
    status, body = await gql.post("{ workflows { edges { node { id } }")

    assert status == 200
    assert body["data"] is None
    assert "Syntax Error" in body["errors"][0]["message"]


async def test_unknown_fields_and_wrong_variable_types_are_validation_errors(gql: GraphQLClient) -> None:
    _, unknown = await gql.post("{ workflows { edges { node { password } } } }")
    _, wrong_type = await gql.post(operation("Workflows"), {"first": "ten"})

    assert "Cannot query field 'password'" in unknown["errors"][0]["message"]
    assert "Int cannot represent" in wrong_type["errors"][0]["message"]


async def test_query_depth_aliases_and_size_are_limited(gql: GraphQLClient) -> None:
    deep = "{ " + "workflows { edges { node { " * 5 + "id" + " } } }" * 5 + " }"
    aliases = "{ " + " ".join(f"a{i}: viewer {{ id }}" for i in range(31)) + " }"
    tokens = "{ " + " ".join("viewer { id }" for _ in range(1300)) + " }"

    _, too_deep = await gql.post(deep)
    _, too_many_aliases = await gql.post(aliases)
    _, too_many_tokens = await gql.post(tokens)

    assert any("exceeds maximum operation depth" in e["message"] for e in too_deep["errors"])
    assert "aliases" in too_many_aliases["errors"][0]["message"].lower()
    assert "token" in too_many_tokens["errors"][0]["message"].lower()


async def test_sql_statements_of_a_list_query_do_not_grow_with_page_size(
    gql: GraphQLClient, services: Services
) -> None:
    for i in range(100):
        created = await gql.run("CreateWorkflow", input={"name": f"W{i}", "definition": template_chain(1)})
        if i % 3 == 0:
            workflow_id = created["createWorkflow"]["id"]
            await gql.run("UpdateWorkflow", id=workflow_id, input={"definition": template_chain(2)})

    await gql.run("WorkflowsWithVersions", first=100)  # warm-up: asyncpg introspects new types once

    async def statements_for(first: int) -> int:
        # the least of five: background loops (reconciler, trigger scheduler, pruner) share the counter
        counts = []
        for _ in range(5):
            await asyncio.sleep(0)  # asyncpg reports statements with call_soon: let them land
            before = services.db.statements.total
            data = await gql.run("WorkflowsWithVersions", first=first)
            await asyncio.sleep(0)
            assert len(data["workflows"]["edges"]) == first
            counts.append(services.db.statements.total - before)
        return min(counts)

    assert await statements_for(10) == await statements_for(100)


async def test_health_and_readiness(http: httpx.AsyncClient) -> None:
    healthz = await http.get("/healthz")
    readyz = await http.get("/readyz")

    assert (healthz.status_code, healthz.json()) == (200, {"status": "ok"})
    assert readyz.status_code == 200
    assert readyz.json() == {"status": "ok", "checks": {"database": "ok"}}


async def test_the_seed_workflow_round_trips_byte_for_byte_through_json(gql: GraphQLClient) -> None:
    created = (await gql.run("CreateWorkflow", input={"name": "Seed", "definition": seed_workflow()}))[
        "createWorkflow"
    ]

    assert created["definition"]["nodes"][0]["params"]["prompt"] == "请总结以下文本: {{input}}"


async def test_a_json_body_that_is_not_an_object_is_a_bad_request(
    http: httpx.AsyncClient, tenant: Tenant
) -> None:
    for body in (b"1", b'"query"', b"null", b"true"):
        response = await http.post(
            "/graphql",
            content=body,
            headers={"Authorization": f"Bearer {tenant.token}", "Content-Type": "application/json"},
        )

        assert response.status_code == 400, body
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_every_graphql_error_carries_a_code_naming_its_kind(gql: GraphQLClient) -> None:
    _, syntax = await gql.post("{ viewer { id }")
    _, validation = await gql.post("{ viewer { password } }")
    _, variables = await gql.post(operation("Workflows"), {"first": "ten"})

    assert syntax["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert validation["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert variables["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
