"""Request rate limits: per token or browser session, and per client address; fixed windows of a minute.

Two of Litestar's `RateLimitConfig`s, one per limit, served by `FixedWindowRateLimit`:
- identity: `Authorization: Bearer <token>` counts as `token:<sha256>`, else the session cookie as
  `session:<sha256>`; requests with neither, and page loads (GraphiQL), count against the address only;
- address: every request and websocket handshake of one client address, whoever it signs in as.

The identity need not be valid to be counted (authentication comes after): an invented token gets a
budget of its own, which is why the address limit exists. Websocket clients send their token in
`connection_init`, after the handshake: a handshake counts against its session cookie, if any, and its
address. Behind a reverse proxy the address is the proxy's unless uvicorn trusts its X-Forwarded-For:
it does for proxies on 127.0.0.1, others must be listed in `FORWARDED_ALLOW_IPS`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.rate_limit import DURATION_VALUES, RateLimitConfig, RateLimitMiddleware
from litestar.stores.base import Store
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from redis.exceptions import RedisError

from backend.counters import Count, CountingStore, counting_store
from backend.gql.context import SESSION_COOKIE
from backend.settings import Settings

log = logging.getLogger(__name__)

STORE = "rate_limit"
"""Name of the counters' store in the app's store registry."""
UNLIMITED = ["^/healthz$", "^/readyz$"]
"""Paths no limit applies to: probes come often, from the same few addresses."""
RATE_LIMITED = "RATE_LIMITED"


def _digest(secret: str) -> str:
    # keys never hold a token or a session id: the store may be a Redis others can read
    return hashlib.sha256(secret.encode()).hexdigest()


def identity(request: Request[Any, Any, Any]) -> str | None:
    """The key of the token or browser session a request comes with, or None."""
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return f"token:{_digest(token.strip())}"
    session = request.cookies.get(SESSION_COOKIE)
    return f"session:{_digest(session)}" if session else None


def _page_load(request: Request[Any, Any, Any]) -> bool:
    # a browser opening GraphiQL; with a `query` parameter the same GET runs an operation instead
    return (
        request.scope["type"] == ScopeType.HTTP
        and request.method == "GET"
        and "text/html" in request.headers.get("accept", "")
        and "query" not in request.query_params
    )


async def _identity_counts(request: Request[Any, Any, Any]) -> bool:
    # async on purpose: Litestar runs a sync check in a worker thread, a round trip per request
    return identity(request) is not None and not _page_load(request)


def _identity_key(request: Request[Any, Any, Any]) -> str:
    return identity(request) or "none"  # only called when _identity_counts said yes


def address(request: Request[Any, Any, Any]) -> str:
    """The key of a request's client address."""
    return f"address:{request.client.host if request.client else 'unknown'}"


