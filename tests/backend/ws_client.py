"""A graphql-transport-ws (and legacy graphql-ws) client over httpx-ws, for protocol-level tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from httpx_ws import AsyncWebSocketSession, aconnect_ws
from httpx_ws.transport import ASGIWebSocketTransport
from litestar import Litestar

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"


class Socket:
    """One websocket to /graphql."""

    def __init__(self, session: AsyncWebSocketSession, protocol: str) -> None:
        self.session = session
        self.protocol = protocol
        self.held: dict[str, list[dict[str, Any]]] = {}
        """Messages of other operations that arrived while one was being collected."""

    async def send(self, message: dict[str, Any]) -> None:
        await self.session.send_json(message)

    async def receive(self, within: float = 10) -> dict[str, Any]:
        """The next message other than keep-alives."""
        while True:
            message: dict[str, Any] = await self.session.receive_json(timeout=within)
            if message.get("type") in {"ping", "ka"}:
                if message["type"] == "ping":
                    await self.send({"type": "pong"})
                continue
            return message

    async def init(self, token: str | None) -> dict[str, Any]:
        await self.send({"type": "connection_init", "payload": {"authToken": token}})
        return await self.receive()

    async def subscribe(self, operation_id: str, query: str, variables: dict[str, Any] | None = None) -> None:
        kind = "subscribe" if self.protocol == TRANSPORT_WS else "start"
        payload = {"query": query, "variables": variables or {}}
        await self.send({"id": operation_id, "type": kind, "payload": payload})

    async def collect(
        self, operation_id: str, within: float = 20
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """The `next` payloads of an operation until it completes or errors, and the final message."""
        payloads: list[dict[str, Any]] = []
        held = self.held.pop(operation_id, [])
        deadline = asyncio.get_running_loop().time() + within
        while True:
            if held:
                message = held.pop(0)
            else:
                message = await self.receive(max(0.1, deadline - asyncio.get_running_loop().time()))
            if message.get("id") != operation_id:
                self.held.setdefault(str(message.get("id")), []).append(message)
                continue
            if message["type"] in {"next", "data"}:
                payloads.append(message["payload"])
            else:
                return payloads, message


@asynccontextmanager
async def websocket(
    app: Litestar, protocol: str = TRANSPORT_WS, *, origin: str | None = None
) -> AsyncIterator[Socket]:
    """A websocket to the app, in this event loop (sending `Origin`, as browsers do, when given)."""
    headers = {} if origin is None else {"Origin": origin}
    async with (
        httpx.AsyncClient(transport=ASGIWebSocketTransport(app=app), base_url="http://testserver") as client,
        aconnect_ws(
            "/graphql",
            client,
            subprotocols=[protocol],
            keepalive_ping_interval_seconds=None,
            headers=headers,
            # the default, named so that mypy can infer the session's type from it
            session_class=AsyncWebSocketSession,
        ) as session,
    ):
        yield Socket(session, protocol)
