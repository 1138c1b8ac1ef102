"""The graphql-transport-ws handler with server keep-alive pings."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler


class KeepAliveTransportWSHandler(BaseGraphQLTransportWSHandler[Any, Any]):
    """Strawberry's handler answers pings but sends none; idle connections behind proxies and load
    balancers then get cut. This one pings every `interval` seconds once the connection is
    acknowledged (clients answer with pong, as the protocol requires)."""

    interval = 15.0

    def on_request_accepted(self) -> None:
        """Start the init timeout (as the parent does) and the pinger."""
        super().on_request_accepted()
        self._pinger = asyncio.create_task(self._ping_forever())

    async def shutdown(self) -> None:
        """Stop the pinger, then shut down as the parent does."""
        self._pinger.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._pinger
        await super().shutdown()

    async def _ping_forever(self) -> None:
        with contextlib.suppress(Exception):
            while True:
                await asyncio.sleep(self.interval)
                if self.connection_acknowledged:
                    await self.send_message({"type": "ping"})
