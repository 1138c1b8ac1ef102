"""Which addresses the SSRF policy refuses, and how hosts are compared with the allowlist."""

from __future__ import annotations

import ipaddress

import pytest

from engine.nodes.address_policy import blocked_reason, is_allowlisted, normalize_host


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
