"""The `postgres` mode of bench/engine.py: the engine on PostgresRunStore (group commit, fsync on).

One embedded PostgreSQL 18 serves every repetition of a benchmark process; each repetition gets a
fresh store (and so a fresh group committer) on the shared pool.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID, uuid4

import anyio
from pydantic import JsonValue

from backend.accounts.repository import AccountsRepository
from backend.accounts.service import AccountsService
from backend.db.database import Database
from backend.db.embedded import start_embedded
from backend.runs.store import PostgresRunStore
from backend.workflows.repository import WorkflowRepository
from engine.execution import Engine
from engine.nodes.base import ExecutorFunction
from engine.records import RunRecord, RunStatus
from engine.testing import DiscardingEventSink, memory_services

_shared: tuple[Database, UUID, UUID] | None = None


async def _database() -> tuple[Database, UUID, UUID]:
    """The shared database, with a workspace and a workflow that benchmark runs belong to."""
    global _shared  # noqa: PLW0603 - one server per benchmark process, made on first use
    if _shared is None:
        home = Path(tempfile.mkdtemp(prefix="flowloom-bench-engine-"))
        db = await Database.open(await anyio.to_thread.run_sync(start_embedded, home))
        await db.migrate()
        await db.start(max_size=8)
        owner = await AccountsService(AccountsRepository()).ensure_default_workspace("bench")
        definition = {"nodes": [{"id": "n", "type": "template", "params": {"template": "x"}}]}
        workflow = await WorkflowRepository().create(owner.workspace_id, "bench", definition)
        _shared = (db, owner.workspace_id, workflow.id)
    return _shared


@asynccontextmanager
async def postgres_harness(
    executors: Mapping[str, ExecutorFunction],
) -> AsyncIterator[tuple[Engine, PostgresRunStore, Callable[[JsonValue], RunRecord]]]:
    """An engine on a fresh PostgresRunStore over the shared database."""
    db, workspace_id, workflow_id = await _database()
    store = PostgresRunStore(db.pool)
    engine = Engine(
        store=store, events=DiscardingEventSink(), services=memory_services(), executors=executors
    )

    def new_run(inputs: JsonValue) -> RunRecord:
        return RunRecord(
            id=uuid4(),
            workspace_id=workspace_id,
            workflow_id=workflow_id,
            version=1,
            status=RunStatus.PENDING,
            inputs=inputs,
            created_at=datetime.now(UTC),
        )

    try:
        yield engine, store, new_run
    finally:
        await store.close()
