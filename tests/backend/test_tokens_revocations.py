"""The revocation listener on its own: messages and sweeps close the right sockets, on a timer."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from uuid import UUID, uuid4

from backend.live.broker import Broker
from backend.live.revocations import OpenSockets, Revocations


class Recorder:
    """An open socket that records being closed."""

    def __init__(self) -> None:
        self.closed = asyncio.Event()

    async def close_revoked(self) -> None:
        self.closed.set()


async def test_a_published_revocation_closes_the_sockets_of_those_ids_only() -> None:
    broker = Broker(None)
    await broker.start()
    revocations = Revocations(broker)
    session, token, other = uuid4(), uuid4(), uuid4()
    doomed, spared = Recorder(), Recorder()
    revocations.sockets.add(doomed, [session, token])
    revocations.sockets.add(spared, [other])

    async def everything_live(ids: Sequence[UUID]) -> set[UUID]:
        return set(ids)

    await revocations.start(everything_live)
    try:
        await revocations.publish([token])
        async with asyncio.timeout(10):
            await doomed.closed.wait()
    finally:
        await revocations.stop()
        await broker.stop()

    assert not spared.closed.is_set()
    assert revocations.sockets.ids() == [other]  # the closed socket's session id went with it


async def test_the_periodic_sweep_closes_sockets_whose_credentials_ended() -> None:
    broker = Broker(None)
    await broker.start()
    revocations = Revocations(broker, sweep_seconds=0.05)
    ended, live = uuid4(), uuid4()
    on_ended, on_live = Recorder(), Recorder()
    revocations.sockets.add(on_ended, [ended])
    revocations.sockets.add(on_live, [live])

    async def only_live(ids: Sequence[UUID]) -> set[UUID]:
        return set(ids) & {live}

    await revocations.start(only_live)
    try:
        async with asyncio.timeout(10):
            await on_ended.closed.wait()
    finally:
        await revocations.stop()
        await broker.stop()

    assert not on_live.closed.is_set()
    assert revocations.sockets.ids() == [live]


def test_a_socket_registering_just_after_its_revocation_is_refused() -> None:
    sockets = OpenSockets()
    revoked = uuid4()
    asyncio.run(sockets.close([revoked]))  # the revocation went by before the socket registered

    assert sockets.add(Recorder(), [uuid4(), revoked]) is False
    assert sockets.add(Recorder(), [uuid4()]) is True
