"""The PostgreSQL RunStore: run state read with plain queries, written by group commit."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias
from uuid import UUID

import asyncpg
import msgspec
from asyncpg.pool import PoolConnectionProxy

from backend.runs.commit_sql import COMMIT_SQL, commit_parameters, decode_usage, encode_json
from backend.runs.group_commit import GroupCommitter, refusal, refused
from engine.records import (
    HumanTask,
    NodeRun,
    NodeStatus,
    RunRecord,
    RunState,
    RunStatus,
    TaskStatus,
    Transition,
)

RUN_COLUMNS = ", ".join(
    [
        "id",
        "workspace_id",
        "workflow_id",
        "version",
        "status",
        "inputs",
        "output",
        "error",
        "usage",
        "last_seq",
        "created_at",
        "started_at",
        "finished_at",
    ]
)
NODE_COLUMNS = ", ".join(
    [
        "run_id",
        "node_id",
        "iteration",
        "status",
        "attempts",
        "input",
        "output",
        "error",
        "branch",
        "usage",
        "started_at",
        "finished_at",
    ]
)
TASK_COLUMNS = ", ".join(
    [
        "run_id",
        "workspace_id",
        "node_id",
        "iteration",
        "prompt",
        "schema",
        "status",
        "input",
        "created_at",
        "due_at",
        "closed_at",
        "budget",
    ]
)


Connection: TypeAlias = "asyncpg.Connection[Any] | PoolConnectionProxy[Any]"


@dataclass(frozen=True)
class RunOrigin:
    """What started a run other than a person or token calling startRun: a trigger (m0009)."""

    trigger_id: UUID
    trigger_kind: str
    """`webhook` or `schedule`."""


def _json(raw: str | None) -> Any:
    """A jsonb column's value as asyncpg returns it (text)."""
    return None if raw is None else msgspec.json.decode(raw)


def _as_is(value: Any) -> Any:
    """A value inside a JSON aggregate, decoded with the aggregate."""
    return value


_NODE_TIMES = ("started_at", "finished_at")
_TASK_TIMES = ("created_at", "due_at", "closed_at")


