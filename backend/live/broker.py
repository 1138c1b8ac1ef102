"""The live broker: litestar.channels over Redis pub/sub (several processes) or in memory (one)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.subscriber import Subscriber
from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import RedisError

from backend.live.redis_backend import ResilientRedisPubSubBackend

log = logging.getLogger(__name__)

MAX_BACKLOG = 1000
"""Messages a subscription may hold unread; beyond it, it is marked overflowed (and resynchronised)."""
HEALTH_SECONDS = 1.0
"""How often the broker checks that Redis answers."""
MAX_CONNECTIONS = 64
WAKE = b""
"""Put in the buffers of subscriptions that asked to hear of outages, when the broker's epoch moves."""


def _pool(url: str) -> BlockingConnectionPool:
    return BlockingConnectionPool.from_url(url, max_connections=MAX_CONNECTIONS, timeout=5)


class BoundedSubscriber(Subscriber):
    """A channels subscriber with a bounded buffer that says when it had to refuse a message."""

    overflowed = False
    """Set when a message was refused because the buffer was full; the reader resets it."""

    def put_nowait(self, item: bytes | None) -> bool:
        """Buffer a message; a full buffer refuses it and marks the overflow instead of blocking."""
        accepted = super().put_nowait(item)
        if not accepted:
            self.overflowed = True
        return accepted

    async def put(self, item: bytes | None) -> None:
        """Only the plugin's stop marker comes this way (on unsubscribe); never wait for room for it.

        The parent awaits room in the buffer, and a subscriber that stopped reading with a full
        buffer would then block its own unsubscription forever. Nothing reads the marker here.
        """
        self.put_nowait(item)

    async def next(self, within: float) -> bytes | None:
        """The next message, or None when none arrives within `within` seconds."""
        try:
            # asyncio.timeout rather than wait_for, which makes a task per message (Python 3.11);
            # the parent keeps its buffer private, this class owns how it is read
            async with asyncio.timeout(within):
                item: bytes | None = await self._queue.get()
        except TimeoutError:
            return None
        self._queue.task_done()
        return item


class Broker:
    """Publishes and subscribes; publishing never raises (subscribers repair gaps from PostgreSQL).

    `epoch` counts the broker's outages and recoveries: a stream that sees it move knows messages
    may have been lost meanwhile, without asking PostgreSQL on every quiet second.
    """

    def __init__(self, redis_url: str | None, *, max_backlog: int = MAX_BACKLOG) -> None:
        # a blocking pool: a burst of publishes (one group commit releases many runs) waits for
        # a connection instead of failing with "Too many connections" past the pool's size
        self._redis = None if redis_url is None else Redis(connection_pool=_pool(redis_url))
        self.epoch = 0
        self._up = True
        self._closing = asyncio.Event()
        self._watchers: set[BoundedSubscriber] = set()
        self._health: asyncio.Task[None] | None = None
        backend: Any = (
            MemoryChannelsBackend() if self._redis is None else ResilientRedisPubSubBackend(redis=self._redis)
        )
        self._backend = backend
        self._plugin = ChannelsPlugin(
            backend=backend,
            arbitrary_channels_allowed=True,
            subscriber_max_backlog=max_backlog,
            subscriber_backlog_strategy="backoff",
            subscriber_class=BoundedSubscriber,
        )

    @property
    def distributed(self) -> bool:
        """Whether messages cross processes (Redis) rather than staying in this one."""
        return self._redis is not None

    async def start(self) -> None:
        """Start the channels plugin's workers (and, over Redis, the health check)."""
        await self._plugin.__aenter__()
        if self._redis is not None:
            self._health = asyncio.create_task(self._watch())

    async def stop(self) -> None:
        """Stop them and close the Redis connections."""
        if self._health is not None:
            # the flag, not only the cancel: redis-py may turn a cancellation mid-ping into a
            # connection error, which the check takes for an outage and carries on
            self._closing.set()
            self._health.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._health
        await self._plugin.__aexit__(None, None, None)
        if self._redis is not None:
            await self._redis.aclose(close_connection_pool=True)  # ours: built in __init__

    async def publish(self, data: bytes, channels: Iterable[str]) -> bool:
        """Publish to every channel; False (logged) when the broker is unreachable."""
        try:
            await self._plugin.wait_published(data, list(channels))
        except (RedisError, OSError) as exc:
            log.warning("could not publish to %s: %s", channels, exc)
            return False
        return True

    async def send(self, data: bytes, channel: str) -> int:
        """Publish to one channel; how many processes subscribed to it got the message (0 when the
        broker is unreachable, and in memory, where there is no other process)."""
        if self._redis is None:
            return 0
        try:
            return int(await self._redis.publish(channel, data))
        except (RedisError, OSError) as exc:
            log.warning("could not send to %s: %s", channel, exc)
            return 0

    @asynccontextmanager
    async def subscribe(
        self, channels: Iterable[str], *, outages: bool = False
    ) -> AsyncIterator[BoundedSubscriber]:
        """A subscription to `channels` for the duration of the block; with `outages`, it also
        receives `WAKE` whenever `epoch` moves (so its reader needs no timer to notice)."""
        subscriber = await self._plugin.subscribe(list(channels))
        if not isinstance(subscriber, BoundedSubscriber):  # the plugin is built with that class
            raise TypeError(f"the channels plugin made a {type(subscriber).__name__}")
        if outages:
            self._watchers.add(subscriber)
        try:
            yield subscriber
        finally:
            self._watchers.discard(subscriber)
            await self._plugin.unsubscribe(subscriber)

    async def _watch(self) -> None:
        while not self._closing.is_set():
            up = await self.ping()
            if up != self._up:
                self._up = up
                self.epoch += 1
                log.warning("Redis is %s", "back" if up else "unreachable")
                for watcher in self._watchers:
                    watcher.put_nowait(WAKE)  # a full buffer marks the overflow: a resync too
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(HEALTH_SECONDS):
                    await self._closing.wait()

    async def ping(self) -> bool:
        """Whether the broker is reachable (always, in memory)."""
        if self._redis is None:
            return True
        try:
            return bool(await self._redis.ping())
        except (RedisError, OSError):
            return False
