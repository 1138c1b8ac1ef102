"""A litestar.channels Redis pub/sub backend that survives Redis going away."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from typing import Any

from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

RETRY_SECONDS = 0.5


class ResilientRedisPubSubBackend(RedisChannelsPubSubBackend):
    """RedisChannelsPubSubBackend whose event stream outlives connection loss.

    Litestar's stream ends with the first connection error, and with it the channels plugin's
    subscriber task: every subscription of the process would go silent until a restart. This one
    waits and retries; redis-py re-subscribes to every channel when it reconnects. Messages
    published while Redis was away are lost, which subscribers repair from PostgreSQL.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.connected = True
        """False after a connection error, until a message or a ping goes through again."""

    async def stream_events(self) -> AsyncGenerator[tuple[str, Any], None]:
        """The parent's stream, restarted after every connection error."""
        while True:
            try:
                async for event in super().stream_events():
                    self.connected = True
                    yield event
            except (RedisError, OSError) as exc:
                if self.connected:
                    log.warning("lost the Redis pub/sub connection (%s); retrying", exc)
                self.connected = False
                await asyncio.sleep(RETRY_SECONDS)