def _timestamps(row: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """A row decoded from JSON, its ids and timestamps (strings in JSON) parsed back."""
    for key in keys:
        if row[key] is not None:
            row[key] = datetime.fromisoformat(row[key])
    for key in ("run_id", "workspace_id"):
        row[key] = UUID(row[key])
    return row


def run_record(row: Mapping[str, Any]) -> RunRecord:
    """A RunRecord from a `runs` row."""
    return RunRecord(
        id=row["id"],
        workspace_id=row["workspace_id"],
        workflow_id=row["workflow_id"],
        version=row["version"],
        status=RunStatus(row["status"]),
        inputs=_json(row["inputs"]),
        created_at=row["created_at"],
        output=_json(row["output"]),
        error=row["error"],
        usage=decode_usage(row["usage"]),
        last_seq=row["last_seq"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
    )


def node_run(row: Mapping[str, Any], json: Callable[[Any], Any] = _json) -> NodeRun:
    """A NodeRun from a `node_runs` row (`json` decodes its jsonb columns)."""
    return NodeRun(
        run_id=row["run_id"],
        node_id=row["node_id"],
        iteration=row["iteration"],
        status=NodeStatus(row["status"]),
        attempts=row["attempts"],
        input=json(row["input"]),
        output=json(row["output"]),
        error=row["error"],
        branch=row["branch"],
        usage=decode_usage(row["usage"]),
        started_at=row["started_at"],
        finished_at=row["finished_at"],
    )


def human_task(row: Mapping[str, Any], json: Callable[[Any], Any] = _json) -> HumanTask:
    """A HumanTask from a `human_tasks` row (`json` decodes its jsonb columns)."""
    return HumanTask(
        run_id=row["run_id"],
        workspace_id=row["workspace_id"],
        node_id=row["node_id"],
        iteration=row["iteration"],
        prompt=row["prompt"],
        schema=json(row["schema"]),
        status=TaskStatus(row["status"]),
        created_at=row["created_at"],
        due_at=row["due_at"],
        input=json(row["input"]),
        closed_at=row["closed_at"],
        budget=row.get("budget"),
    )


_LOAD_SQL = f"""
SELECT {", ".join("r." + column for column in RUN_COLUMNS.split(", "))},
    (SELECT json_agg(n ORDER BY n.ord) FROM node_runs n WHERE n.run_id = r.id) AS nodes,
    (SELECT json_agg(t ORDER BY t.created_at) FROM human_tasks t WHERE t.run_id = r.id) AS tasks
FROM runs r WHERE r.id = $1
"""  # noqa: S608 - only the constant column list is interpolated


async def _insert(
    connection: Connection, run: RunRecord, node_runs: Sequence[NodeRun], origin: RunOrigin | None
) -> None:
    await connection.execute(
        "INSERT INTO runs (id, workspace_id, workflow_id, version, status, inputs, last_seq, "
        "created_at, trigger_id, trigger_kind) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10)",
        run.id,
        run.workspace_id,
        run.workflow_id,
        run.version,
        run.status.value,
        encode_json(run.inputs),
        run.last_seq,
        run.created_at,
        None if origin is None else origin.trigger_id,
        None if origin is None else origin.trigger_kind,
    )
    if node_runs:
        # the same statement as every commit: a transition that adds rows and no events
        transition = Transition(run, run.last_seq, tuple(node_runs))
        await connection.fetch(COMMIT_SQL, *commit_parameters([transition], None))


class PostgresRunStore:
    """RunStore over the `runs`, `node_runs`, `run_events` and `human_tasks` tables."""

    def __init__(
        self, pool: asyncpg.Pool[Any], *, owner: UUID | None = None, batches_in_flight: int = 2
    ) -> None:
        """`owner`: the lease holder this process commits as (`backend.runs.leases`); None commits
        only to runs nobody holds."""
        self._pool = pool
        self._committer = GroupCommitter(pool, owner=owner, batches_in_flight=batches_in_flight)

    async def create(
        self,
        run: RunRecord,
        node_runs: Sequence[NodeRun] = (),
        *,
        origin: RunOrigin | None = None,
        connection: Connection | None = None,
    ) -> None:
        """Insert a new run and the node runs it starts from, in one transaction (the caller's, when
        it passes its `connection`), recording its `origin`.

        Raises:
            UnstorableTransitionError: PostgreSQL refused what the run carries; nothing was inserted.
        """
        try:
            if connection is not None:
                async with connection.transaction():  # a savepoint inside the caller's transaction
                    await _insert(connection, run, node_runs, origin)
                return
            async with self._pool.acquire() as acquired, acquired.transaction():
                await _insert(acquired, run, node_runs, origin)
        except Exception as exc:
            if refused(exc):
                raise refusal(exc) from exc
            raise

    async def load(self, run_id: UUID) -> RunState | None:
        """The run, its node runs in recording order, and its human tasks: one round trip."""
        async with self._pool.acquire() as connection:
            row = await connection.fetchrow(_LOAD_SQL, run_id)
        if row is None:
            return None
        nodes = msgspec.json.decode(row["nodes"]) if row["nodes"] else []
        tasks = msgspec.json.decode(row["tasks"]) if row["tasks"] else []
        return RunState(
            run=run_record(row),
            node_runs=tuple(node_run(_timestamps(node, _NODE_TIMES), _as_is) for node in nodes),
            tasks=tuple(human_task(_timestamps(task, _TASK_TIMES), _as_is) for task in tasks),
        )

    async def commit(self, transition: Transition) -> None:
        """Make a transition durable (grouped with those of other runs)."""
        await self._committer.commit(transition)

    async def close(self) -> None:
        """Finish pending writes."""
        await self._committer.close()
