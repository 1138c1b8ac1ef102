"""The SSRF policy of workflow HTTP requests: private, loopback, link-local and metadata
destinations are refused (unless allowlisted), on the resolved address and on every redirect hop."""

from __future__ import annotations

import socket
from typing import Any

import anyio
import pytest

from engine.dsl import ToolNode
from engine.models import StaticModelFactory
from engine.nodes import tool
from engine.nodes.base import HttpSettings, NodeError
from tests.engine.nodes.context import Context, make_context
from tests.servers.counting import CountingServer

LOCAL = HttpSettings(allowlist=frozenset({"127.0.0.1"}))
DEFAULT = HttpSettings()


def node(url: str) -> ToolNode:
    return ToolNode.model_validate(
        {"id": "call", "type": "tool", "params": {"url": url, "timeoutSeconds": 5}}
    )


def context(http: HttpSettings = DEFAULT) -> Context:
    return make_context(models=StaticModelFactory({}), http=http)


async def refusal(url: str, http: HttpSettings = DEFAULT) -> NodeError:
    with pytest.raises(NodeError) as failure:
        await tool.execute(node(url), context(http))
    assert not failure.value.retryable
    return failure.value


async def test_loopback_is_refused_without_an_allowlist(counting: CountingServer) -> None:
    error = await refusal(f"{counting.url}/secret")

    assert "refused to connect to 127.0.0.1: a loopback address" in str(error)
    assert counting.count("/secret") == 0


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.1.2.3/", "a private address"),
        ("http://192.168.0.1/", "a private address"),
        ("http://172.16.5.4/", "a private address"),
        ("http://169.254.169.254/latest/meta-data/", "a link-local address"),
        ("http://100.64.0.1/", "carrier-grade NAT"),
        ("http://0.0.0.0/", "an unspecified address"),
        ("http://224.0.0.1/", "a multicast address"),
        ("http://[::1]/", "a loopback address"),
        ("http://[fe80::1]/", "a link-local address"),
        ("http://[fd00::1]/", "a private address"),
        ("http://[::ffff:127.0.0.1]/", "an IPv6 form of 127.0.0.1, a loopback address"),
        ("http://[::ffff:169.254.169.254]/", "an IPv6 form of 169.254.169.254, a link-local address"),
        ("http://metadata.google.internal/computeMetadata/v1/", "a cloud metadata service"),
    ],
)
async def test_internal_destinations_are_refused(url: str, reason: str) -> None:
    error = await refusal(url)

    assert reason in str(error)


async def test_a_name_resolving_to_loopback_is_refused(counting: CountingServer) -> None:
    port = counting.url.rpartition(":")[2]

    error = await refusal(f"http://localhost:{port}/secret")

    assert "localhost (127.0.0.1): a loopback address" in str(error)
    assert counting.count("/secret") == 0


async def test_the_allowlist_is_by_host_not_by_address(counting: CountingServer) -> None:
    port = counting.url.rpartition(":")[2]

    await refusal(f"http://localhost:{port}/secret", LOCAL)
    await refusal(f"http://[::ffff:127.0.0.1]:{port}/secret", LOCAL)

    assert counting.count("/secret") == 0


async def test_a_redirect_to_an_internal_address_is_refused(counting: CountingServer) -> None:
    port = counting.url.rpartition(":")[2]
    hop = f"{counting.url}/redirect?to=http://localhost:{port}/secret"

    error = await refusal(hop, LOCAL)

    assert "localhost (127.0.0.1)" in str(error)
    assert counting.counts() == {"/redirect": 1}


async def test_a_redirect_to_the_metadata_address_is_refused(counting: CountingServer) -> None:
    error = await refusal(f"{counting.url}/redirect?to=http://169.254.169.254/latest/", LOCAL)

    assert "169.254.169.254" in str(error)


async def test_a_redirect_to_another_scheme_is_refused(counting: CountingServer) -> None:
    error = await refusal(f"{counting.url}/redirect?to=file:///etc/passwd", LOCAL)

    assert "not an http" in str(error)


async def test_a_name_with_any_internal_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # A public and a private address behind one name is how DNS rebinding is usually staged; the
    # resolver is replaced (not our code) so no real lookup leaves the machine.
    async def resolve(host: str, port: int, **_: Any) -> list[Any]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port)),
        ]

    monkeypatch.setattr(anyio, "getaddrinfo", resolve)

    error = await refusal("http://rebind.example/")

    assert "rebind.example (10.0.0.5): a private address" in str(error)


@pytest.mark.parametrize(
    "url",
    ["http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/", "http://metadata.google.internal/"],
)
async def test_no_allowlist_makes_a_metadata_or_link_local_destination_reachable(url: str) -> None:
    host = url.split("/")[2].strip("[]")
    allowlisting = HttpSettings(allowlist=frozenset({host}))

    error = await refusal(url, allowlisting)

    assert "which is never allowed" in str(error)
