"""Helpers of the trigger tests: a greeting workflow with an inputs schema, webhooks and their calls."""

from __future__ import annotations

from typing import Any

from backend.triggers.signatures import signature
from tests.backend.conftest import GraphQLClient
from tests.backend.runs_support import create_workflow

GREETING = {
    "inputs": {
        "type": "object",
        "properties": {"name": {"type": "string"}},
        "required": ["name"],
    },
    "nodes": [{"id": "greet", "type": "template", "params": {"template": "Hello {{ inputs.name }}"}}],
}
"""Greets `inputs.name`: its output is {"greet": "Hello <name>"}."""
NO_INPUTS = {"nodes": [{"id": "tick", "type": "template", "params": {"template": "tick"}}]}


async def greeting_workflow(gql: GraphQLClient) -> str:
    """A new greeting workflow's id."""
    return await create_workflow(gql, GREETING, name="Greeter")


async def create_trigger(gql: GraphQLClient, **values: Any) -> dict[str, Any]:
    """The createTrigger result (any member of its union)."""
    result: dict[str, Any] = (await gql.run("CreateTrigger", input=values))["createTrigger"]
    return result


async def create_webhook(gql: GraphQLClient, workflow_id: str, **values: Any) -> tuple[dict[str, Any], str]:
    """A new webhook of the workflow and its secret."""
    created = await create_trigger(gql, workflowId=workflow_id, kind="WEBHOOK", **values)
    assert created["__typename"] == "TriggerWithSecret", created
    secret = created["secret"]
    assert isinstance(secret, str)
    return created["trigger"], secret


def signed(secret: str, body: bytes, **headers: str) -> dict[str, str]:
    """Headers of a delivery of `body` signed with `secret`."""
    return {"Content-Type": "application/json", "X-Flowloom-Signature": signature(secret, body), **headers}


async def runs_of(gql: GraphQLClient, workflow_id: str) -> list[dict[str, Any]]:
    """The workflow's runs, newest first."""
    found = await gql.run("Runs", workflowId=workflow_id, first=50)
    return [edge["node"] for edge in found["runs"]["edges"]]
