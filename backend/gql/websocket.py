"""The websocket handlers: strict about message shapes, with server keep-alive pings, and closed
when the session or token they authenticated with is revoked."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any
from uuid import UUID

from litestar.exceptions import WebSocketDisconnect
from strawberry.http.async_base_view import AsyncWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    Message,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import (
    ConnectionInitMessage as LegacyConnectionInitMessage,
)

from backend.gql.context import Context
from backend.live.revocations import (
    REVOKED_CODE,
    REVOKED_REASON,
    OpenSockets,
    RevocableSocket,
    access_key,
)
from backend.telemetry import metrics

log = logging.getLogger(__name__)

_OPTIONAL_PAYLOAD_FIELDS = {"variables": dict, "extensions": dict, "operationName": str}


def invalid_message(message: object) -> str | None:
    """Why a decoded message cannot be handled (None when it can), checked before Strawberry reads it.

    Strawberry indexes messages as the protocol's TypedDicts say they are; valid JSON of another shape
    (`[1,2]`, `null`, a subscribe whose payload is a string) raised TypeError, and the connection
    closed with 4500 instead of the protocol's 4400 "invalid message".
    """
    if not isinstance(message, dict):
        return "WebSocket message must be a JSON object"
    kind = message.get("type")
    if kind in {"subscribe", "complete"} and not isinstance(message.get("id"), str):
        return f"A {kind} message needs a string id"
    if kind == "subscribe":
        payload = message.get("payload")
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return "A subscribe message needs a payload with a string query"
        for field, expected in _OPTIONAL_PAYLOAD_FIELDS.items():
            if payload.get(field) is not None and not isinstance(payload[field], expected):
                return f"The subscribe payload's {field} must be a {expected.__name__} or null"
    return None


def _credentials(context: object) -> tuple[OpenSockets, tuple[UUID, ...], UUID | None] | None:
    """The process's open sockets, the ids a connection's credentials can be revoked by, and the
    access key of the membership it acts with (closed when that membership changes)."""
    if not isinstance(context, Context) or context.caller is None:
        return None
    ids = tuple(id_ for id_ in (context.caller.session_id, context.caller.token_id) if id_ is not None)
    principal = context.principal
    access = None if principal is None else access_key(principal.user_id, principal.workspace_id)
    return context.services.revocations.sockets, ids, access


async def _close(websocket: AsyncWebSocketAdapter) -> None:
    try:
        await websocket.close(code=REVOKED_CODE, reason=REVOKED_REASON)
    except (WebSocketDisconnect, RuntimeError, OSError) as exc:
        # the client left, or the socket was closed for another reason, at the same moment:
        # either way it is closed, and its operations are cancelled next
        log.debug("a revoked websocket was closed already: %r", exc)


class _Revocable:
    """Registers an acknowledged connection by its credentials, until it shuts down."""

    _registry: OpenSockets | None = None
    connection_acknowledged: bool

    async def _register(self, socket: RevocableSocket, context: object) -> None:
        # again after every connection_init: the legacy protocol lets a client authenticate anew
        self._unregister(socket)
        found = _credentials(context) if self.connection_acknowledged else None
        if found is None:
            return
        sockets, ids, access = found
        if sockets.add(socket, ids, access):
            self._registry = sockets
        else:  # revoked between authentication and now
            await socket.close_revoked()

    def _unregister(self, socket: RevocableSocket) -> None:
        if self._registry is not None:
            self._registry.discard(socket)
            self._registry = None


class FlowloomTransportWSHandler(_Revocable, BaseGraphQLTransportWSHandler[Any, Any]):
    """Strawberry's handler, refusing malformed messages with 4400 and pinging idle connections.

    Strawberry's handler answers pings but sends none; idle connections behind proxies and load
    balancers then get cut. This one pings every `interval` seconds once the connection is
    acknowledged (clients answer with pong, as the protocol requires).
    """

    interval = 15.0

    async def handle_message(self, message: Message) -> None:
        """Refuse a message of the wrong shape (close 4400), else handle it as Strawberry does."""
        problem = invalid_message(message)
        if problem is not None:
            await self.handle_invalid_message(problem)
            return
        await super().handle_message(message)

    async def handle_task_exception(self, error: Exception) -> None:
        """A client that leaves while its operation sends a result is no error (Strawberry logged it
        with a traceback); anything else is logged as Strawberry does."""
        if isinstance(error, WebSocketDisconnected):
            log.debug("a client left while its operation was sending: %r", error)
            return
        await super().handle_task_exception(error)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        """Authenticate as Strawberry does (through `on_ws_connect`), then register for revocation."""
        await super().handle_connection_init(message)
        await self._register(self, self.context)

    async def close_revoked(self) -> None:
        """Close with 4403 "revoked" and cancel every operation (nothing more reaches the client)."""
        await _close(self.websocket)
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)

    def on_request_accepted(self) -> None:
        """Start the init timeout (as the parent does) and the pinger."""
        super().on_request_accepted()
        metrics.WEBSOCKETS_OPEN.inc()
        self._pinger = asyncio.create_task(self._ping_forever())

    async def run_operation(self, operation: Operation[Any, Any]) -> None:
        """Run an operation (a subscription, mostly) as the parent does, counted while it runs."""
        metrics.SUBSCRIPTIONS_ACTIVE.inc()
        try:
            await super().run_operation(operation)
        finally:
            metrics.SUBSCRIPTIONS_ACTIVE.dec()

    async def shutdown(self) -> None:
        """Forget the connection, stop the pinger, then shut down as the parent does."""
        metrics.WEBSOCKETS_OPEN.dec()
        self._unregister(self)
        self._pinger.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._pinger
        await super().shutdown()

    async def _ping_forever(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            if not self.connection_acknowledged:
                continue
            try:
                await self.send_message({"type": "ping"})
            except WebSocketDisconnected:
                log.debug("websocket of %s gone; its pinger stops", self._who())
                return
            except Exception:
                # the next ping may succeed; a connection that stays broken is closed by its reader
                log.exception(
                    "sending a keep-alive ping to %s failed (%d operations open); pinging again in %ss",
                    self._who(),
                    len(self.operations),
                    self.interval,
                )

    def _who(self) -> str:
        principal = getattr(self.context, "principal", None)
        if principal is None:
            return "an unauthenticated websocket"
        return f"user {principal.user_id} in workspace {principal.workspace_id}"


class FlowloomLegacyWSHandler(_Revocable, BaseGraphQLWSHandler[Any, Any]):
    """Strawberry's handler of the legacy graphql-ws protocol, closed when its credentials are revoked."""

    async def handle_connection_init(self, message: LegacyConnectionInitMessage) -> None:
        """Authenticate as Strawberry does (through `on_ws_connect`), then register for revocation."""
        await super().handle_connection_init(message)
        await self._register(self, self.context)

    async def close_revoked(self) -> None:
        """Close with 4403 "revoked" and cancel every operation."""
        await _close(self.websocket)
        await super().cleanup()

    async def cleanup(self) -> None:
        """Forget the connection, then stop its operations as the parent does."""
        self._unregister(self)
        await super().cleanup()
