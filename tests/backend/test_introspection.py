"""The introspection switch: off, the schema cannot be read through the API, by query or by suggestion.

The tests' session settings name a database, so introspection is off by default there (as in any
deployment with DATABASE_URL); `introspection=True` is what the embedded mode has by default.
"""

from __future__ import annotations

from typing import Any

import pytest

from backend.services import Services
from tests.backend.app_clients import client_with
from tests.backend.conftest import GraphQLClient
from tests.tenants import Tenant

MISTAKES: list[tuple[str, str, dict[str, Any]]] = [
    # (what, document, variables): each answer would suggest a real name of the schema
    ("field", "{ workflowz { edges { cursor } } }", {}),
    ("argument", "{ workflows(frist: 1) { edges { cursor } } }", {}),
    ("enum literal", "{ runs(status: SUCCEEDEDX) { edges { cursor } } }", {}),
    ("enum variable", "query ($s: RunStatus) { runs(status: $s) { edges { cursor } } }", {"s": "SUCCEEDEDX"}),
    (
        "input field",
        "mutation ($i: CreateWorkflowInput!) { createWorkflow(input: $i) { __typename } }",
        {"i": {"nam": "x", "name": "x", "definition": {}}},
    ),
]


def messages(body: dict[str, Any]) -> str:
    return " ".join(error["message"] for error in body["errors"])


@pytest.mark.parametrize(
    "document", ["{ __schema { queryType { name } } }", '{ __type(name: "Run") { name } }']
)
async def test_introspection_is_refused_with_a_code_when_off(gql: GraphQLClient, document: str) -> None:
    _, body = await gql.post(document)

    assert body.get("data") is None
    assert {error["extensions"]["code"] for error in body["errors"]} == {"INTROSPECTION_DISABLED"}


async def test_typename_still_answers_when_introspection_is_off(gql: GraphQLClient) -> None:
    _, body = await gql.post("{ __typename viewer { __typename } }")

    assert body == {"data": {"__typename": "Query", "viewer": {"__typename": "User"}}}


@pytest.mark.parametrize(("what", "document", "variables"), MISTAKES, ids=[m[0] for m in MISTAKES])
async def test_mistakes_get_no_suggestions_when_introspection_is_off(
    gql: GraphQLClient, what: str, document: str, variables: dict[str, Any]
) -> None:
    _, body = await gql.post(document, variables)

    assert body["errors"], body
    assert "Did you mean" not in messages(body)


async def test_introspection_answers_when_on(services: Services, tenant: Tenant) -> None:
    async with client_with(services, tenant.token, introspection=True) as gql:
        _, schema = await gql.post("{ __schema { queryType { name } } }")
        _, type_ = await gql.post('{ __type(name: "Run") { fields { name } } }')

    assert schema == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    assert {"id", "nodeRuns"} <= {field["name"] for field in type_["data"]["__type"]["fields"]}


@pytest.mark.parametrize(("what", "document", "variables"), MISTAKES, ids=[m[0] for m in MISTAKES])
async def test_mistakes_get_suggestions_when_introspection_is_on(
    services: Services, tenant: Tenant, what: str, document: str, variables: dict[str, Any]
) -> None:
    async with client_with(services, tenant.token, introspection=True) as gql:
        _, body = await gql.post(document, variables)

    assert "Did you mean" in messages(body), body
