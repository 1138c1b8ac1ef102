"""Which addresses the SSRF policy refuses (for the HTTP tool and model providers alike), and how
hosts are compared with the allowlist."""

from __future__ import annotations

import ipaddress

import anyio
import pytest

from engine.nodes.address_policy import (
    AddressPolicy,
    BlockedDestinationError,
    allowed_addresses,
    blocked_reason,
    is_allowlisted,
    normalize_host,
)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.1.2.3",
        "10.0.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "100.127.255.254",
        "0.0.0.0",
        "224.0.0.251",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.10",
        "::",
        "::1",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::7f00:1",
        "2002:a00:1::",
    ],
)
def test_internal_addresses_are_blocked(address: str) -> None:
    assert blocked_reason(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700::1111", "::ffff:8.8.8.8"]
)
def test_public_unicast_addresses_are_allowed(address: str) -> None:
    assert blocked_reason(ipaddress.ip_address(address)) is None


def test_hosts_are_compared_in_canonical_form() -> None:
    assert normalize_host("[::FFFF:7f00:1]") == "::ffff:7f00:1"
    assert normalize_host("API.Example.COM.") == "api.example.com"
    assert is_allowlisted("Internal.Example", ["internal.example"])
    assert not is_allowlisted("other.example", ["internal.example"])


def refusal(policy: AddressPolicy, host: str, address: str) -> str | None:
    refused = policy.refusal(host, ipaddress.ip_address(address))
    return None if refused is None else str(refused)


@pytest.mark.parametrize(
    ("address", "rule"),
    [
        ("169.254.169.254", "a link-local address"),
        ("169.254.170.2", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("::ffff:169.254.169.254", "an IPv6 form of 169.254.169.254, a link-local address"),
        ("fd00:ec2::254", "a cloud metadata service address"),
        ("100.100.100.200", "a cloud metadata service address"),
    ],
)
def test_link_local_and_metadata_addresses_are_refused_even_when_allowlisted(address: str, rule: str) -> None:
    policy = AddressPolicy(allowlist=frozenset({"internal.example", address}), allow_loopback=True)

    message = refusal(policy, "internal.example", address)

    assert message is not None
    assert rule in message
    assert "never allowed" in message
    assert refusal(policy, address, address) is not None


def test_metadata_names_are_refused_even_when_allowlisted() -> None:
    policy = AddressPolicy(allowlist=frozenset({"metadata.google.internal"}))

    with pytest.raises(BlockedDestinationError, match="a cloud metadata service, which is never allowed"):
        policy.check_name("Metadata.Google.Internal.")


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.1.1", "::1", "::ffff:127.0.0.1"])
def test_a_policy_allowing_loopback_allows_every_loopback_address(address: str) -> None:
    assert refusal(AddressPolicy(allow_loopback=True), "localhost", address) is None


@pytest.mark.parametrize("address", ["10.0.0.5", "192.168.1.20", "fd12::1", "100.64.0.1", "0.0.0.0"])
def test_allowing_loopback_allows_no_other_internal_address(address: str) -> None:
    message = refusal(AddressPolicy(allow_loopback=True), "models.internal", address)

    assert message is not None
    assert "an operator can allowlist the host" in message


def test_an_allowlisted_host_may_resolve_to_loopback_and_private_addresses() -> None:
    policy = AddressPolicy(allowlist=frozenset({"vllm.internal"}))

    assert refusal(policy, "vllm.internal", "10.0.0.5") is None
    assert refusal(policy, "vllm.internal", "127.0.0.1") is None
    assert refusal(policy, "other.internal", "10.0.0.5") is not None


def test_a_refusal_names_the_host_and_the_address_it_resolved_to() -> None:
    message = refusal(AddressPolicy(), "models.internal", "10.0.0.5")

    assert message is not None
    assert message.startswith("refused to connect to models.internal (10.0.0.5): a private address")
    assert refusal(AddressPolicy(), "10.0.0.5", "10.0.0.5") == (
        "refused to connect to 10.0.0.5: a private address; an operator can allowlist the host"
        " if it must be reachable"
    )


async def test_ip_literals_are_checked_without_a_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    async def no_lookup(*_: object, **__: object) -> list[object]:
        raise AssertionError("an IP literal was looked up")

    monkeypatch.setattr(anyio, "getaddrinfo", no_lookup)

    assert await allowed_addresses(AddressPolicy(), "[2606:4700::1111]", 443) == [
        ipaddress.ip_address("2606:4700::1111")
    ]
    with pytest.raises(BlockedDestinationError, match="link-local"):
        await allowed_addresses(AddressPolicy(), "169.254.169.254.", 80)
