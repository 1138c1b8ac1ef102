"""The run-event stream against a real broker and PostgreSQL: overflow and outages never lose events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from backend.live.broker import Broker
from backend.live.sink import BrokerEventSink
from backend.live.streams import run_events
from backend.services import Services
from backend.workflows.records import WorkflowRecord
from engine.records import EventType, RunEvent, RunRecord, RunStatus, Transition
from tests.backend.runs_support import commit_as_other_process, hold_as_other_process
from tests.fixtures_data import template_chain
from tests.redis_server import RedisServer
from tests.tenants import Tenant


@pytest.fixture
async def tiny_broker() -> AsyncIterator[Broker]:
    """An in-memory broker whose subscriptions hold two unread messages at most."""
    broker = Broker(None, max_backlog=2)
    await broker.start()
    yield broker
    await broker.stop()


async def a_run(services: Services, tenant: Tenant) -> RunRecord:
    workflow = await services.workflows.create(tenant.principal, "w", template_chain(1))
    assert isinstance(workflow, WorkflowRecord)
    run = RunRecord(
        uuid4(), tenant.principal.workspace_id, workflow.id, 1, RunStatus.PENDING, {}, datetime.now(UTC)
    )
    await services.store.create(run)
    await hold_as_other_process(services, run.id)  # commits need the run's lease
    return run


async def advance(services: Services, sink: BrokerEventSink, run: RunRecord, kind: EventType) -> RunRecord:
    """Commit one event to the run, then publish it (as the engine does)."""
    event = RunEvent(run.id, run.last_seq + 1, kind, datetime.now(UTC), data={"n": run.last_seq + 1})
    status = RunStatus.SUCCEEDED if kind is EventType.RUN_SUCCEEDED else RunStatus.RUNNING
    moved = run._replace(status=status, last_seq=event.seq)
    await commit_as_other_process(services, Transition(run=moved, expected_seq=run.last_seq, events=(event,)))
    await sink.publish([event], run=moved)
    return moved


async def test_a_subscriber_that_fell_behind_is_resynchronised_from_postgres(
    services: Services, tenant: Tenant, tiny_broker: Broker
) -> None:
    sink = BrokerEventSink(tiny_broker)
    run = await a_run(services, tenant)
    run = await advance(services, sink, run, EventType.RUN_STARTED)

    async def stored(after: int) -> list[RunEvent]:
        return await services.runs.events(tenant.principal, run.id, after)

    stream = run_events(tiny_broker, run.id, 0, stored)
    first = await anext(stream)
    # the subscriber stops reading while 20 more events are published: its buffer of 2 overflows
    for _ in range(19):
        run = await advance(services, sink, run, EventType.NODE_STARTED)
    run = await advance(services, sink, run, EventType.RUN_SUCCEEDED)
    rest = [event async for event in stream]

    assert [event.seq for event in [first, *rest]] == list(range(1, 22))
    assert rest[-1].type is EventType.RUN_SUCCEEDED


async def test_a_stream_without_a_reachable_broker_follows_postgres(
    services: Services, tenant: Tenant
) -> None:
    unreachable = Broker("redis://127.0.0.1:1/0")
    await unreachable.start()
    run = await a_run(services, tenant)
    sink = BrokerEventSink(unreachable)  # publishing fails quietly; the events are committed anyway

    async def stored(after: int) -> list[RunEvent]:
        return await services.runs.events(tenant.principal, run.id, after)

    run = await advance(services, sink, run, EventType.RUN_STARTED)
    run = await advance(services, sink, run, EventType.RUN_SUCCEEDED)
    received = [event async for event in run_events(unreachable, run.id, 0, stored)]
    await unreachable.stop()

    assert [event.seq for event in received] == [1, 2]
    assert not await unreachable.ping()


async def until_epoch_moves(broker: Broker) -> None:
    epoch = broker.epoch
    async with asyncio.timeout(10):
        while broker.epoch == epoch:  # noqa: ASYNC110 - the broker exposes its epoch, no event
            await asyncio.sleep(0.05)


async def test_an_event_lost_while_redis_was_down_arrives_as_soon_as_it_returns(
    services: Services, tenant: Tenant
) -> None:
    redis = RedisServer()
    redis.start()
    broker = Broker(redis.url)
    await broker.start()
    sink = BrokerEventSink(broker)
    run = await a_run(services, tenant)
    run = await advance(services, sink, run, EventType.RUN_STARTED)

    async def stored(after: int) -> list[RunEvent]:
        return await services.runs.events(tenant.principal, run.id, after)

    try:
        stream = run_events(broker, run.id, 0, stored)
        assert isinstance(stream, AsyncGenerator)  # declared an iterator; closed here as subscribers do
        first = await anext(stream)
        redis.kill()
        await until_epoch_moves(broker)
        run = await advance(services, sink, run, EventType.RUN_SUCCEEDED)  # its publish is lost
        redis.start()
        # no later message will reveal the gap, and a quiet stream checks PostgreSQL only every 30 s:
        # the broker's wake-up on its return is what brings the last event
        async with asyncio.timeout(10):
            last = await anext(stream)
        await stream.aclose()
    finally:
        await broker.stop()
        redis.kill()

    assert (first.seq, last.seq, last.type) == (1, 2, EventType.RUN_SUCCEEDED)
