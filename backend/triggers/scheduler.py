"""The scheduler: fires each due schedule exactly once per tick, however many processes run one.

Every process that does background work (the embedded `flowloom serve`, each `flowloom worker`)
polls for enabled schedules whose `next_fire_at` has come, about once a second. A tick is claimed
with a compare-and-set (`UPDATE … SET next_fire_at = <following tick> WHERE next_fire_at = <tick>`)
in the same transaction that creates the tick's run and records the fire, whose (trigger, tick) is
unique: one process wins, the others' updates find nothing, and a process that dies before
committing leaves the tick to the next poll. So a tick is neither lost nor fired twice.

After downtime, the missed ticks fire once, as the earliest of them, and the schedule moves to its
first tick after now: catching up at most once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from backend.runs.records import InvalidRunInputs
from backend.runs.starting import RunStarter, StartProblem
from backend.runs.store import RunOrigin
from backend.triggers.records import TriggerKind, TriggerRecord
from backend.triggers.repository import TriggerRepository, claim_tick, record_fire, stored_inputs
from backend.triggers.schedule import next_tick
from engine.records import RunRecord

log = logging.getLogger(__name__)


def _why(problem: StartProblem) -> str:
    if isinstance(problem, InvalidRunInputs):
        return "; ".join(f"{item.path}: {item.message}" for item in problem.problems)
    return problem.message


class Scheduler:
    """Polls for due schedules and starts their runs through the `RunStarter`."""

    def __init__(
        self,
        repository: TriggerRepository,
        starter: RunStarter,
        *,
        poll_seconds: float = 1.0,
        batch: int = 100,
    ) -> None:
        self._repository = repository
        self._starter = starter
        self._poll = poll_seconds
        self._batch = batch
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start polling in the background."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._loop(), name="trigger-scheduler")

    async def stop(self) -> None:
        """Stop polling (a fire in progress is rolled back and stays due)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def poll(self) -> int:
        """Fire every schedule that is due now; how many ticks this process fired."""
        fired = 0
        for trigger in await self._repository.due(self._batch):
            try:
                fired += await self.fire(trigger)
            except Exception:
                log.exception("firing schedule %s (workflow %s) failed", trigger.id, trigger.workflow_id)
        return fired

    async def fire(self, trigger: TriggerRecord) -> bool:
        """Claim the trigger's due tick and start its run; False when another process had it."""
        tick, cron, zone = trigger.next_fire_at, trigger.cron, trigger.timezone
        if tick is None or cron is None or zone is None:
            return False
        following = next_tick(cron, zone, max(tick, datetime.now(UTC)))
        run = await self._starter.prepare(
            trigger.workspace_id, str(trigger.workflow_id), stored_inputs(trigger.inputs)
        )
        async with self._repository.pool.acquire() as connection, connection.transaction():
            if not await claim_tick(connection, trigger.id, tick, following):
                return False
            run_id = run.id if isinstance(run, RunRecord) else None
            error = None if isinstance(run, RunRecord) else _why(run)
            # the unique (trigger, tick) is the last guard; the run's foreign key is checked at commit
            if not await record_fire(connection, trigger, run_id, scheduled_for=tick, error=error):
                return False
            if isinstance(run, RunRecord):
                origin = RunOrigin(trigger.id, TriggerKind.SCHEDULE.value)
                await self._starter.create(run, origin=origin, connection=connection)
        if isinstance(run, RunRecord):
            await self._starter.admit(trigger.workspace_id)
        else:
            log.warning("schedule %s fired for %s but started no run: %s", trigger.id, tick, run)
        return True  # the tick fired, with or without a run

    async def _loop(self) -> None:
        while True:
            fired = 0
            try:
                fired = await self.poll()
            except Exception:
                log.exception("polling schedules failed; polling again in %g s", self._poll)
            if fired < self._batch:
                await asyncio.sleep(self._poll)
