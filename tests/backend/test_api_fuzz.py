"""The whole API, fuzzed: no generated operation gets a server error, and the server stays up.

Operations come from schema.graphql (tests/backend/fuzz_operations.py), one test case per root
field, against a real `flowloom serve`. `FLOWLOOM_FUZZ_EXAMPLES` raises the number of examples
per field (default 30; the run is derandomized, so CI sees the same cases every time);
`FLOWLOOM_FUZZ_RANDOM=1` draws new ones.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect
from websockets.sync.connection import Connection

from backend.gql.context import CSRF_HEADER, SESSION_COOKIE
from tests.backend.fuzz_operations import (
    Operation,
    Pools,
    RootField,
    literal,
    operation_for,
    root_fields,
    schema,
    values,
)
from tests.operations import operation
from tests.processes import Server, flowloom_env, run_cli

EXAMPLES = int(os.environ.get("FLOWLOOM_FUZZ_EXAMPLES", "30"))
RANDOM = os.environ.get("FLOWLOOM_FUZZ_RANDOM") == "1"
"""Draw new cases on each run (for fuzzing at length by hand); CI draws the same ones every time."""
ROOTS = root_fields(schema())
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    database=None,  # none replayed from an earlier run: a failure prints the case to reproduce it
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
_VARIABLE = re.compile(r"\$(v\d+)\b")
# What a server error looks like from the outside: masked exceptions, and tracebacks in the log.
INTERNAL = "Internal error"


def _encoded(body: dict[str, Any]) -> bytes:
    """The request body; ensure_ascii sends lone surrogates as \\ud800 escapes, and the recursion
    limit is raised for the encoder so that JSON nested 5,000 levels can be sent at all."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))
    try:
        return json.dumps(body).encode()
    finally:
        sys.setrecursionlimit(limit)


class Target:
    """The server under test, its owner's token and browser session, and ids of real objects on it.

    HTTP operations go with the session (cookie and CSRF header), so the fields only a person with a
    browser session may use (`createWorkspace`, `changePassword`, `acceptInvite`, …) are fuzzed too;
    websockets authenticate with the token.
    """

    def __init__(self, server: Server, token: str, session: dict[str, str], pools: Pools) -> None:
        self.server = server
        self.token = token
        self.session = session
        self.pools = pools

    def post(self, body: dict[str, Any]) -> httpx.Response:
        return httpx.post(
            f"{self.server.url}/graphql",
            content=_encoded(body),
            headers={**self.session, "Content-Type": "application/json"},
            timeout=60,
        )


def _owner_session(server: Server) -> dict[str, str]:
    """Set up the first owner with the link the server printed; the headers of their session."""
    found = re.search(r"/setup\?token=(fll_\S+)", server.output_so_far())
    assert found, server.output_so_far()
    owner = {"token": found.group(1), "email": "owner@fuzz.test", "password": "fuzzing passphrase"}
    created = httpx.post(f"{server.url}/auth/setup", json=owner, timeout=30)
    assert created.status_code == 201, created.text
    cookie = created.cookies[SESSION_COOKIE]
    return {"Cookie": f"{SESSION_COOKIE}={cookie}", CSRF_HEADER: created.json()["csrfToken"]}


def _data(target: Target, name: str, **variables: Any) -> dict[str, Any]:
    response = target.post({"query": operation(name), "variables": variables})
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def _seed_objects(target: Target) -> Pools:
    human = {"nodes": [{"id": "ask", "type": "human", "params": {"prompt": "OK?", "schema": {}}}]}
    chain = {
        "nodes": [
            {"id": "a", "type": "template", "params": {"template": "{{ input }}"}},
            {"id": "b", "type": "template", "params": {"template": "{{ input }}!"}},
        ],
        "edges": [{"from": "a", "to": "b"}],
    }
    ids = []
    for name, definition in (("human", human), ("chain", chain)):
        created = _data(target, "CreateWorkflow", input={"name": name, "definition": definition})
        workflow_id = created["createWorkflow"]["id"]
        started = _data(target, "StartRun", workflowId=workflow_id, inputs={"x": 1})
        ids += [workflow_id, started["startRun"]["id"]]
    return Pools(ids=ids)


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    home: Path = tmp_path_factory.mktemp("fuzz-home")
    env = flowloom_env(FLOWLOOM_HOME=str(home))
    server = Server(env).wait_ready()
    token = run_cli("token", "create", env=env).stdout.strip()
    target = Target(server, token, _owner_session(server), Pools(ids=()))
    target.pools = _seed_objects(target)
    yield target
    assert httpx.get(f"{server.url}/healthz", timeout=5).json() == {"status": "ok"}
    assert server.stop() == 0, server.output()
    assert "Traceback" not in server.output(), server.output()[-5000:]


