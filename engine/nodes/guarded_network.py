"""An httpx transport that applies the SSRF policy to the address it actually connects to.

Checking a URL's host before sending is not enough: a name can resolve to a public address when
checked and to a private one when connected (DNS rebinding). So the check sits in the network
backend httpcore calls to open each connection: it resolves the host once, refuses the connection
when any resolved address is blocked, and connects to the very addresses it checked. TLS still
verifies the certificate against the host name, which httpcore passes to `start_tls` separately.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import AsyncIterator, Iterable, Iterator

import anyio
import httpcore
import httpx

from engine.nodes.address_policy import (
    BlockedDestinationError,
    IpAddress,
    blocked_reason,
    check_host_name,
    is_allowlisted,
    normalize_host,
)

# httpx maps httpcore's errors in its own (private) transport; this one maps them the same way,
# most specific first, so callers only ever see httpx's exceptions.
_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextlib.contextmanager
def _httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as error:
        target = next((target for source, target in _ERRORS if isinstance(error, source)), None)
        if target is None:
            raise
        raise target(str(error)) from error


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections only to addresses the SSRF policy allows."""

    def __init__(self, allowlist: frozenset[str]) -> None:
        self._allowlist = allowlist
        self._inner = httpcore.AnyIOBackend()

    async def _resolve(self, host: str, port: int, limit: float | None) -> list[IpAddress]:
        try:
            with anyio.fail_after(limit):
                found = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except TimeoutError as error:
            raise httpcore.ConnectTimeout(f"looking up {host} timed out") from error
        except OSError as error:
            raise httpcore.ConnectError(f"cannot resolve {host}: {error}") from error
        # The scope of a link-local IPv6 address ("fe80::1%eth0") does not matter to the policy.
        addresses = [ipaddress.ip_address(str(entry[4][0]).partition("%")[0]) for entry in found]
        return list(dict.fromkeys(addresses))

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's backend interface
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Resolve `host`, refuse it if any address is blocked, else connect to a checked address."""
        if is_allowlisted(host, self._allowlist):
            return await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        check_host_name(host, self._allowlist)
        addresses = await self._resolve(host, port, timeout)
        # Every address is checked, not just the one used: a name mixing public and private
        # addresses is how rebinding attacks are usually staged.
        for address in addresses:
            if (reason := blocked_reason(address)) is not None:
                shown = host if normalize_host(host) == str(address) else f"{host} ({address})"
                raise BlockedDestinationError(shown, reason)
        last_error: Exception = httpcore.ConnectError(f"{host} has no address")
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                last_error = error
        raise last_error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's backend interface
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Refused: workflows never reach local sockets."""
        raise BlockedDestinationError(path, "a local socket")

    async def sleep(self, seconds: float) -> None:
        """Sleep between connection retries."""
        await anyio.sleep(seconds)


class _ResponseStream(httpx.AsyncByteStream):
    def __init__(self, stream: AsyncIterator[bytes], response: httpcore.Response) -> None:
        self._stream = stream
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _httpx_errors():
            async for part in self._stream:
                yield part

    async def aclose(self) -> None:
        await self._response.aclose()


class GuardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport over httpcore whose connections go through `GuardedBackend`.

    httpx 0.28 offers no way to hand its own transport a network backend, so this is the small
    adapter its `AsyncHTTPTransport` would be; it ignores proxies and environment settings on purpose.
    """

    def __init__(self, allowlist: frozenset[str]) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            network_backend=GuardedBackend(allowlist),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send one request through the guarded connection pool."""
        if not isinstance(request.stream, httpx.AsyncByteStream):
            raise TypeError("the guarded transport only sends async request bodies")
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _httpx_errors():
            response = await self._pool.handle_async_request(core_request)
        stream = response.aiter_stream()
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(stream, response),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        """Close every pooled connection."""
        await self._pool.aclose()
