"""A run's trace: begun where the run is created, continued by every execution of it.

A run outlives the request that starts it and may be executed in parts by several processes (a
worker dies, a human answers a day later). So the run's trace context is stored (`run_traces`):
creating a run opens a short `run created` span, a child of the current request's span (startRun,
a webhook) or a root (a schedule), and saves its context; each execution is a `run` span under it,
and each node attempt a span under that execution. One trace per run, however many processes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeAlias
from uuid import UUID

import asyncpg
import msgspec
from asyncpg.pool import PoolConnectionProxy
from opentelemetry import propagate
from opentelemetry.context import Context
from opentelemetry.trace import SpanKind, Tracer

from engine.records import RunRecord

Connection: TypeAlias = "asyncpg.Connection[Any] | PoolConnectionProxy[Any]"
"""A connection, or one lent by a pool."""

_SAVE_SQL = "INSERT INTO run_traces (run_id, carrier) VALUES ($1, $2::jsonb) ON CONFLICT (run_id) DO NOTHING"
_LOAD_SQL = "SELECT carrier FROM run_traces WHERE run_id = $1"


class RunTraces:
    """Begins and continues the traces of runs; does nothing (no query) when traces are off."""

    def __init__(self, pool: asyncpg.Pool, tracer: Tracer | None) -> None:
        self._pool = pool
        self._tracer = tracer

    async def begin(self, run: RunRecord, trigger: str, *, connection: Connection | None = None) -> None:
        """Open and close the run's `run created` span, and store its context for the executions
        (in `connection`'s transaction when given: the one that creates the run)."""
        if self._tracer is None:
            return
        attributes = {
            "flowloom.run.id": str(run.id),
            "flowloom.workspace.id": str(run.workspace_id),
            "flowloom.workflow.id": str(run.workflow_id),
            "flowloom.run.trigger": trigger,
        }
        with self._tracer.start_as_current_span("run created", kind=SpanKind.PRODUCER, attributes=attributes):
            carrier: dict[str, str] = {}
            propagate.inject(carrier)
        if not carrier:
            return
        encoded = msgspec.json.encode(carrier).decode()
        if connection is not None:
            await connection.execute(_SAVE_SQL, run.id, encoded)
            return
        async with self._pool.acquire() as pooled:
            await pooled.execute(_SAVE_SQL, run.id, encoded)

    @asynccontextmanager
    async def executing(self, run_id: UUID, workspace_id: UUID, workflow_id: UUID) -> AsyncIterator[None]:
        """The `run` span of one execution, current within the block, in the run's trace."""
        if self._tracer is None:
            yield
            return
        async with self._pool.acquire() as connection:
            stored = await connection.fetchval(_LOAD_SQL, run_id)
        parent: Context | None = None
        if stored is not None:
            parent = propagate.extract(msgspec.json.decode(stored, type=dict[str, str]))
        attributes = {
            "flowloom.run.id": str(run_id),
            "flowloom.workspace.id": str(workspace_id),
            "flowloom.workflow.id": str(workflow_id),
        }
        with self._tracer.start_as_current_span(
            "run", context=parent, kind=SpanKind.CONSUMER, attributes=attributes
        ):
            if stored is None:
                # a run created while traces were off: its later executions join this one's trace
                carrier: dict[str, str] = {}
                propagate.inject(carrier)
                await self._save(run_id, carrier)
            yield

    async def _save(self, run_id: UUID, carrier: dict[str, str]) -> None:
        if not carrier:
            return
        async with self._pool.acquire() as connection:
            await connection.execute(_SAVE_SQL, run_id, msgspec.json.encode(carrier).decode())
