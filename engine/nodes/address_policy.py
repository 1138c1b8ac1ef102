"""Which network destinations workflow HTTP requests may reach (the SSRF policy).

A workflow author controls URLs, so without a policy a run could read the cloud metadata service or
internal admin endpoints from inside the deployment. Only globally routable unicast addresses are
allowed, unless the operator allowlists a host.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

BLOCKED_HOST_NAMES = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
    }
)
"""Cloud metadata service names, refused before any lookup (their addresses are refused too, but
off the cloud they may not resolve, and the refusal should not depend on where Flowloom runs)."""

_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")

_CHECKS: tuple[tuple[str, str], ...] = (
    ("is_unspecified", "an unspecified address"),
    ("is_loopback", "a loopback address"),
    ("is_link_local", "a link-local address (where cloud metadata services live)"),
    ("is_multicast", "a multicast address"),
    ("is_private", "a private address"),
    ("is_reserved", "a reserved address"),
)


class BlockedDestinationError(Exception):
    """A request would reach a destination the policy refuses."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(
            f"refused to connect to {host}: {reason}; an operator can allowlist the host"
            " if it must be reachable"
        )
        self.host = host
        self.reason = reason


def normalize_host(host: str) -> str:
    """The canonical spelling of a host: lower case, no brackets or trailing dot, IPs compressed.

    Args:
        host: A host name or IP literal as written in a URL.

    Returns:
        The form used to compare hosts with the allowlist and the blocked names.
    """
    bare = host.strip("[]").rstrip(".").lower()
    try:
        return str(ipaddress.ip_address(bare))
    except ValueError:
        return bare


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    # IPv6 forms that carry an IPv4 address reach that IPv4 host, so its rules apply.
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def blocked_reason(address: IpAddress) -> str | None:
    """Why an address may not be reached, or None when it is a public unicast address.

    Args:
        address: An address a host resolved to.

    Returns:
        A short reason for the user, or None.
    """
    if isinstance(address, ipaddress.IPv6Address) and (inner := _embedded_ipv4(address)) is not None:
        reason = blocked_reason(inner)
        return None if reason is None else f"an IPv6 form of {inner}, {reason}"
    if isinstance(address, ipaddress.IPv4Address) and address in _CGNAT:
        return "a carrier-grade NAT (shared) address"
    for attribute, reason in _CHECKS:
        if getattr(address, attribute):
            return reason
    if not address.is_global:
        return "not a publicly routable address"
    return None


def check_host_name(host: str, allowlist: Iterable[str]) -> None:
    """Refuse a host by name before it is looked up.

    Args:
        host: The URL's host.
        allowlist: Hosts the operator allows anyway (normalized or not).

    Raises:
        BlockedDestinationError: The name is a cloud metadata service.
    """
    if is_allowlisted(host, allowlist):
        return
    name = normalize_host(host)
    if name in BLOCKED_HOST_NAMES:
        raise BlockedDestinationError(host, "a cloud metadata service")


def is_allowlisted(host: str, allowlist: Iterable[str]) -> bool:
    """Tell whether the operator allows a host regardless of its addresses.

    Args:
        host: The URL's host.
        allowlist: Allowed hosts.

    Returns:
        True when the host is on the allowlist.
    """
    name = normalize_host(host)
    return any(name == normalize_host(allowed) for allowed in allowlist)
