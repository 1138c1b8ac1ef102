"""Live streams of run events: replayed from PostgreSQL, then followed on the broker, gap-free.

The broker may lose messages (a slow subscriber's buffer overflows, Redis goes away); PostgreSQL
has every persisted event. So a stream subscribes first, replays what is stored after the last
seq it delivered, then follows live messages, deduplicating by seq. A missing seq, an overflow,
a broker outage (its `epoch` moved; the broker wakes the stream) or a long silence sends it back
to PostgreSQL: nothing is skipped, nothing delivered twice. A quiet stream costs no timer wake-ups
and no queries while the broker is healthy, only one check every SAFETY_SECONDS.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, aclosing
from datetime import UTC, datetime
from uuid import UUID

import msgspec
from redis.exceptions import RedisError

from backend.live.broker import WAKE, BoundedSubscriber, Broker
from backend.live.channels import WireEvent, run_channel
from backend.telemetry import metrics
from engine.records import EventType, RunEvent

POLL_SECONDS = 1.0
"""How often a stream without a live subscription (the broker unreachable) reads PostgreSQL."""
SAFETY_SECONDS = 30.0
"""A stream that heard nothing for this long checks PostgreSQL anyway."""

TERMINAL = frozenset({EventType.RUN_SUCCEEDED, EventType.RUN_FAILED, EventType.RUN_CANCELLED})

StoredEvents = Callable[[int], Awaitable[list[RunEvent]]]
"""The run's persisted events with seq greater than the argument, in order."""

_decode_wire = msgspec.json.Decoder(list[WireEvent]).decode


def _event(wire: WireEvent) -> RunEvent:
    return RunEvent(
        wire.run_id, wire.seq, EventType(wire.type), datetime.fromisoformat(wire.at), wire.node_id, wire.data
    )


class _Cursor:
    """What a stream has delivered: the last persisted seq, and whether the run ended."""

    def __init__(self, after_seq: int) -> None:
        self.last = after_seq
        self.finished = False

    def accept(self, event: RunEvent) -> bool:
        """Whether to deliver `event` now; persisted events advance the cursor."""
        if event.ephemeral:
            return event.seq >= self.last
        if event.seq != self.last + 1:
            return False
        self.last = event.seq
        self.finished = event.type in TERMINAL
        return True


async def run_events(
    broker: Broker, run_id: UUID, after_seq: int, stored: StoredEvents
) -> AsyncIterator[RunEvent]:
    """Every event of the run after `after_seq`, live, until the run's terminal event."""
    cursor = _Cursor(after_seq)
    async with AsyncExitStack() as stack:
        live = await _subscribe(stack, broker, run_id)
        while True:
            for event in await stored(cursor.last):
                if cursor.accept(event):
                    yield event
                    if cursor.finished:
                        return
            if live is None:
                await asyncio.sleep(POLL_SECONDS)
                continue
            async with aclosing(_follow(live, broker, cursor)) as following:
                async for event in following:
                    yield event
                    if cursor.finished:
                        return


async def _follow(live: BoundedSubscriber, broker: Broker, cursor: _Cursor) -> AsyncGenerator[RunEvent, None]:
    """Live events in seq order, until the broker may have let one slip (then the caller replays)."""
    epoch = broker.epoch
    while True:
        message = await live.next(SAFETY_SECONDS)
        if live.overflowed:
            live.overflowed = False
            return
        if message is None:
            return  # a long quiet: ask PostgreSQL whether something slipped by
        if message == WAKE:
            if broker.epoch != epoch:
                return  # Redis went away or came back: what it lost meanwhile is in PostgreSQL
            continue
        wires = _decode_wire(message)
        if any(wire.type != EventType.NODE_DELTA and wire.seq > cursor.last + 1 for wire in wires):
            return  # a gap: what is missing is in PostgreSQL
        for wire in wires:
            event = _event(wire)
            if cursor.accept(event):
                metrics.EVENT_DELIVERY.observe(max(0.0, (datetime.now(UTC) - event.at).total_seconds()))
                yield event
                if cursor.finished:
                    return


async def _subscribe(stack: AsyncExitStack, broker: Broker, run_id: UUID) -> BoundedSubscriber | None:
    """A live subscription, or None when the broker is unreachable (then the stream polls)."""
    try:
        return await stack.enter_async_context(broker.subscribe([run_channel(run_id)], outages=True))
    except (RedisError, OSError):
        return None
