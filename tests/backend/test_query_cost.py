"""The query cost: operations that may return more objects than `max_query_cost` are refused unrun.

Each object an operation may return counts; `first` multiplies what a connection selects, lists
without it count at their cap or at the assumed size, fragments once per spread.
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import OperationDefinitionNode, parse

from backend.gql.cost import CostModel, QueryCosts
from backend.gql.schema import ASSUMED_LIST_SIZE, LIST_CAPS, build_schema
from backend.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from backend.services import Services
from tests.backend.app_clients import client_with
from tests.backend.conftest import GraphQLClient
from tests.backend.runs_support import run_to_end
from tests.fixtures_data import template_chain
from tests.operations import documents, operation
from tests.tenants import Tenant

NESTED_RUNS = """
query Nested {
  runs(first: 100) {
    edges {
      node { id nodeRuns { nodeId usage { requests } } events { seq } workflow { id versions { version } } }
    }
    pageInfo { hasNextPage }
  }
}
"""
WORKFLOWS = "query Page($n: Int) { workflows(first: $n) { edges { node { id name } } } }"
RUN_FRAGMENT = "fragment Steps on Run { nodeRuns { nodeId } events { seq } }"


def refusal(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("data") is None, body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY", error
    return dict(error)


async def test_a_nested_page_of_100_runs_with_their_node_runs_fits_the_default_budget(
    gql: GraphQLClient,
) -> None:
    run = await run_to_end(gql, template_chain(2))

    status, body = await gql.post(NESTED_RUNS)

    assert status == 200
    assert "errors" not in body, body
    [edge] = [e for e in body["data"]["runs"]["edges"] if e["node"]["id"] == run["id"]]
    assert [n["nodeId"] for n in edge["node"]["nodeRuns"]] == ["t0", "t1"]


async def test_a_page_size_given_as_a_variable_is_what_the_cost_is_computed_with(gql: GraphQLClient) -> None:
    _, small = await gql.post(WORKFLOWS, {"n": 10})
    _, huge = await gql.post(WORKFLOWS, {"n": 1_000_000})

    assert "errors" not in small, small
    error = refusal(huge)
    # the connection, then 1,000,000 edges each with its node
    assert "2000001" in error["message"]
    assert "20000" in error["message"]
    assert (error["extensions"]["cost"], error["extensions"]["limit"]) == (2_000_001, 20_000)


async def test_a_variable_left_out_counts_at_its_declared_default(gql: GraphQLClient) -> None:
    document = "query Page($n: Int = 1000000) { workflows(first: $n) { edges { node { id } } } }"

    _, defaulted = await gql.post(document)
    _, given = await gql.post(document, {"n": 5})

    assert refusal(defaulted)["extensions"]["cost"] == 2_000_001
    assert "errors" not in given, given


async def test_a_fragment_counts_each_time_it_is_spread(services: Services, tenant: Tenant) -> None:
    # one spread: 1 + 10 * (edge + run + 10 node runs + 10 events) = 221; two spreads: 421
    once = f"{{ runs(first: 10) {{ edges {{ node {{ ...Steps }} }} }} }} {RUN_FRAGMENT}"
    twice = f"{{ runs(first: 10) {{ edges {{ node {{ ...Steps ...Steps }} }} }} }} {RUN_FRAGMENT}"

    async with client_with(services, tenant.token, max_query_cost=300) as gql:
        _, under = await gql.post(once)
        _, over = await gql.post(twice)

    assert "errors" not in under, under
    assert refusal(over)["extensions"]["cost"] == 421


async def test_a_fragment_bomb_is_refused_with_its_cost_counted_without_expanding_it(
    gql: GraphQLClient,
) -> None:
    # 2**40 copies of one run's workflow, through fragments that each spread the next one twice
    levels = 40
    fragments = (
        " ".join(f"fragment F{i} on Run {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels))
        + f" fragment F{levels} on Run {{ workflow {{ id }} }}"
    )

    _, body = await gql.post(f"{{ runs(first: 1) {{ edges {{ node {{ ...F0 }} }} }} }} {fragments}")

    error = refusal(body)
    assert "more than 1000000000000" in error["message"]


async def test_lists_without_first_count_at_their_cap_or_at_the_assumed_size(
    services: Services, tenant: Tenant
) -> None:
    # humanTasks is capped at 100 objects; nodeKinds has no cap: ASSUMED_LIST_SIZE (10)
    async with client_with(services, tenant.token, max_query_cost=99) as gql:
        _, tasks = await gql.post("{ humanTasks { runId } }")
        _, kinds = await gql.post("{ nodeKinds { kind } }")

    assert refusal(tasks)["extensions"]["cost"] == 100
    assert "errors" not in kinds, kinds


async def test_typename_and_scalars_cost_nothing(services: Services, tenant: Tenant) -> None:
    async with client_with(services, tenant.token, max_query_cost=1) as gql:
        _, body = await gql.post("{ __typename viewer { email displayName } }")

    assert "errors" not in body, body


def operation_names() -> list[str]:
    return sorted(
        definition.name.value
        for document in documents().values()
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode) and definition.name is not None
    )


@pytest.mark.parametrize("name", operation_names())
def test_every_operation_of_the_clients_fits_the_default_budget_at_the_largest_page(
    name: str, services: Services
) -> None:
    settings = services.settings
    schema = build_schema(settings)._schema
    costs = QueryCosts(CostModel(settings.max_query_cost, DEFAULT_PAGE_SIZE, ASSUMED_LIST_SIZE, LIST_CAPS))
    document = parse(operation(name))

    cost = costs.cost(schema, document, {"first": MAX_PAGE_SIZE}, name)

    assert 0 < cost <= settings.max_query_cost
