"""What the server logs about GraphQL errors: client mistakes quietly, bugs loudly, secrets never."""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any
from uuid import uuid4

import httpx
import pytest
import strawberry
from graphql import GraphQLInputObjectType

from backend.accounts.records import Caller
from backend.accounts.roles import Permission
from backend.gql.permissions import requires
from backend.gql.schema import build_schema
from backend.gql.secrets import SECRET, is_secret
from backend.settings import Settings
from tests.backend.conftest import GraphQLClient
from tests.operations import operation
from tests.processes import Server, flowloom_env, run_cli

KEY = "sk-test-5ecret-0123456789"

LITERAL_INPUT = f'{{provider: "openai", apiKey: "{KEY}"}}'
EXTRA_FIELD_INPUT = f'{{provider: "openai", apiKey: "{KEY}", color: "red"}}'


def set_key_literally(input_literal: str, selection: str) -> str:
    return f"mutation SetKey {{ setCredential(input: {input_literal}) {selection} }}"


def set_key(selection: str) -> str:
    return f"mutation SetKey($input: SetCredentialInput!) {{ setCredential(input: $input) {selection} }}"


# Client mistakes with the key in them: (document, variables)
MISTAKES: dict[str, tuple[str, dict[str, Any]]] = {
    "unknown selected field": (set_key_literally(LITERAL_INPUT, "{ __typename nope }"), {}),
    "unknown input field": (set_key_literally(EXTRA_FIELD_INPUT, "{ __typename }"), {}),
    "unknown selected field, key in variables": (
        set_key("{ __typename nope }"),
        {"input": {"provider": "openai", "apiKey": KEY}},
    ),
    "unknown input field in variables": (
        set_key("{ __typename }"),
        {"input": {"provider": "openai", "apiKey": KEY, "color": "red"}},
    ),
    "wrong type in variables": (set_key("{ __typename }"), {"input": {"provider": 7, "apiKey": KEY}}),
    "syntax error": (set_key_literally(LITERAL_INPUT, "{ __typename "), {}),
}


def logged_text(caplog: pytest.LogCaptureFixture) -> str:
    """Everything logged, formatted as a handler would (tracebacks included)."""
    return caplog.text + "".join(record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("mistake", MISTAKES)
async def test_a_client_mistake_with_a_key_logs_one_info_line_without_the_key(
    gql: GraphQLClient, caplog: pytest.LogCaptureFixture, mistake: str
) -> None:
    caplog.set_level(logging.DEBUG)
    document, variables = MISTAKES[mistake]

    status, body = await gql.post(document, variables)

    assert status == 200
    assert body["errors"]
    assert KEY not in logged_text(caplog)
    ours = [record for record in caplog.records if record.name.startswith(("backend", "strawberry"))]
    assert [(record.levelname, record.name) for record in ours] == [("INFO", "backend.gql.error_log")]
    assert "refused" in ours[0].getMessage()


def test_the_api_key_of_a_credential_is_marked_secret(settings: Settings) -> None:
    schema = build_schema(settings)

    credential_input = schema._schema.type_map["SetCredentialInput"]
    assert isinstance(credential_input, GraphQLInputObjectType)
    assert is_secret(credential_input.fields["apiKey"])


@strawberry.input
class KeyInput:
    name: str
    key: str = strawberry.field(metadata=SECRET)


@strawberry.type
class KeyQuery:
    @strawberry.field(description="Always true.", extensions=requires(Permission.SIGNED_IN))
    def ready(self) -> bool:
        return True


@strawberry.type
class KeyMutation:
    @strawberry.mutation(description="Fails holding a secret.", extensions=requires(Permission.SIGNED_IN))
    def store_key(self, input: KeyInput) -> bool:
        raise RuntimeError(f"the provider refused {input.key!r} for {input.name}")

    @strawberry.mutation(description="Fails holding a secret.", extensions=requires(Permission.SIGNED_IN))
    def check_token(self, token: Annotated[str, strawberry.argument(metadata=SECRET)]) -> bool:
        raise ValueError(f"token {token} is malformed")


SIGNED_IN = SimpleNamespace(caller=Caller(user_id=uuid4()), principal=None)
"""What the permission check reads of a context: someone signed in."""


@pytest.fixture(scope="module")
def key_schema() -> strawberry.Schema:
    """Flowloom's schema machinery over root types whose resolvers fail (a bug) holding a secret."""
    settings = Settings(home=Path("unused"))
    return build_schema(settings, query=KeyQuery, mutation=KeyMutation, subscription=None)


BUGS: dict[str, tuple[str, dict[str, Any]]] = {
    "secret field in variables": (
        "mutation Store($input: KeyInput!) { storeKey(input: $input) }",
        {"input": {"name": "openai", "key": KEY}},
    ),
    "secret field as a literal": (
        f'mutation Store {{ storeKey(input: {{name: "openai", key: "{KEY}"}}) }}',
        {},
    ),
    "secret field through a variable": (
        'mutation Store($key: String!) { storeKey(input: {name: "openai", key: $key}) }',
        {"key": KEY},
    ),
    "secret argument": ("mutation Store($token: String!) { checkToken(token: $token) }", {"token": KEY}),
}


@pytest.mark.parametrize("bug", BUGS)
async def test_a_bug_handling_a_secret_is_logged_once_at_error_with_the_secret_redacted(
    key_schema: strawberry.Schema, caplog: pytest.LogCaptureFixture, bug: str
) -> None:
    caplog.set_level(logging.DEBUG)
    document, variables = BUGS[bug]

    result = await key_schema.execute(document, variable_values=variables, context_value=SIGNED_IN)

    assert result.errors is not None
    assert [error.formatted["message"] for error in result.errors] == ["Internal error; it has been logged."]
    assert result.errors[0].formatted["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1
    message = errors[0].getMessage()
    assert message.startswith("GraphQL operation Store failed in ")
    assert "Error: " in message  # the traceback, with the exception's redacted message
    assert "[secret]" in message
    assert KEY not in logged_text(caplog)


async def test_a_bug_without_secrets_is_logged_with_its_traceback_attached(
    key_schema: strawberry.Schema, caplog: pytest.LogCaptureFixture
) -> None:
    result = await key_schema.execute(
        'mutation Plain { storeKey(input: {name: "n", key: "" }) }', context_value=SIGNED_IN
    )

    assert result.errors is not None
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].getMessage() == "GraphQL operation Plain failed in storeKey"
    assert errors[0].exc_info is not None
    assert isinstance(errors[0].exc_info[1], RuntimeError)


def test_a_served_process_never_prints_a_key_sent_in_a_mistake(tmp_path: Path) -> None:
    env = flowloom_env(FLOWLOOM_HOME=str(tmp_path))
    server = Server(env).wait_ready()
    try:
        token = run_cli("token", "create", env=env).stdout.strip()
        for document, variables in MISTAKES.values():
            body = server.graphql(token, document, variables)
            assert body["errors"], body
        credential = {"input": {"provider": "openai", "apiKey": KEY}}
        stored = server.graphql(token, operation("SetCredential"), credential)
        assert stored["data"]["setCredential"]["__typename"] == "Credential"
        deep = "[" * 5000 + "]" * 5000
        query = "mutation ($d: JSON!) { validateWorkflow(definition: $d) { valid } }"
        too_deep = httpx.post(
            f"{server.url}/graphql",
            content=f'{{"query": "{query}", "variables": {{"d": {deep}}}}}',
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        assert too_deep.status_code == 400
    finally:
        assert server.stop() == 0
    output = server.output()
    assert KEY not in output
    assert "Traceback" not in output
    assert output.count("refused") == len(MISTAKES)
