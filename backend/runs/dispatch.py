"""The run-dispatch port: how an admitted run reaches a process that executes it.

Services never call an executor: they record the run and admit it (`backend.runs.admission`), and
admission hands tickets to a `RunQueue`. Two implementations:

- `InProcessQueue`: this process executes the run (the embedded mode, and `flowloom serve` with
  `FLOWLOOM_SERVE_EXECUTES`);
- `SaqQueue` (`backend.runs.saq_queue`): a saq queue on Redis that `flowloom worker` processes work.

PostgreSQL stays the truth: a ticket lost on the way (Redis restarted empty) is found by the
reconciler, which asks `known` and dispatches the run again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID


@dataclass(frozen=True, slots=True)
class Ticket:
    """One hand-over of a run to the queue; `generation` counts its hand-overs (`runs.dispatches`)."""

    run_id: UUID
    generation: int

    @property
    def key(self) -> str:
        """The queue entry's name: a re-dispatch is a new entry, a repeated enqueue is the same one."""
        return f"{self.run_id}:{self.generation}"


class RunQueue(Protocol):
    """Where admitted runs wait for an executor."""

    async def enqueue(self, tickets: Sequence[Ticket]) -> None:
        """Hand tickets over; never raises for an unreachable queue (the reconciler repairs it)."""
        ...

    async def known(self, tickets: Sequence[Ticket]) -> set[str]:
        """The keys of `tickets` that are still queued or executing.

        Raises:
            Exception: the queue cannot be asked (then nothing is concluded from it).
        """
        ...

    async def close(self) -> None:
        """Stop handing tickets over."""
        ...


Execute = Callable[[Ticket], Awaitable[None]]


class InProcessQueue:
    """Executes tickets in this process, at most `concurrency` at a time, oldest first."""

    def __init__(self, *, concurrency: int) -> None:
        self._execute: Execute | None = None
        self._limit = asyncio.Semaphore(concurrency)
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._closed = False

    def bind(self, execute: Execute) -> None:
        """Execute tickets with `execute` (the host, which needs the queue's admission first)."""
        self._execute = execute

    async def enqueue(self, tickets: Sequence[Ticket]) -> None:
        if self._closed:
            return  # stopping: the runs are resumed by the next process
        loop = asyncio.get_running_loop()
        for ticket in tickets:
            if ticket.key not in self._tasks:
                self._tasks[ticket.key] = loop.create_task(self._run(ticket))

    async def known(self, tickets: Sequence[Ticket]) -> set[str]:
        return {ticket.key for ticket in tickets if ticket.key in self._tasks}

    async def close(self) -> None:
        self._closed = True
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(self, ticket: Ticket) -> None:
        try:
            async with self._limit:
                if self._execute is None:
                    raise RuntimeError("the in-process queue has no executor bound")
                await self._execute(ticket)
        finally:
            self._tasks.pop(ticket.key, None)
