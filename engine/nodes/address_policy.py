"""Which network destinations outgoing requests may reach (the SSRF policy).

A workflow author controls HTTP tool URLs, and whoever sets a credential controls a model
provider's base URL; without a policy either could make the server read the cloud metadata service
or internal admin endpoints from inside the deployment. One policy decides for both:

- link-local addresses and cloud metadata services are always refused, allowlisted or not;
- loopback addresses are allowed when the host is allowlisted, or when the policy allows loopback
  (model servers in the embedded single-user mode, where a local Ollama or vLLM is the usual case);
- every other address that is not globally routable (private, shared, reserved...) is allowed only
  when the host is allowlisted.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass

import anyio

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

METADATA_ADDRESSES = frozenset(
    {
        ipaddress.ip_address("fd00:ec2::254"),  # AWS's instance metadata service over IPv6
        ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud's metadata service
    }
)
"""Cloud metadata services outside the link-local ranges (which are refused as a whole)."""

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

    def __init__(self, host: str, reason: str, *, allowlistable: bool = True) -> None:
        """Name the host and the rule that refuses it.

        Args:
            host: The host as the request named it (with the address it resolved to, if different).
            reason: The rule, e.g. "a loopback address".
            allowlistable: Whether an operator's allowlist could let the host through.
        """
        remedy = (
            "; an operator can allowlist the host if it must be reachable"
            if allowlistable
            else ", which is never allowed"
        )
        super().__init__(f"refused to connect to {host}: {reason}{remedy}")
        self.host = host
        self.reason = reason
        self.allowlistable = allowlistable


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


def _in_ipv6_form(address: IpAddress, rule: str | None) -> str | None:
    # Names the IPv4 address an IPv6 form carries, so the reason explains itself.
    if rule is None or not isinstance(address, ipaddress.IPv6Address):
        return rule
    inner = _embedded_ipv4(address)
    return rule if inner is None else f"an IPv6 form of {inner}, {rule}"


def _reached(address: IpAddress) -> IpAddress:
    if isinstance(address, ipaddress.IPv6Address) and (inner := _embedded_ipv4(address)) is not None:
        return inner
    return address


def never_allowed_reason(address: IpAddress) -> str | None:
    """Why no allowlist can make an address reachable, or None when one could.

    Args:
        address: An address a host resolved to.

    Returns:
        The rule (a link-local address, a cloud metadata service), or None.
    """
    reached = _reached(address)
    if reached in METADATA_ADDRESSES:
        return _in_ipv6_form(address, "a cloud metadata service address")
    if reached.is_link_local:
        return _in_ipv6_form(address, "a link-local address (where cloud metadata services live)")
    return None


def blocked_reason(address: IpAddress) -> str | None:
    """Why an address may not be reached without an allowlist, or None for a public unicast address.

    Args:
        address: An address a host resolved to.

    Returns:
        A short reason for the user, or None.
    """
    reached = _reached(address)
    if reached is not address:
        return _in_ipv6_form(address, blocked_reason(reached))
    if isinstance(address, ipaddress.IPv4Address) and address in _CGNAT:
        return "a carrier-grade NAT (shared) address"
    for attribute, reason in _CHECKS:
        if getattr(address, attribute):
            return reason
    if not address.is_global:
        return "not a publicly routable address"
    return None


def is_allowlisted(host: str, allowlist: Iterable[str]) -> bool:
    """Tell whether the operator allows a host to resolve to loopback or private addresses.

    Args:
        host: The URL's host.
        allowlist: Allowed hosts.

    Returns:
        True when the host is on the allowlist.
    """
    name = normalize_host(host)
    return any(name == normalize_host(allowed) for allowed in allowlist)


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Where outgoing requests may connect; the HTTP tool and model providers each hold one."""

    allowlist: frozenset[str] = frozenset()
    """Hosts (names or IP literals, compared by name) that may resolve to loopback or private
    addresses; never to link-local or metadata ones."""
    allow_loopback: bool = False
    """Allow loopback addresses of any host (the embedded mode's local model servers)."""

    def check_name(self, host: str) -> None:
        """Refuse a host by name, before it is looked up.

        Raises:
            BlockedDestinationError: The name is a cloud metadata service.
        """
        if normalize_host(host) in BLOCKED_HOST_NAMES:
            raise BlockedDestinationError(host, "a cloud metadata service", allowlistable=False)

    def refusal(self, host: str, address: IpAddress) -> BlockedDestinationError | None:
        """The refusal of connecting to `address` for a request to `host`, or None when allowed.

        Args:
            host: The host the request names (the allowlist is by name).
            address: One address `host` resolved to.
        """
        shown = host if normalize_host(host) == str(address) else f"{host} ({address})"
        if (rule := never_allowed_reason(address)) is not None:
            return BlockedDestinationError(shown, rule, allowlistable=False)
        if is_allowlisted(host, self.allowlist):
            return None
        if self.allow_loopback and _reached(address).is_loopback:
            return None
        rule = blocked_reason(address)
        return None if rule is None else BlockedDestinationError(shown, rule)

    def check_addresses(self, host: str, addresses: Iterable[IpAddress]) -> None:
        """Refuse a host unless every address it resolved to is allowed.

        Every address is checked, not just the one a connection would use: a name mixing public and
        private addresses is how DNS rebinding attacks are usually staged.

        Raises:
            BlockedDestinationError: An address is refused.
        """
        for address in addresses:
            if (refused := self.refusal(host, address)) is not None:
                raise refused


async def resolve(host: str, port: int) -> list[IpAddress]:
    """The addresses a host stands for, an IP literal without any lookup.

    Args:
        host: A host name or IP literal.
        port: The port to connect to (getaddrinfo wants it).

    Returns:
        The distinct addresses, in the resolver's order.

    Raises:
        OSError: The name does not resolve.
    """
    try:
        return [ipaddress.ip_address(normalize_host(host))]
    except ValueError:
        pass
    found = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # The scope of a link-local IPv6 address ("fe80::1%eth0") does not matter to the policy.
    addresses = [ipaddress.ip_address(str(entry[4][0]).partition("%")[0]) for entry in found]
    return list(dict.fromkeys(addresses))


async def allowed_addresses(policy: AddressPolicy, host: str, port: int) -> list[IpAddress]:
    """Resolve a host and check it against the policy: the addresses a connection may use.

    Args:
        policy: The policy in force.
        host: The URL's host.
        port: The URL's port.

    Returns:
        The checked addresses; connect to these, never to the name again (DNS rebinding).

    Raises:
        BlockedDestinationError: The host or one of its addresses is refused.
        OSError: The name does not resolve.
    """
    policy.check_name(host)
    addresses = await resolve(host, port)
    policy.check_addresses(host, addresses)
    return addresses
