"""An httpx2 transport that applies the address policy to the address it actually connects to.

Checking a URL's host before sending is not enough: a name can resolve to a public address when
checked and to a private one when connected (DNS rebinding). So the check sits in the network
backend httpcore2 calls to open each connection: it resolves the host once, refuses the connection
when any resolved address is refused, and connects to the very addresses it checked. TLS still
verifies the certificate against the host name, which httpcore2 passes to `start_tls` separately.

It is written for httpx2 because the model providers' SDKs (openai, anthropic, through pydantic-ai)
accept only httpx2 clients; the HTTP tool uses httpx2 too, so both go through this one transport.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable, Iterator

import anyio
import httpcore2
import httpx2

from engine.nodes.address_policy import AddressPolicy, BlockedDestinationError, allowed_addresses

# httpx2 maps httpcore2's errors in its own (private) transport; this one maps them the same way,
# most specific first, so callers only ever see httpx2's exceptions.
_ERRORS: tuple[tuple[type[Exception], type[httpx2.TransportError]], ...] = (
    (httpcore2.ConnectTimeout, httpx2.ConnectTimeout),
    (httpcore2.ReadTimeout, httpx2.ReadTimeout),
    (httpcore2.WriteTimeout, httpx2.WriteTimeout),
    (httpcore2.PoolTimeout, httpx2.PoolTimeout),
    (httpcore2.TimeoutException, httpx2.TimeoutException),
    (httpcore2.ConnectError, httpx2.ConnectError),
    (httpcore2.ReadError, httpx2.ReadError),
    (httpcore2.WriteError, httpx2.WriteError),
    (httpcore2.NetworkError, httpx2.NetworkError),
    (httpcore2.UnsupportedProtocol, httpx2.UnsupportedProtocol),
    (httpcore2.RemoteProtocolError, httpx2.RemoteProtocolError),
    (httpcore2.LocalProtocolError, httpx2.LocalProtocolError),
    (httpcore2.ProtocolError, httpx2.ProtocolError),
)


POOL_LIMITS = httpx2.Limits(max_connections=100, max_keepalive_connections=20)
"""The connection pool's limits unless told otherwise: those of httpx2's own transport."""


@contextlib.contextmanager
def _httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as error:
        target = next((target for source, target in _ERRORS if isinstance(error, source)), None)
        if target is None:
            raise
        raise target(str(error)) from error


class GuardedBackend(httpcore2.AsyncNetworkBackend):
    """Opens TCP connections only to addresses the address policy allows."""

    def __init__(self, policy: AddressPolicy) -> None:
        self._policy = policy
        self._inner = httpcore2.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore2's backend interface
        local_address: str | None = None,
        socket_options: Iterable[httpcore2.SOCKET_OPTION] | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        """Resolve `host`, refuse it if any address is refused, else connect to a checked address."""
        try:
            with anyio.fail_after(timeout):
                addresses = await allowed_addresses(self._policy, host, port)
        except TimeoutError as error:
            raise httpcore2.ConnectTimeout(f"looking up {host} timed out") from error
        except OSError as error:
            raise httpcore2.ConnectError(f"cannot resolve {host}: {error}") from error
        last_error: Exception = httpcore2.ConnectError(f"{host} has no address")
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore2.ConnectError, httpcore2.ConnectTimeout) as error:
                last_error = error
        raise last_error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore2's backend interface
        socket_options: Iterable[httpcore2.SOCKET_OPTION] | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        """Refused: outgoing requests never reach local sockets."""
        raise BlockedDestinationError(path, "a local socket", allowlistable=False)

    async def sleep(self, seconds: float) -> None:
        """Sleep between connection retries."""
        await anyio.sleep(seconds)


class _ResponseStream(httpx2.AsyncByteStream):
    def __init__(self, stream: AsyncIterator[bytes], response: httpcore2.Response) -> None:
        self._stream = stream
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _httpx_errors():
            async for part in self._stream:
                yield part

    async def aclose(self) -> None:
        await self._response.aclose()


class GuardedTransport(httpx2.AsyncBaseTransport):
    """An httpx2 transport over httpcore2 whose connections go through `GuardedBackend`.

    httpx2 offers no way to hand its own transport a network backend, so this is the small adapter
    its `AsyncHTTPTransport` would be; it ignores proxies and environment settings on purpose (a
    proxy would connect on our behalf, to addresses the policy never sees).
    """

    def __init__(self, policy: AddressPolicy, *, limits: httpx2.Limits = POOL_LIMITS) -> None:
        """Connect only where `policy` allows, pooling connections within `limits`."""
        self._pool = httpcore2.AsyncConnectionPool(
            ssl_context=httpx2.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(policy),
        )

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """Send one request through the guarded connection pool."""
        if not isinstance(request.stream, httpx2.AsyncByteStream):
            raise TypeError("the guarded transport only sends async request bodies")
        core_request = httpcore2.Request(
            method=request.method,
            url=httpcore2.URL(
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
        return httpx2.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(stream, response),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        """Close every pooled connection."""
        await self._pool.aclose()
