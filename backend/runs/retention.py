"""Retention: deleting what finished runs no longer need, in small batches beside live writers.

Three settings (README, "Settings"), each 0 to keep forever, each counted from a run's
`finished_at` and only ever applied to finished runs (SUCCEEDED, FAILED, CANCELLED):

- **runs**: the run is deleted with its node runs, events and human tasks;
- **events**: its event log is deleted (a replay returns what is left: nothing, or the events of
  a retry made afterwards); `runs.events_pruned_seq` says up to where;
- **node data**: its node runs' inputs and outputs become NULL with `pruned_at` set (status,
  timings, attempts, usage stay), its node events lose their `input` and `output` (or references
  to them) and say `"pruned": true` instead; the run can no longer be retried or re-run from a node.

Beside a retry (FAILED → RUNNING, in whichever process takes the run's lease):

- runs a lease is held on are skipped until the next pass;
- node data (and a run to delete) is *marked* first, in one short `UPDATE … FOR UPDATE SKIP
  LOCKED`: a retry takes the lease before it changes anything and refuses a marked run, so no
  retry reuses outputs being nulled. `node_data_pruning` stays set until the rows are done, so a
  pass that died half-way is finished by the next one;
- events are deleted only up to the seq the run had when it was read, and the run is marked
  afterwards (unless it was retried and finished again meanwhile: then it is due again later).

Rows go `batch_size` at a time, each statement its own transaction, so no writer ever waits for
more than one small statement.

Every executing process runs passes in the background (`start`); a session advisory lock lets one
process prune at a time and `reconciler_passes` row 2 one pass per interval, as for the reconciler.
`flowloom prune` runs one pass at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeAlias
from uuid import UUID

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from backend.periodic import repeat_forever
from backend.runs import retention_sql as sql
from engine.graph import Problem

if TYPE_CHECKING:
    from backend.settings import Settings

log = logging.getLogger(__name__)

_Connection: TypeAlias = "asyncpg.Connection[Any] | PoolConnectionProxy[Any]"

LOCK_KEY = 0x466C6F7750727565  # "FlowPrue"
"""The session advisory lock of the one process pruning at a time."""
PASSES_ROW = 2
"""The row of `reconciler_passes` that records the last pruning pass (row 1 is the reconciler's)."""

PRUNED_MESSAGE = "its node inputs and outputs were pruned (retention), so there is nothing to reuse"
"""Why a pruned run can be neither retried nor re-run from a node."""


def pruned_problem() -> Problem:
    """The problem a re-run from a node of a pruned run returns."""
    return Problem(code="NODE_DATA_PRUNED", message=f"the run cannot be re-run: {PRUNED_MESSAGE}")


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How long finished runs keep what (in days; 0 keeps forever) and how much one statement does."""

    events_days: float = 0
    node_data_days: float = 0
    runs_days: float = 0
    batch_size: int = 2000

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise ValueError("the pruning batch size must be at least 1")
        if min(self.events_days, self.node_data_days, self.runs_days) < 0:
            raise ValueError("retention periods must be 0 (keep forever) or more days")

    @classmethod
    def from_settings(cls, settings: Settings) -> RetentionPolicy:
        """The policy the settings ask for (README, "Settings": FLOWLOOM_RETENTION_*)."""
        return cls(
            events_days=settings.retention_events_days,
            node_data_days=settings.retention_node_data_days,
            runs_days=settings.retention_runs_days,
            batch_size=settings.prune_batch_size,
        )

    @property
    def enabled(self) -> bool:
        """Whether anything is ever pruned."""
        return bool(self.events_days or self.node_data_days or self.runs_days)


@dataclass(frozen=True, slots=True)
class PruneReport:
    """What one pass deleted or pruned (with `dry_run`: would have); all zero when it did not act."""

    acted: bool
    dry_run: bool = False
    runs_deleted: int = 0
    """Finished runs deleted, with everything they held."""
    runs_events_pruned: int = 0
    """Runs whose event log was deleted."""
    events_deleted: int = 0
    """Events deleted (those of deleted runs included)."""
    runs_node_data_pruned: int = 0
    """Runs whose node inputs and outputs were pruned."""
    node_runs_pruned: int = 0
    """Node runs whose input and output were pruned (those of deleted runs: deleted, counted there)."""
    node_runs_deleted: int = 0
    """Node runs deleted with their run."""
    node_events_pruned: int = 0
    """NODE_STARTED and NODE_SUCCEEDED events whose input or output was removed with the node data."""
    statements: int = 0
    """Batched statements run (each its own transaction)."""

    def counts(self) -> dict[str, int]:
        """The figures by name, for the command line and log records."""
        return {
            "runs_deleted": self.runs_deleted,
            "runs_events_pruned": self.runs_events_pruned,
            "events_deleted": self.events_deleted,
            "runs_node_data_pruned": self.runs_node_data_pruned,
            "node_runs_pruned": self.node_runs_pruned,
            "node_runs_deleted": self.node_runs_deleted,
            "node_events_pruned": self.node_events_pruned,
            "statements": self.statements,
        }


@dataclass(slots=True)
class _Tally:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, value: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + value


def _report(counts: dict[str, int], *, dry_run: bool) -> PruneReport:
    def count(name: str) -> int:
        return int(counts.get(name, 0))

    return PruneReport(
        acted=True,
        dry_run=dry_run,
        runs_deleted=count("runs_deleted"),
        runs_events_pruned=count("runs_events_pruned"),
        events_deleted=count("events_deleted"),
        runs_node_data_pruned=count("runs_node_data_pruned"),
        node_runs_pruned=count("node_runs_pruned"),
        node_runs_deleted=count("node_runs_deleted"),
        node_events_pruned=count("node_events_pruned"),
        statements=count("statements"),
    )


def _affected(status: str) -> int:
    """Rows of an asyncpg command status (`DELETE 3`, `UPDATE 2`)."""
    return int(status.rsplit(" ", 1)[-1])


class Pruner:
    """Applies a retention policy to PostgreSQL, a batch at a time."""

    def __init__(
        self,
        pool: asyncpg.Pool[Any],
        policy: RetentionPolicy,
        *,
        seconds: float = 3600.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """`seconds`: the interval of background passes (`start`); `clock`: now, for the cutoffs."""
        self._pool = pool
        self.policy = policy
        self._seconds = seconds
        self._clock = clock
        self._task: asyncio.Task[None] | None = None
        self.passes = 0
        """Passes this pruner made (not counting those another process made in its stead)."""

    def start(self) -> None:
        """Prune every `seconds` until `stop` (nothing at all when the policy keeps everything)."""
        if self.policy.enabled:
            self._task = asyncio.get_running_loop().create_task(self._forever())

    async def stop(self) -> None:
        """Stop pruning (a batch in flight is rolled back with its connection)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _cutoff(self, days: float) -> datetime | None:
        return None if not days else self._clock() - timedelta(days=days)

    async def prune(self, *, dry_run: bool = False, force: bool = False) -> PruneReport:
        """One pass, unless another process is pruning right now, or one did less than an interval
        ago (`force` skips only the latter; so does `dry_run`, which changes nothing)."""
        policy = self.policy
        if not policy.enabled:
            return PruneReport(acted=True, dry_run=dry_run)
        async with self._pool.acquire() as connection:
            if not await connection.fetchval("SELECT pg_try_advisory_lock($1)", LOCK_KEY):
                return PruneReport(acted=False, dry_run=dry_run)
            try:
                if not (force or dry_run) and not await connection.fetchval(
                    sql.CLAIM_TURN_SQL, PASSES_ROW, self._seconds * 0.8
                ):
                    return PruneReport(acted=False)
                if dry_run:
                    report = await self._count(connection)
                else:
                    report = await self._prune(connection)
                    self.passes += 1
            finally:
                await connection.execute("SELECT pg_advisory_unlock($1)", LOCK_KEY)
        if not dry_run and any(report.counts()[name] for name in report.counts() if name != "statements"):
            log.info(
                "retention pass: %s", " ".join(f"{name}={value}" for name, value in report.counts().items())
            )
        return report

    async def _prune(self, connection: _Connection) -> PruneReport:
        tally = _Tally()
        runs_cutoff = self._cutoff(self.policy.runs_days)
        if runs_cutoff is not None:
            await self._delete_runs(connection, runs_cutoff, tally)
        events_cutoff = self._cutoff(self.policy.events_days)
        if events_cutoff is not None:
            await self._prune_events(connection, events_cutoff, tally)
        node_cutoff = self._cutoff(self.policy.node_data_days)
        if node_cutoff is not None:
            await self._prune_node_data(connection, node_cutoff, tally)
        return _report(tally.counts, dry_run=False)

    async def _batches(
        self, connection: _Connection, sql: str, *args: object, tally: _Tally, name: str
    ) -> None:
        """Run `sql` (its last parameter is the batch size) until it affects fewer rows than that."""
        size = self.policy.batch_size
        while True:
            affected = _affected(await connection.execute(sql, *args, size))
            tally.add("statements", 1)
            tally.add(name, affected)
            if affected < size:
                return

    async def _delete_runs(self, connection: _Connection, cutoff: datetime, tally: _Tally) -> None:
        size = self.policy.batch_size
        while True:
            ids = [row["id"] for row in await connection.fetch(sql.MARK_RUNS_SQL, cutoff, size)]
            tally.add("statements", 1)
            if not ids:
                return
            # children first, a batch at a time: the trigger on runs would delete them in one go
            await self._batches(
                connection, sql.DELETE_ALL_EVENTS_SQL, ids, tally=tally, name="events_deleted"
            )
            await self._batches(
                connection, sql.DELETE_NODE_RUNS_SQL, ids, tally=tally, name="node_runs_deleted"
            )
            tally.add("runs_deleted", _affected(await connection.execute(sql.DELETE_RUNS_SQL, ids)))
            tally.add("statements", 1)
            if len(ids) < size:
                return

    async def _prune_events(self, connection: _Connection, cutoff: datetime, tally: _Tally) -> None:
        size = self.policy.batch_size
        while True:
            due = await connection.fetch(sql.DUE_EVENTS_SQL, cutoff, size)
            tally.add("statements", 1)
            if not due:
                return
            ids: list[UUID] = [row["id"] for row in due]
            upto: list[int] = [row["last_seq"] for row in due]
            await self._batches(
                connection, sql.DELETE_EVENTS_SQL, ids, upto, tally=tally, name="events_deleted"
            )
            marked = await connection.execute(
                sql.MARK_EVENTS_SQL, ids, upto, [row["finished_at"] for row in due]
            )
            tally.add("statements", 1)
            tally.add("runs_events_pruned", _affected(marked))
            if len(due) < size:
                return

    async def _prune_node_data(self, connection: _Connection, cutoff: datetime, tally: _Tally) -> None:
        size = self.policy.batch_size
        while True:  # what a pass that died half-way marked
            ids = [row["id"] for row in await connection.fetch(sql.UNFINISHED_NODE_DATA_SQL, size)]
            tally.add("statements", 1)
            if not ids:
                break
            await self._null_node_data(connection, ids, tally)
        while True:
            ids = [row["id"] for row in await connection.fetch(sql.MARK_NODE_DATA_SQL, cutoff, size)]
            tally.add("statements", 1)
            if not ids:
                return
            tally.add("runs_node_data_pruned", len(ids))
            await self._null_node_data(connection, ids, tally)
            if len(ids) < size:
                return

    async def _null_node_data(self, connection: _Connection, ids: list[UUID], tally: _Tally) -> None:
        await self._batches(connection, sql.PRUNE_NODE_RUNS_SQL, ids, tally=tally, name="node_runs_pruned")
        await self._batches(
            connection, sql.PRUNE_NODE_EVENTS_SQL, ids, tally=tally, name="node_events_pruned"
        )
        await connection.execute(sql.NODE_DATA_DONE_SQL, ids)
        tally.add("statements", 1)

    async def _count(self, connection: _Connection) -> PruneReport:
        """What `_prune` would do now: runs due for deletion, then events and node data of the others."""
        counts: dict[str, int] = {}
        floor = datetime.min.replace(tzinfo=UTC)
        runs_cutoff = self._cutoff(self.policy.runs_days)
        if runs_cutoff is not None:
            row = (await connection.fetch(sql.COUNT_RUNS_SQL, runs_cutoff))[0]
            counts.update(
                runs_deleted=row["runs"], node_runs_deleted=row["node_runs"], events_deleted=row["events"]
            )
            floor = runs_cutoff  # older runs are deleted before their events or node data are pruned
        events_cutoff = self._cutoff(self.policy.events_days)
        if events_cutoff is not None and events_cutoff > floor:
            row = (await connection.fetch(sql.COUNT_EVENTS_SQL, events_cutoff, floor))[0]
            counts["runs_events_pruned"] = row["runs"]
            counts["events_deleted"] = counts.get("events_deleted", 0) + row["events"]
        node_cutoff = self._cutoff(self.policy.node_data_days)
        if node_cutoff is not None and node_cutoff > floor:
            row = (await connection.fetch(sql.COUNT_NODE_DATA_SQL, node_cutoff, floor))[0]
            counts.update(runs_node_data_pruned=row["runs"], node_runs_pruned=row["node_runs"])
        return _report(counts, dry_run=True)

    async def _forever(self) -> None:
        await repeat_forever(self.prune, self._seconds, "pruning runs", log)
