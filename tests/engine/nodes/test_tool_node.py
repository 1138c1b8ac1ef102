"""The `tool` node against a real HTTP server on 127.0.0.1 (allowlisted, as an operator would)."""

from __future__ import annotations

from typing import Any

import pytest

from engine.dsl import ToolNode
from engine.models import StaticModelFactory
from engine.nodes import tool
from engine.nodes.base import HttpSettings, NodeError
from tests.engine.nodes.context import Context, make_context
from tests.json_values import at, text
from tests.servers.counting import CountingServer

LOCAL = HttpSettings(allowlist=frozenset({"127.0.0.1"}))


def node(**params: Any) -> ToolNode:
    return ToolNode.model_validate({"id": "call", "type": "tool", "params": params})


def context(**fields: Any) -> Context:
    return make_context(models=StaticModelFactory({}), http=fields.pop("http", LOCAL), **fields)


async def test_a_json_response_is_parsed_into_the_output(counting: CountingServer) -> None:
    result = await tool.execute(node(url=f"{counting.url}/items?id=7"), context())

    assert at(result.output, "status") == 200
    assert at(result.output, "body", "query") == {"id": "7"}
    assert at(result.output, "headers", "content-type") == "application/json"
    assert counting.count("/items") == 1


async def test_a_text_response_is_returned_as_text(counting: CountingServer) -> None:
    result = await tool.execute(node(url=f"{counting.url}/page?type=text"), context())

    assert at(result.output, "body") == "GET /page"


async def test_url_headers_and_json_body_are_rendered_from_the_input(counting: CountingServer) -> None:
    spec = node(
        url=counting.url + "/users/{{ input.user }}",
        method="POST",
        headers={"X-Token": "{{ inputs.token }}"},
        body={"name": "{{ input.name }}", "tags": "{{ input.tags }}"},
    )
    ctx = context(input={"user": 42, "name": "Ada", "tags": ["a", "b"]}, inputs={"token": "t-1"})

    echo = at((await tool.execute(spec, ctx)).output, "body")

    assert at(echo, "path") == "/users/42"
    assert at(echo, "headers", "x-token") == "t-1"
    assert at(echo, "headers", "content-type") == "application/json"
    assert at(echo, "body") == {"name": "Ada", "tags": ["a", "b"]}


async def test_a_string_body_is_sent_as_it_renders(counting: CountingServer) -> None:
    spec = node(url=f"{counting.url}/raw", method="PUT", body="hello {{ input }}")

    echo = at((await tool.execute(spec, context(input="world"))).output, "body")

    assert at(echo, "body") == "hello world"
    assert text(at(echo, "headers", "content-type")).startswith("text/plain")


async def test_a_slow_server_fails_the_node_with_a_retryable_timeout(counting: CountingServer) -> None:
    spec = node(url=f"{counting.url}/slow?delay=2", timeout_seconds=0.3)

    with pytest.raises(NodeError, match=r"timed out after 0\.3 s") as failure:
        await tool.execute(spec, context())
    assert failure.value.retryable


@pytest.mark.parametrize("status", [500, 503, 429])
async def test_server_errors_and_rate_limits_are_retryable(counting: CountingServer, status: int) -> None:
    with pytest.raises(NodeError, match=f"answered {status}") as failure:
        await tool.execute(node(url=f"{counting.url}/down?status={status}"), context())
    assert failure.value.retryable


@pytest.mark.parametrize("status", [400, 404, 422])
async def test_client_errors_are_final(counting: CountingServer, status: int) -> None:
    with pytest.raises(NodeError, match=f"answered {status}") as failure:
        await tool.execute(node(url=f"{counting.url}/missing?status={status}"), context())
    assert not failure.value.retryable


async def test_a_failure_message_quotes_the_start_of_the_response_body(counting: CountingServer) -> None:
    with pytest.raises(NodeError, match='"path": "/broken"'):
        await tool.execute(node(url=f"{counting.url}/broken?status=500"), context())


async def test_redirects_are_followed(counting: CountingServer) -> None:
    target = f"{counting.url}/landing"

    result = await tool.execute(node(url=f"{counting.url}/redirect?to={target}"), context())

    assert at(result.output, "body", "path") == "/landing"
    assert counting.counts() == {"/redirect": 1, "/landing": 1}


async def test_too_many_redirects_fail_the_node(counting: CountingServer) -> None:
    loop = f"{counting.url}/loop"
    limited = HttpSettings(allowlist=LOCAL.allowlist, max_redirects=2)

    with pytest.raises(NodeError, match="redirected more than 2 times") as failure:
        await tool.execute(node(url=loop), context(http=limited))
    assert not failure.value.retryable
    assert counting.count("/loop") == 3


async def test_a_response_over_the_size_limit_fails_the_node(counting: CountingServer) -> None:
    small = HttpSettings(allowlist=LOCAL.allowlist, max_response_bytes=1000)

    with pytest.raises(NodeError, match="larger than 1000 bytes") as failure:
        await tool.execute(node(url=f"{counting.url}/big?size=5000"), context(http=small))
    assert not failure.value.retryable


async def test_a_url_that_is_not_http_is_refused() -> None:
    spec = node(url="{{ input }}")

    with pytest.raises(NodeError, match="not an http") as failure:
        await tool.execute(spec, context(input="file:///etc/passwd"))
    assert not failure.value.retryable


async def test_a_closed_port_fails_the_node_with_a_retryable_error(counting: CountingServer) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(NodeError, match="failed") as failure:
        await tool.execute(node(url=f"http://127.0.0.1:{port}/"), context())
    assert failure.value.retryable
