"""The reconciler's background passes, when the database fails them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from uuid import uuid4

import asyncpg
import pytest

from backend.runs.admission import Admission
from backend.runs.dispatch import InProcessQueue
from backend.runs.reconciler import Reconciler
from backend.services import Services


class Schema:
    """A PostgreSQL schema of its own, empty until `restore` gives it views of the real tables."""

    def __init__(self, admin: asyncpg.Connection, name: str) -> None:
        self.admin = admin
        self.name = name

    async def restore(self) -> None:
        for table in ("human_tasks", "runs", "reconciler_passes"):
            await self.admin.execute(f"CREATE VIEW {self.name}.{table} AS SELECT * FROM public.{table}")


@pytest.fixture
async def empty_schema(postgres_dsn: str, services: Services) -> AsyncIterator[Schema]:
    admin = await asyncpg.connect(postgres_dsn)
    schema = Schema(admin, f"sweep_{uuid4().hex[:12]}")
    await admin.execute(f"CREATE SCHEMA {schema.name}")
    yield schema
    await admin.execute(f"DROP SCHEMA {schema.name} CASCADE")
    await admin.close()


async def wait_for_record(
    caplog: pytest.LogCaptureFixture, matches: Callable[[logging.LogRecord], bool], within: float = 10
) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not any(matches(record) for record in caplog.records):
        assert asyncio.get_running_loop().time() < deadline, [r.getMessage() for r in caplog.records]
        await asyncio.sleep(0.01)


async def test_a_failing_reconciler_is_logged_once_and_goes_on_until_it_works_again(
    postgres_dsn: str, empty_schema: Schema, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="backend.runs.reconciler")
    # the reconciler's queries find no tables on this search path: a real database error every pass
    pool = await asyncpg.create_pool(
        postgres_dsn, min_size=1, max_size=2, server_settings={"search_path": empty_schema.name}
    )
    queue = InProcessQueue(concurrency=1)
    reconciler = Reconciler(pool, Admission(pool, queue, per_workspace=1), seconds=0.01, queue_grace=5)
    reconciler.start()
    try:
        await wait_for_record(caplog, lambda record: "(3 in a row)" in record.getMessage())
        await empty_schema.restore()
        await wait_for_record(caplog, lambda record: "works again" in record.getMessage())
    finally:
        await reconciler.stop()
        await queue.close()
        await pool.close()

    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert [record.getMessage() for record in errors] == ["reconciling runs failed; retrying every 0.01 s"]
    assert errors[0].exc_info is not None
    assert isinstance(errors[0].exc_info[1], asyncpg.UndefinedTableError)
