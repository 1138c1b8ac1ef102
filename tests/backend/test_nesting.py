"""Deeply nested requests: JSON in variables and literals, fragment chains, fragments side by side.

Each is an ordinary GraphQL error with an `extensions.code`, logged in one line at most.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from tests.backend.conftest import GraphQLClient
from tests.backend.runs_support import create_workflow
from tests.fixtures_data import template_chain
from tests.operations import operation


def nested_list(depth: int) -> str:
    """JSON text of `depth` arrays inside each other (built as text: the stdlib cannot encode it)."""
    return "[" * depth + "1" + "]" * depth


def nested_object(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"leaf": True}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


async def post_raw(gql: GraphQLClient, query: str, variables_json: str) -> httpx.Response:
    body = f'{{"query": {json.dumps(query)}, "variables": {variables_json}}}'
    return await gql.http.post(
        "/graphql",
        content=body,
        headers={"Authorization": f"Bearer {gql.token}", "Content-Type": "application/json"},
    )


def our_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """What the server logged (not the test client's request lines)."""
    return [record for record in caplog.records if not record.name.startswith("httpx")]


def assert_logged_in_one_line_at_most(caplog: pytest.LogCaptureFixture) -> None:
    records = our_records(caplog)
    assert len(records) <= 1, [record.getMessage() for record in records]
    for record in records:
        assert record.levelno < logging.WARNING
        assert record.exc_info is None
        assert "\n" not in record.getMessage()


@pytest.mark.parametrize("operation_name", ["ValidateWorkflow", "StartRun"])
async def test_json_variables_nested_5000_levels_are_a_bad_request_not_a_server_error(
    gql: GraphQLClient, caplog: pytest.LogCaptureFixture, operation_name: str
) -> None:
    caplog.set_level(logging.DEBUG)
    workflow_id = await create_workflow(gql, template_chain(1))
    variables = {
        "ValidateWorkflow": f'{{"definition": {nested_list(5000)}}}',
        "StartRun": f'{{"workflowId": "{workflow_id}", "inputs": {nested_list(5000)}}}',
    }[operation_name]
    caplog.clear()

    response = await post_raw(gql, operation(operation_name), variables)

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "nested too deeply" in error["message"]
    assert_logged_in_one_line_at_most(caplog)


@pytest.mark.parametrize("depth", [201, 700])
async def test_json_variables_nested_deeper_than_200_levels_are_refused_as_bad_user_input(
    gql: GraphQLClient, caplog: pytest.LogCaptureFixture, depth: int
) -> None:
    caplog.set_level(logging.DEBUG)
    workflow_id = await create_workflow(gql, template_chain(1))
    caplog.clear()

    variables = f'{{"workflowId": "{workflow_id}", "inputs": {nested_list(depth)}}}'
    response = await post_raw(gql, operation("StartRun"), variables)

    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "nest at most 200 levels" in body["errors"][0]["message"]
    assert_logged_in_one_line_at_most(caplog)


async def test_a_json_variable_nested_200_levels_reaches_the_service(gql: GraphQLClient) -> None:
    status, body = await gql.post(operation("ValidateWorkflow"), {"definition": nested_object(200)})

    assert status == 200
    assert "errors" not in body, body["errors"]
    assert body["data"]["validateWorkflow"]["valid"] is False


@pytest.mark.parametrize("brackets", [("{a: ", "}"), ("[", "]")])
async def test_a_json_literal_nested_too_deeply_is_a_syntax_error(
    gql: GraphQLClient, caplog: pytest.LogCaptureFixture, brackets: tuple[str, str]
) -> None:
    caplog.set_level(logging.DEBUG)
    opening, closing = brackets
    literal = opening * 300 + "1" + closing * 300

    status, body = await gql.post(f"mutation {{ validateWorkflow(definition: {literal}) {{ valid }} }}")

    assert status == 200
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert "nested too deeply" in body["errors"][0]["message"]
    assert_logged_in_one_line_at_most(caplog)


async def test_a_fragment_chain_500_deep_is_a_validation_error_logged_in_one_line(
    gql: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(500))
    document = "query Chain { ...F0 } " + chain + " fragment F500 on Query { viewer { id } }"

    status, body = await gql.post(document)

    assert status == 200
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "Validation aborted" in body["errors"][0]["message"]
    assert_logged_in_one_line_at_most(caplog)


@pytest.mark.timeout(60)
async def test_fragments_that_spread_the_next_one_twice_are_measured_once_each(gql: GraphQLClient) -> None:
    # expanded, this is 2**40 spreads: Strawberry's depth limiter walked them all. The shape passes,
    # then the query cost (which counts a fragment once per spread) refuses it, both measured in time
    fan_out = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40))
    document = "query FanOut { ...F0 } " + fan_out + " fragment F40 on Query { viewer { role } }"

    status, body = await gql.post(document)

    assert status == 200
    assert [error["extensions"]["code"] for error in body["errors"]] == ["QUERY_TOO_COSTLY"]


async def test_the_depth_limit_counts_fields_nested_through_fragments(gql: GraphQLClient) -> None:
    # each fragment nests three levels and spreads the next: 16 levels in all, over the limit of 12
    fragments = " ".join(
        f"fragment F{i} on Query {{ workflows {{ edges {{ node {{ ...F{i + 1} }} }} }} }}" for i in range(5)
    )
    document = "query Deep { ...F0 } " + fragments + " fragment F5 on Query { viewer { id } }"

    status, body = await gql.post(document)

    assert status == 200
    assert [(error["message"], error["extensions"]["code"]) for error in body["errors"]] == [
        ("'Deep' exceeds maximum operation depth of 12", "GRAPHQL_VALIDATION_FAILED")
    ]


async def test_many_fragments_side_by_side_are_refused_before_their_comparison_runs_long(
    gql: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # validating these 300 fragments compared every pair of them: about 2 s of CPU for 4 KB
    spreads = " ".join(f"...F{i}" for i in range(300))
    fragments = " ".join(f"fragment F{i} on Query {{ viewer {{ id }} }}" for i in range(300))

    status, body = await gql.post(f"query Wide {{ {spreads} }} {fragments}")

    assert status == 200
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert body["errors"][0]["message"].startswith("Validation aborted: ")
    assert_logged_in_one_line_at_most(caplog)