class FixedWindowRateLimit(RateLimitMiddleware):
    """Litestar's rate-limit middleware, counting atomically, websockets included, refusing usefully.

    Litestar's own keeps every hit's timestamp in one stored list that it reads and rewrites under a
    process-wide lock (hits in flight in another process sharing Redis are lost), counts HTTP only,
    and refuses with a bare 429. Here each hit is one atomic increment (`CountingStore`), websocket
    handshakes count, and a refusal carries `Retry-After` and a GraphQL-shaped body that clients
    already know how to read. The RateLimit-* headers of the innermost limit that counted are sent.
    """

    def __init__(self, app: ASGIApp, config: RateLimitConfig) -> None:
        super().__init__(app, config)
        self.scopes = {ScopeType.HTTP, ScopeType.WEBSOCKET}
        self.window = DURATION_VALUES[self.unit]
        self.counting_failed = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count the request or handshake, and refuse it past the limit."""
        app = scope["litestar_app"]
        request: Request[Any, Any, Any] = app.request_class(scope)
        if not await self.should_check_request(request=request):
            await self.app(scope, receive, send)
            return
        store = self.config.get_store_from_app(app)
        if not isinstance(store, CountingStore):
            raise TypeError(f"the {self.config.store!r} store must be a CountingStore (rate_limit_stores)")
        try:
            count = await store.increment(self.get_identifier_for_request(request), self.window)
        except (RedisError, OSError) as exc:
            # open, not closed: without Redis the API still answers from PostgreSQL, and refusing
            # everything would turn a Redis outage into a full one. Logged once per outage.
            if not self.counting_failed:
                log.warning("rate limit not applied: its store failed (%s); letting requests through", exc)
            self.counting_failed = True
            await self.app(scope, receive, send)
            return
        if self.counting_failed:
            log.warning("rate limit applied again: its store answers")
            self.counting_failed = False
        if count.value > self.max_requests:
            await self._refuse(scope, receive, send, count)
            return
        await self.app(scope, receive, self._with_headers(send, count))

    def _headers(self, count: Count) -> dict[str, str]:
        return {
            self.config.rate_limit_policy_header_key: f"{self.max_requests}; w={self.window}",
            self.config.rate_limit_limit_header_key: str(self.max_requests),
            self.config.rate_limit_remaining_header_key: str(max(0, self.max_requests - count.value)),
            self.config.rate_limit_reset_header_key: str(math.ceil(count.resets_in)),
        }

    def _with_headers(self, send: Send, count: Count) -> Send:
        if not self.config.set_rate_limit_headers:
            return send

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                if self.config.rate_limit_limit_header_key not in headers:  # an inner limit's come first
                    for key, value in self._headers(count).items():
                        headers[key] = value
            await send(message)

        return send_with_headers

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, count: Count) -> None:
        retry_after = max(1, math.ceil(count.resets_in))
        body = json.dumps(
            {
                "errors": [
                    {
                        "message": f"Too many requests: the limit is {self.max_requests} per "
                        f"{self.unit}; retry in {retry_after} s.",
                        "extensions": {"code": RATE_LIMITED, "retryAfter": retry_after},
                    }
                ]
            }
        ).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"retry-after", str(retry_after).encode()),
            *((k.lower().encode(), v.encode()) for k, v in self._headers(count).items()),
        ]
        if scope["type"] == ScopeType.HTTP:
            await send({"type": "http.response.start", "status": 429, "headers": headers})
            await send({"type": "http.response.body", "body": body, "more_body": False})
            return
        await receive()  # the handshake's websocket.connect
        if "websocket.http.response" in (scope.get("extensions") or {}):
            # answered as HTTP, so clients see 429 and Retry-After (uvicorn supports it)
            await send({"type": "websocket.http.response.start", "status": 429, "headers": headers})
            await send({"type": "websocket.http.response.body", "body": body, "more_body": False})
        else:
            await send({"type": "websocket.close", "code": 4429, "reason": "rate limited"})


def rate_limit_stores(settings: Settings) -> dict[str, Store]:
    """The stores the limits count in (for `Litestar(stores=...)`): Redis when configured, so that
    every process of a deployment shares the counts; none when both limits are off."""
    if settings.rate_limit_per_minute <= 0 and settings.rate_limit_per_address_per_minute <= 0:
        return {}
    return {STORE: counting_store(settings.redis_url, namespace="flowloom_rate_limit")}


def rate_limit_middlewares(settings: Settings) -> list[DefineMiddleware]:
    """The limits as middleware (for `Litestar(middleware=...)`), address first; a limit of 0 is off."""
    limits: list[
        tuple[
            int,
            Callable[[Request[Any, Any, Any]], str],
            Callable[[Request[Any, Any, Any]], Awaitable[bool]] | None,
        ]
    ] = [
        (settings.rate_limit_per_address_per_minute, address, None),
        (settings.rate_limit_per_minute, _identity_key, _identity_counts),
    ]
    return [
        RateLimitConfig(
            rate_limit=("minute", limit),
            exclude=UNLIMITED,
            identifier_for_request=key,
            check_throttle_handler=counts,
            middleware_class=FixedWindowRateLimit,
            store=STORE,
        ).middleware
        for limit, key, counts in limits
        if limit > 0
    ]
