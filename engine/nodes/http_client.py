"""The HTTP client of `tool` nodes and of the LLM's HTTP tools: SSRF-safe, bounded, redirect-aware."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import anyio
import httpx2
from pydantic import JsonValue

from engine.nodes.address_policy import AddressPolicy, BlockedDestinationError
from engine.nodes.base import HttpSettings, NodeError
from engine.nodes.guarded_network import GuardedTransport

EXCERPT_CHARS = 500
"""How much of an error response's body a failure message quotes."""

RETRYABLE_STATUSES = frozenset({408, 429})
"""Client errors worth retrying (a timeout or a rate limit); every 5xx is retried too."""


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """A rendered request."""

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: JsonValue = None
    """None sends no body, a string is sent as-is, any other JSON value is sent as JSON."""
    timeout_seconds: float = 30.0
    """Limit of the whole exchange: connecting, redirects and reading the body."""


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A response read in full: the body is parsed JSON when the server says it is JSON, else text."""

    status: int
    headers: dict[str, str]
    body: JsonValue

    @property
    def ok(self) -> bool:
        """True for 2xx statuses."""
        return 200 <= self.status < 300

    def as_output(self) -> JsonValue:
        """The response as a node output: `{"status", "headers", "body"}`."""
        return {"status": self.status, "headers": dict(self.headers), "body": self.body}


def raise_for_status(request: HttpRequest, response: HttpResponse) -> None:
    """Fail a node on a non-2xx response, quoting the start of the body.

    Raises:
        NodeError: The status is not 2xx; retryable for 5xx, 408 and 429.
    """
    if response.ok:
        return
    text = response.body if isinstance(response.body, str) else json.dumps(response.body)
    retryable = response.status >= 500 or response.status in RETRYABLE_STATUSES
    raise NodeError(
        f"{request.method} {request.url} answered {response.status}: {text[:EXCERPT_CHARS]}",
        retryable=retryable,
    )


def _parse_body(response: httpx2.Response, content: bytes) -> JsonValue:
    media_type = response.headers.get("content-type", "").partition(";")[0].strip().lower()
    text = content.decode(response.encoding or "utf-8", errors="replace")
    if media_type == "application/json" or media_type.endswith("+json"):
        try:
            parsed: JsonValue = json.loads(text)
        except ValueError:
            return text
        return parsed
    return text


async def _read_capped(response: httpx2.Response, limit: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise NodeError(f"the response is larger than {limit} bytes", retryable=False)
    content = bytearray()
    # Counted after decompression, so a small compressed bomb is caught too.
    async for chunk in response.aiter_bytes():
        content.extend(chunk)
        if len(content) > limit:
            raise NodeError(f"the response is larger than {limit} bytes", retryable=False)
    return bytes(content)


def _first_request(client: httpx2.AsyncClient, request: HttpRequest) -> httpx2.Request:
    headers = dict(request.headers)
    if request.body is None:
        return client.build_request(request.method, request.url, headers=headers)
    if isinstance(request.body, str):
        if not any(name.lower() == "content-type" for name in headers):
            headers["Content-Type"] = "text/plain; charset=utf-8"
        return client.build_request(request.method, request.url, headers=headers, content=request.body)
    return client.build_request(request.method, request.url, headers=headers, json=request.body)


def _check_scheme(url: httpx2.URL) -> None:
    if url.scheme not in ("http", "https"):
        raise NodeError(f"'{url}' is not an http:// or https:// URL", retryable=False)


async def _exchange(client: httpx2.AsyncClient, request: HttpRequest, settings: HttpSettings) -> HttpResponse:
    outgoing = _first_request(client, request)
    for _ in range(settings.max_redirects + 1):
        _check_scheme(outgoing.url)
        response = await client.send(outgoing, stream=True)
        try:
            if response.next_request is not None:
                outgoing = response.next_request
                continue
            content = await _read_capped(response, settings.max_response_bytes)
        finally:
            await response.aclose()
        return HttpResponse(
            response.status_code, dict(response.headers.items()), _parse_body(response, content)
        )
    raise NodeError(f"{request.url} redirected more than {settings.max_redirects} times", retryable=False)


async def send(request: HttpRequest, settings: HttpSettings) -> HttpResponse:
    """Make a request under the SSRF policy, following redirects (each hop checked again).

    Args:
        request: The rendered request.
        settings: The allowlist and limits.

    Returns:
        The response, whatever its status.

    Raises:
        NodeError: The destination is refused, the URL is invalid, the response is too large or
            redirects too often (not retryable); the exchange timed out or the connection failed
            (retryable).
    """
    transport = GuardedTransport(AddressPolicy(allowlist=settings.allowlist))
    try:
        async with httpx2.AsyncClient(
            transport=transport, trust_env=False, follow_redirects=False, timeout=request.timeout_seconds
        ) as client:
            with anyio.fail_after(request.timeout_seconds):
                return await _exchange(client, request, settings)
    except BlockedDestinationError as error:
        raise NodeError(str(error), retryable=False) from error
    except (TimeoutError, httpx2.TimeoutException) as error:
        raise NodeError(
            f"{request.method} {request.url} timed out after {request.timeout_seconds:g} s"
        ) from error
    except (httpx2.InvalidURL, httpx2.UnsupportedProtocol, httpx2.LocalProtocolError, UnicodeError) as error:
        raise NodeError(f"cannot send {request.method} {request.url}: {error}", retryable=False) from error
    except httpx2.HTTPError as error:
        raise NodeError(f"{request.method} {request.url} failed: {error}") from error
