"""The run queue on Redis: saq, worked by `flowloom worker` processes.

Each ticket is a saq job `execute_run` named `<run id>:<generation>`. Recovery is not saq's: a job
is enqueued with `retries=1`, no timeout (an execution may wait minutes for a model) and no
heartbeat, and saq's sweep is turned off. A worker that dies is noticed by its expired run leases
in PostgreSQL; the reconciler dispatches the run again as a new job. Nothing here aborts a job:
saq's sweep aborted jobs it found in its active list before the dequeuing worker marked them
active, and a live worker cancels a job it finds aborted, so under load live executions were
interrupted and a node could run a third time. The records of a dead worker's jobs stay in Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from uuid import UUID

from redis.asyncio import Redis
from redis.exceptions import RedisError
from saq.job import Job, Status
from saq.queue.redis import RedisQueue
from saq.types import Context, PartialTimersDict
from saq.utils import now
from saq.worker import Worker

from backend.runs.dispatch import Ticket
from backend.runs.host import RunHost
from backend.runs.leases import Leases

log = logging.getLogger(__name__)

QUEUE_NAME = "runs"
JOB_FUNCTION = "execute_run"
STARTING_SECONDS = 30.0
"""An active job whose run is still not leased this long after it started lost its worker between
taking the job and taking the lease."""
DEQUEUE_RETRY_SECONDS = 1.0
"""How long each of a worker's dequeue loops waits before asking an unreachable Redis again."""
FINISHED_JOB_TTL = 60
"""Seconds a finished job's record stays in Redis."""
_WAITING = {Status.NEW, Status.QUEUED}
_TIMERS: PartialTimersDict = {"schedule": 1, "worker_info": 10, "sweep": 3600, "abort": 1}


class PausableQueue(RedisQueue):
    """A saq Redis queue that stops handing out jobs once `paused` (a worker shutting down)."""

    paused = False

    async def dequeue(self, timeout: float = 0.0, poll_interval: float = 0.0) -> Job | None:  # noqa: ASYNC109 - saq's signature
        if self.paused:
            await asyncio.Event().wait()  # until the worker cancels this wait
        try:
            return await super().dequeue(timeout=timeout, poll_interval=poll_interval)
        except (RedisError, OSError):
            # Redis is away: saq would ask again at once, in every one of its `concurrency` loops,
            # and starve the event loop (heartbeats, executions); ask again after a pause instead
            await asyncio.sleep(DEQUEUE_RETRY_SECONDS)
            return None

    async def sweep(self, lock: int = 60, abort: float = 5.0) -> list[str]:
        """Nothing: jobs of dead workers are found through run leases (see the module docstring)."""
        return []


class SaqQueue:
    """`RunQueue` over a saq queue on Redis."""

    def __init__(self, redis_url: str) -> None:
        self.queue = PausableQueue(Redis.from_url(redis_url), name=QUEUE_NAME)

    async def connect(self) -> None:
        """Bind the queue to the running event loop."""
        await self.queue.connect()

    async def enqueue(self, tickets: Sequence[Ticket]) -> None:
        for ticket in tickets:
            try:
                await self.queue.enqueue(
                    JOB_FUNCTION,
                    key=ticket.key,
                    run_id=str(ticket.run_id),
                    generation=ticket.generation,
                    timeout=0,
                    heartbeat=0,
                    retries=1,
                    ttl=FINISHED_JOB_TTL,
                )
            except (RedisError, OSError) as exc:
                # the run stays dispatched in PostgreSQL; the reconciler enqueues it again
                log.warning("could not enqueue run %s: %s", ticket.run_id, exc)

    async def known(self, tickets: Sequence[Ticket]) -> set[str]:
        """Tickets still waiting in the queue, or taken by a worker that is starting on them (the
        reconciler asks only about runs nobody holds a lease of).

        A job's status alone does not say it waits: a worker that died between taking a job and
        marking it active leaves it QUEUED outside the queue's list, so the list is asked too."""
        if not tickets:
            return set()
        jobs = await self.queue.jobs([ticket.key for ticket in tickets])
        starting_since = now() - STARTING_SECONDS * 1000
        waiting = self.queue.namespace("queued")
        known: set[str] = set()
        for ticket, job in zip(tickets, jobs, strict=True):
            if job is None:
                continue
            if (job.status is Status.ACTIVE and job.started >= starting_since) or (
                job.status in _WAITING and await self.queue.redis.lpos(waiting, job.id) is not None
            ):
                known.add(ticket.key)
        return known

    async def close(self) -> None:
        try:
            await self.queue.disconnect()
        except (RedisError, OSError) as exc:
            # a connection broken by a Redis restart cannot say goodbye; nothing is lost by it
            log.info("the run queue's Redis connection was already broken: %s", exc)
            with contextlib.suppress(RedisError, OSError):
                await self.queue.redis.aclose()


class SaqWorker:
    """Works the run queue in this process: a saq worker whose jobs are the host's executions."""

    def __init__(self, queue: SaqQueue, host: RunHost, leases: Leases, *, concurrency: int) -> None:
        self._queue = queue
        self._host = host
        self._worker = Worker(
            queue.queue,
            functions=[(JOB_FUNCTION, self._execute_run)],
            concurrency=concurrency,
            timers=_TIMERS,
            shutdown_grace_period_s=0,
        )
        self._worker.SIGNALS = []  # the process handles its signals (see `flowloom worker`)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start taking jobs."""
        self._task = asyncio.get_running_loop().create_task(self._worker.start())

    async def stop(self, grace: float) -> None:
        """Take no more jobs, let executions finish for `grace` seconds, hand the rest back."""
        self._queue.queue.paused = True
        await self._host.drain(grace)
        await self._worker.stop()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _execute_run(self, ctx: Context, *, run_id: str, generation: int) -> None:
        await self._host.execute(Ticket(UUID(run_id), generation))
