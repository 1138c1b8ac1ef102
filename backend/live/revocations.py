"""Closing the open websockets of revoked sessions and tokens, on every process.

A revoked token or ended session is refused on its next HTTP request by every replica (each one
reads PostgreSQL), but a websocket authenticates once, at connection_init, and would otherwise
stream on. Each process keeps its authenticated websockets by the session and token they came
with (`OpenSockets`); a revocation is published on the broker's `auth:revoked` channel, and every
process, the publisher included, closes its matching websockets with 4403 "revoked".

Every `sweep_seconds`, and whenever the broker comes back from an outage, each process also asks
PostgreSQL which of its sockets' credentials are still live and closes the others: that catches
what no message announces (a token expiring, a revocation by the command line in the embedded
mode, where the servers' broker lives in their own process) and messages lost while Redis was away.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Protocol
from uuid import UUID, uuid5

import msgspec

if TYPE_CHECKING:
    # Only a type here: the command line publishes on this channel with redis alone, and importing
    # the broker would load litestar (start-up time, see tests/backend/test_cli_startup.py).
    from backend.live.broker import Broker

log = logging.getLogger(__name__)

REVOKED_CHANNEL = "auth:revoked"
"""Ids of sessions and tokens just revoked, as a JSON list of strings; or `{"access": [...]}`, the
access keys (`access_key`) of memberships whose role just changed or ended."""
ACCESS_NAMESPACE = UUID("6f3c2a1e-5b7d-4c8e-9a0f-1d2e3f4a5b6c")
REVOKED_CODE = 4403
REVOKED_REASON = "revoked"
RECENT = 4096
"""Revoked ids remembered, for a socket that registers just after its revocation went by."""
SWEEP_SECONDS = 30.0
"""How often open sockets' credentials are checked against PostgreSQL (one statement per process)."""

StillLive = Callable[[Sequence[UUID]], Awaitable[set[UUID]]]
"""Which of these session and token ids may still be used."""


async def _all_live(ids: Sequence[UUID]) -> set[UUID]:
    return set(ids)


class RevocableSocket(Protocol):
    """An open websocket that can be told its credentials were revoked."""

    async def close_revoked(self) -> None:
        """Close with 4403 "revoked" and stop every operation on it."""


def access_key(user_id: UUID, workspace_id: UUID) -> UUID:
    """The id a socket acting as `user_id` in `workspace_id` is also registered under: a change of
    that membership (role changed, member removed or left, workspace deleted) closes it, and the
    client reconnects with what it may do now."""
    return uuid5(ACCESS_NAMESPACE, f"{user_id}/{workspace_id}")


def encode_revoked(ids: Iterable[UUID], *, access: bool = False) -> bytes:
    """A revocation message (of sessions and tokens, or of access keys)."""
    listed = [str(id_) for id_ in ids]
    return msgspec.json.encode({"access": listed} if access else listed)


def decode_revoked(message: bytes) -> tuple[list[UUID], bool]:
    """The ids of a revocation message, and whether they are access keys; raises ValueError for
    anything else."""
    try:
        decoded = msgspec.json.decode(message, type=list[str] | dict[str, list[str]])
        if isinstance(decoded, dict):
            return [UUID(id_) for id_ in decoded.get("access", [])], True
        return [UUID(id_) for id_ in decoded], False
    except (msgspec.DecodeError, ValueError) as exc:
        raise ValueError(f"not a revocation message: {message[:80]!r}") from exc