def _document(operation_: Operation, drawn: dict[str, Any], inline: set[str]) -> tuple[str, dict[str, Any]]:
    """The document, with the variables in `inline` written as literals where they have one."""
    literals = {}
    for variable in operation_.variables:
        if variable.name in inline:
            text = literal(drawn[variable.name], variable.type)
            if text is not None:
                literals[variable.name] = text
    declared = [f"${v.name}: {v.type}" for v in operation_.variables if v.name not in literals]
    header = f"{operation_.root.operation} Fuzz" + (f"({', '.join(declared)})" if declared else "")
    body = _VARIABLE.sub(lambda match: literals.get(match.group(1), match.group(0)), operation_.text)
    variables = {name: value for name, value in drawn.items() if name not in literals}
    return f"{header} {{ {body} }}", variables


def _draw(data: st.DataObject, operation_: Operation, pools: Pools) -> tuple[str, dict[str, Any]]:
    drawn = {v.name: data.draw(values(v.type, pools), label=v.name) for v in operation_.variables}
    inline = data.draw(st.sets(st.sampled_from([v.name for v in operation_.variables]))) if drawn else set()
    return _document(operation_, drawn, inline)


@pytest.mark.parametrize("root", [root for root in ROOTS if root.operation != "subscription"], ids=str)
@FUZZ_SETTINGS
@given(data=st.data())
def test_no_query_or_mutation_gets_a_server_error(
    target: Target, root: RootField, data: st.DataObject
) -> None:
    document, variables = _draw(data, operation_for(root), target.pools)

    response = target.post({"query": document, "variables": variables})

    assert response.status_code < 500, response.text[:2000]
    assert INTERNAL not in response.text, response.text[:2000]


def _subscribe(
    socket: Connection, document: str, variables: dict[str, Any]
) -> tuple[list[dict[str, Any]], int | None]:
    """What the server answers a subscription with, until it errors, completes, closes the socket
    (with the close code; 0 without a close frame), or 2 s pass."""
    socket.send(
        _encoded({"id": "1", "type": "subscribe", "payload": {"query": document, "variables": variables}})
    )
    answers: list[dict[str, Any]] = []
    try:
        while True:
            message = json.loads(socket.recv(timeout=2))
            if message["type"] == "ping":
                socket.send(json.dumps({"type": "pong"}))
                continue
            answers.append(message)
            if message["type"] in {"error", "complete"}:
                return answers, None
    except TimeoutError:
        return answers, None
    except ConnectionClosed as closed:
        return answers, 0 if closed.rcvd is None else closed.rcvd.code


@pytest.mark.parametrize("root", [root for root in ROOTS if root.operation == "subscription"], ids=str)
@FUZZ_SETTINGS
@given(data=st.data())
def test_no_subscription_gets_a_server_error(target: Target, root: RootField, data: st.DataObject) -> None:
    document, variables = _draw(data, operation_for(root), target.pools)
    url = f"ws://127.0.0.1:{target.server.port}/graphql"

    with connect(url, subprotocols=["graphql-transport-ws"], max_size=None) as socket:  # type: ignore[list-item]
        socket.send(json.dumps({"type": "connection_init", "payload": {"authToken": target.token}}))
        assert json.loads(socket.recv(timeout=5))["type"] == "connection_ack"
        answers, closed = _subscribe(socket, document, variables)

    assert INTERNAL not in json.dumps(answers), answers
    # 44xx is the protocol's answer to a client mistake (a syntax error closes 4400); 1011 and 4500
    # are the server failing, and no close frame at all is a dropped connection
    assert closed is None or 4400 <= closed < 4500, f"the server closed the socket with {closed}"
