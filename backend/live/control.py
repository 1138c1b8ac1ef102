"""Commands for the process executing a run: cancel it, or hand it human input.

With several processes, the one asked to cancel a run or to take a human task's answer may not
be the one executing it: in-flight nodes live in the executor's memory, and a run whose other
branches are still running only accepts input through its live execution. A command goes to the
process that holds the run's lease, on that process's own channel, and it answers on the asker's
reply channel. Nobody subscribed to the owner's channel means the owner is gone: the asker learns
it at once (Redis counts the receivers) instead of waiting for an answer that cannot come.
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
from backend.live.channels import control_channel
from engine.execution import Accepted, InvalidInput, SubmitOutcome

log = logging.getLogger(__name__)

ANSWER_SECONDS = 10.0
"""The longest a live owner may take to answer (it answers in milliseconds unless overloaded)."""


class Command(msgspec.Struct, frozen=True):
    """A request for the executor of `run_id`."""

    op: Literal["cancel", "submit"]
    run_id: UUID
    reply_to: str
    node_id: str | None = None
    value: Any = None  # JSON; msgspec decodes it (it has no notion of pydantic's JsonValue)


class Answer(msgspec.Struct, frozen=True):
    """The executor's answer: `outcome` is `cancelled`, `accepted`, `no_open_task`, `invalid`, or
    `not_executing` (the process does not execute the run any more)."""

    outcome: str
    message: str = ""
    errors: list[str] = []


def answer_for(outcome: SubmitOutcome) -> Answer:
    """A human input's outcome, as an executor answers it (and as the asker reads it)."""
    if isinstance(outcome, InvalidInput):
        return Answer("invalid", outcome.message, list(outcome.errors))
    if isinstance(outcome, Accepted):
        return Answer("accepted")
    return Answer("no_open_task", outcome.message)


Handler = Callable[[Command], Awaitable[Answer | None]]
"""Answers a command about a run this process executes, or returns None (not executing it)."""


class RunControl:
    """Sends commands to, and serves commands for, the processes executing runs."""

    def __init__(self, broker: Broker) -> None:
        self._broker = broker
        self._listener: asyncio.Task[None] | None = None
        self._answering: set[asyncio.Task[None]] = set()

    async def serve(self, owner: UUID, handler: Handler) -> None:
        """Answer commands addressed to `owner` (this process's lease owner id), until `stop`."""
        if not self._broker.distributed:
            return  # one process: every run it executes is local
        ready = asyncio.Event()
        self._listener = asyncio.create_task(self._listen(owner, handler, ready))
        await ready.wait()

    async def stop(self) -> None:
        """Stop serving commands."""
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener

    async def ask(self, owner: UUID, command: Command) -> Answer | None:
        """Send a command to the lease owner; its answer, or None when it is gone or not executing
        the run (then the asker acts on the recorded run)."""
        if not self._broker.distributed:
            return None
        async with self._broker.subscribe([command.reply_to]) as replies:
            if not await self._broker.send(msgspec.json.encode(command), control_channel(owner)):
                return None
            message = await replies.next(ANSWER_SECONDS)
        if message is None:
            log.warning(
                "process %s did not answer a %s command for run %s", owner, command.op, command.run_id
            )
            return None
        answer = msgspec.json.decode(message, type=Answer)
        return None if answer.outcome == "not_executing" else answer

    @staticmethod
    def reply_channel() -> str:
        """A channel for one command's answer."""
        return f"reply:{uuid4()}"

    async def _listen(self, owner: UUID, handler: Handler, ready: asyncio.Event) -> None:
        async with self._broker.subscribe([control_channel(owner)]) as commands:
            ready.set()
            while True:
                message = await commands.next(60)
                if message:  # each answered apart: a cancel waits for its execution to stop
                    task = asyncio.create_task(self._answer(handler, message))
                    self._answering.add(task)
                    task.add_done_callback(self._answering.discard)

    async def _answer(self, handler: Handler, message: bytes) -> None:
        try:
            command = msgspec.json.decode(message, type=Command)
            answer = await handler(command)
        except Exception:
            log.exception("a run command failed")
            return
        # always answer: "not executing" lets the asker go on at once
        await self._broker.publish(msgspec.json.encode(answer or Answer("not_executing")), [command.reply_to])
