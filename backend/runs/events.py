"""In-process delivery of run events to subscribers (the embedded mode's broker)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from uuid import UUID

from engine.records import RunEvent

MAX_BUFFERED = 1000


class LocalEventBus:
    """EventSink that fans events out to subscribers of their run in this process."""

    def __init__(self) -> None:
        self._subscribers: defaultdict[UUID, set[asyncio.Queue[RunEvent]]] = defaultdict(set)

    async def publish(self, events: Sequence[RunEvent]) -> None:
        """Deliver events to the current subscribers; a full subscriber queue loses the event
        (subscribers replay persisted events from the database, so nothing is lost for good)."""
        for event in events:
            for queue in self._subscribers.get(event.run_id, ()):
                if queue.qsize() < MAX_BUFFERED:
                    queue.put_nowait(event)

    @asynccontextmanager
    async def subscribe(self, run_id: UUID) -> AsyncIterator[asyncio.Queue[RunEvent]]:
        """A queue receiving the run's events published from now on."""
        queue: asyncio.Queue[RunEvent] = asyncio.Queue()
        self._subscribers[run_id].add(queue)
        try:
            yield queue
        finally:
            self._subscribers[run_id].discard(queue)
            if not self._subscribers[run_id]:
                del self._subscribers[run_id]
