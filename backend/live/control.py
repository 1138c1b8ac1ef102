"""Commands for the process executing a run: cancel it, or hand it human input.

With several processes, the one asked to cancel a run or to take a human task's answer may not
be the one executing it: in-flight nodes live in the executor's memory, and a run whose other
branches are still running only accepts input through its live execution. Commands go out on a
broadcast channel; the executor answers on the asker's reply channel. Without an answer in time
(nobody executes the run), the asker acts on the recorded run itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Literal
from uuid import UUID, uuid4

import msgspec

from backend.live.broker import Broker
from backend.live.channels import CONTROL_CHANNEL

log = logging.getLogger(__name__)

ANSWER_SECONDS = 2.0


class Command(msgspec.Struct, frozen=True):
    """A request for the executor of `run_id`."""

    op: Literal["cancel", "submit"]
    run_id: UUID
    reply_to: str
    node_id: str | None = None
    value: Any = None  # JSON; msgspec decodes it (it has no notion of pydantic's JsonValue)


class Answer(msgspec.Struct, frozen=True):
    """The executor's answer: `outcome` is `cancelled`, `accepted`, `no_open_task` or `invalid`."""

    outcome: str
    message: str = ""
    errors: list[str] = []


Handler = Callable[[Command], Awaitable[Answer | None]]
"""Answers a command about a run this process executes, or returns None (not executing it)."""


class RunControl:
    """Sends commands to, and serves commands for, the processes executing runs."""

    def __init__(self, broker: Broker) -> None:
        self._broker = broker
        self._listener: asyncio.Task[None] | None = None

    async def serve(self, handler: Handler) -> None:
        """Answer commands for runs this process executes, until `stop`."""
        if not self._broker.distributed:
            return  # one process: every run it executes is local
        ready = asyncio.Event()
        self._listener = asyncio.create_task(self._listen(handler, ready))
        await ready.wait()

    async def stop(self) -> None:
        """Stop serving commands."""
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener

    async def ask(self, command: Command) -> Answer | None:
        """Send a command; its executor's answer, or None when no process executes the run."""
        if not self._broker.distributed:
            return None
        async with self._broker.subscribe([command.reply_to]) as replies:
            if not await self._broker.publish(msgspec.json.encode(command), [CONTROL_CHANNEL]):
                return None
            message = await replies.next(ANSWER_SECONDS)
        return None if message is None else msgspec.json.decode(message, type=Answer)

    @staticmethod
    def reply_channel() -> str:
        """A channel for one command's answer."""
        return f"reply:{uuid4()}"

    async def _listen(self, handler: Handler, ready: asyncio.Event) -> None:
        async with self._broker.subscribe([CONTROL_CHANNEL]) as commands:
            ready.set()
            while True:
                message = await commands.next(60)
                if message is not None:
                    await self._answer(handler, message)

    async def _answer(self, handler: Handler, message: bytes) -> None:
        try:
            command = msgspec.json.decode(message, type=Command)
            answer = await handler(command)
        except Exception:
            log.exception("a run command failed")
            return
        if answer is not None:
            await self._broker.publish(msgspec.json.encode(answer), [command.reply_to])
