"""Fixed-window counters on Litestar stores, counted atomically: in memory, or in Redis across processes.

Rate limits and sign-in throttling count hits per key in windows. A plain `Store` can only get and
set, and a get-then-set loses hits to requests in flight at the same moment (Litestar's own rate
limiter holds one process-wide lock around it, which still loses them between processes sharing
Redis). Counting here is one atomic step: under the memory store's lock, or one Lua script in Redis.
"""

from __future__ import annotations

import time
from abc import abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from litestar.stores.base import StorageObject, Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore
from redis.asyncio import ConnectionPool, Redis
from redis.commands.core import AsyncScript

# INCRBY, then give the key its window if it has none (a new key, or one set without expiry);
# taking back (a negative step) never opens a window.
_INCREMENT = b"""
local step = tonumber(ARGV[2])
if step < 0 and redis.call('EXISTS', KEYS[1]) == 0 then
  return {0, 0}
end
local count = redis.call('INCRBY', KEYS[1], step)
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


@dataclass(frozen=True, slots=True)
class Count:
    """A key's count in its current window."""

    value: int
    """Hits in the window, the one just counted included."""
    resets_in: float
    """Seconds until the window ends and counting starts again from zero."""


class CountingStore(Store):
    """A `Store` that can also count hits in fixed windows, atomically."""

    __slots__ = ()

    @abstractmethod
    async def increment(self, key: str, window: float, step: int = 1) -> Count:
        """Count `step` hits on `key` (a negative step takes hits back).

        The first hit on a key (or the first after its window ended) opens a window of `window`
        seconds; the count goes back to zero when it ends. Taking back never opens a window: on a
        key without one it does nothing and reports a count of 0. `get(key)` reads the count as text.
        """


class MemoryCountingStore(MemoryStore, CountingStore):
    """Counters in this process's memory (the embedded mode, and tests)."""

    __slots__ = ("_next_sweep",)

    SWEEP_EVERY = 60.0
    """Seconds between removals of expired keys: MemoryStore drops them only when they are read,
    and every new client address or token would otherwise stay in memory for good."""

    def __init__(self) -> None:
        super().__init__()
        self._next_sweep = time.monotonic() + self.SWEEP_EVERY

    async def increment(self, key: str, window: float, step: int = 1) -> Count:
        """Count `step` hits on `key` (see `CountingStore.increment`)."""
        now = datetime.now(tz=UTC)
        async with self._lock:
            stored = self._store.get(key)
            if stored is None or stored.expires_at is None or stored.expired:
                if step < 0:
                    return Count(value=0, resets_in=0.0)
                stored = StorageObject.new(data=b"%d" % step, expires_in=timedelta(seconds=window))
            else:
                stored = StorageObject(expires_at=stored.expires_at, data=b"%d" % (int(stored.data) + step))
            self._store[key] = stored
        if time.monotonic() >= self._next_sweep:
            self._next_sweep = time.monotonic() + self.SWEEP_EVERY
            await self.delete_expired()
        expires_at = stored.expires_at or now
        return Count(value=int(stored.data), resets_in=max(0.0, (expires_at - now).total_seconds()))


class RedisCountingStore(RedisStore, CountingStore):
    """Counters in Redis, shared by every process using the same URL and namespace."""

    __slots__ = ("_increment_script",)

    def __init__(
        self, redis: Redis, namespace: str | None = "LITESTAR", handle_client_shutdown: bool = False
    ) -> None:
        super().__init__(redis, namespace=namespace, handle_client_shutdown=handle_client_shutdown)
        self._increment_script: AsyncScript = self._redis.register_script(_INCREMENT)

    async def increment(self, key: str, window: float, step: int = 1) -> Count:
        """Count `step` hits on `key` (see `CountingStore.increment`)."""
        count, ttl_ms = await self._increment_script(
            keys=[self._make_key(key)], args=[max(1, int(window * 1000)), step]
        )
        return Count(value=int(count), resets_in=int(ttl_ms) / 1000)


def counting_store(redis_url: str | None, namespace: str) -> CountingStore:
    """Counters in Redis under `namespace` when `redis_url` is set, else in this process's memory."""
    if redis_url:
        # as RedisStore.with_client builds it (typed as returning a plain RedisStore)
        client = Redis(connection_pool=ConnectionPool.from_url(redis_url, decode_responses=False))
        return RedisCountingStore(client, namespace=namespace, handle_client_shutdown=True)
    return MemoryCountingStore()