class OpenSockets:
    """This process's authenticated websockets, by the ids of the session or token they came with."""

    def __init__(self) -> None:
        self._by_id: dict[UUID, set[RevocableSocket]] = {}
        self._ids_of: dict[RevocableSocket, tuple[UUID, ...]] = {}
        self._recent: deque[UUID] = deque(maxlen=RECENT)
        self._recent_set: set[UUID] = set()
        self._access_keys: set[UUID] = set()

    def __len__(self) -> int:
        return len(self._ids_of)

    def ids(self) -> list[UUID]:
        """The ids of every open socket's session or token (not their access keys)."""
        return [id_ for id_ in self._by_id if id_ not in self._access_keys]

    def add(self, socket: RevocableSocket, ids: Sequence[UUID], access: UUID | None = None) -> bool:
        """Register a socket; False when one of its ids was revoked a moment ago (close it then).

        Authentication read PostgreSQL before the socket got here; a revocation that went by in
        between found nothing to close, so it is remembered for a while.
        """
        if any(id_ in self._recent_set for id_ in ids):
            return False
        self.discard(socket)
        if access is not None:
            self._access_keys.add(access)
            ids = (*ids, access)
        self._ids_of[socket] = tuple(ids)
        for id_ in ids:
            self._by_id.setdefault(id_, set()).add(socket)
        return True

    def discard(self, socket: RevocableSocket) -> None:
        """Forget a socket (it closed)."""
        for id_ in self._ids_of.pop(socket, ()):
            sockets = self._by_id.get(id_)
            if sockets is not None:
                sockets.discard(socket)
                if not sockets:
                    del self._by_id[id_]
                    self._access_keys.discard(id_)

    async def close(self, ids: Iterable[UUID], *, remember: bool = True) -> int:
        """Close every socket of these sessions and tokens (or access keys, which are not
        remembered: their clients may connect again at once); how many were closed."""
        doomed: set[RevocableSocket] = set()
        for id_ in ids:
            if remember:
                self._remember(id_)
            doomed |= self._by_id.get(id_, set())
        for socket in doomed:
            self.discard(socket)
            try:
                await socket.close_revoked()
            except Exception:
                # one socket failing to close (its client gone already) must not spare the others
                log.exception("closing a revoked websocket failed")
        return len(doomed)

    def _remember(self, id_: UUID) -> None:
        if id_ in self._recent_set:
            return
        if len(self._recent) == self._recent.maxlen:
            self._recent_set.discard(self._recent[0])
        self._recent.append(id_)
        self._recent_set.add(id_)


class Revocations:
    """Publishes revocations on the broker, and closes this process's websockets it hears of."""

    def __init__(
        self,
        broker: Broker,
        sockets: OpenSockets | None = None,
        *,
        sweep_seconds: float = SWEEP_SECONDS,
    ) -> None:
        self._broker = broker
        self.sockets = sockets or OpenSockets()
        self._still_live: StillLive = _all_live
        self._sweep_seconds = sweep_seconds
        self._listener: asyncio.Task[None] | None = None

    async def start(self, still_live: StillLive) -> None:
        """Listen for revocations, and sweep with `still_live`, until `stop`.

        `still_live` comes here rather than to the constructor: the accounts service that answers it
        is built with this object's `publish` as its revocation callback.
        """
        self._still_live = still_live
        ready = asyncio.Event()
        self._listener = asyncio.create_task(self._listen(ready))
        await ready.wait()

    async def sweep(self) -> int:
        """Close the sockets whose session or token is no longer live; how many were closed."""
        ids = self.sockets.ids()
        if not ids:
            return 0
        gone = set(ids) - await self._still_live(ids)
        return await self.sockets.close(gone) if gone else 0

    async def stop(self) -> None:
        """Stop listening."""
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None

    async def publish(self, ids: Sequence[UUID]) -> None:
        """Tell every process (this one included) to close the websockets of `ids`."""
        if not ids:
            return
        if not await self._broker.publish(encode_revoked(ids), [REVOKED_CHANNEL]):
            # the broker is down (and said so in the log): this process's sockets close at least
            await self.sockets.close(ids)

    async def access_changed(self, memberships: Sequence[tuple[UUID, UUID]]) -> None:
        """Tell every process to close the websockets acting as these (user, workspace) pairs."""
        if not memberships:
            return
        keys = [access_key(user_id, workspace_id) for user_id, workspace_id in memberships]
        if not await self._broker.publish(encode_revoked(keys, access=True), [REVOKED_CHANNEL]):
            await self.sockets.close(keys, remember=False)

    async def _listen(self, ready: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        async with self._broker.subscribe([REVOKED_CHANNEL], outages=True) as revocations:
            ready.set()
            next_sweep = loop.time() + self._sweep_seconds
            while True:
                message = await revocations.next(max(0.0, next_sweep - loop.time()))
                if message:
                    await self._close(message)
                # None: time to sweep; b"": the broker's epoch moved (messages may have been lost);
                # an overflowed buffer lost messages too
                if message is None or message == b"" or revocations.overflowed:
                    revocations.overflowed = False
                    await self._sweep_logged()
                    next_sweep = loop.time() + self._sweep_seconds

    async def _sweep_logged(self) -> None:
        try:
            closed = await self.sweep()
        except Exception:
            # PostgreSQL away for a moment: the next sweep tries again
            log.exception(
                "checking open websockets' credentials failed; trying again in %ss", self._sweep_seconds
            )
            return
        if closed:
            log.info("closed %d websocket(s) whose session or token ended", closed)

    async def _close(self, message: bytes) -> None:
        try:
            ids, access = decode_revoked(message)
        except ValueError:
            log.warning("ignored a malformed message on %s: %r", REVOKED_CHANNEL, message[:80])
            return
        closed = await self.sockets.close(ids, remember=not access)
        if closed:
            what = "whose membership changed" if access else "of revoked sessions or tokens"
            log.info("closed %d websocket(s) %s", closed, what)
