"""The database a process's settings select: the embedded cluster or DATABASE_URL, migrated or checked."""

from __future__ import annotations

import logging

import anyio

from backend.db.database import Database, DatabaseSetupError
from backend.db.embedded import start_embedded
from backend.settings import Settings

log = logging.getLogger(__name__)


async def database_dsn(settings: Settings) -> str:
    """The DSN of Flowloom's database: DATABASE_URL, or the embedded cluster (started or joined)."""
    if settings.database_url is not None:
        return settings.database_url
    return await anyio.to_thread.run_sync(start_embedded, settings.home)


async def open_database(settings: Settings, *, migrate: bool | None = None) -> Database:
    """Open the database with its pool started, its schema brought up to date or checked.

    Args:
        settings: The process's settings.
        migrate: Apply pending migrations (True), or refuse to run with any (False). None means
            True in the embedded mode, where this process owns its database, and False with a
            configured DATABASE_URL, where `flowloom migrate` is an explicit deploy step and a
            stale schema is an error rather than something every replica races to fix.

    Raises:
        DatabaseSetupError: The database is unreachable, lacks pgvector, or its schema is behind.
    """
    db = await Database.open(await database_dsn(settings))
    if settings.embedded if migrate is None else migrate:
        applied = await db.migrate()
        if applied:
            log.info("applied migrations %s", ", ".join(applied))
    else:
        pending = await db.pending_migrations()
        if pending:
            raise DatabaseSetupError(
                f"the database schema is {len(pending)} migration(s) behind: run flowloom migrate"
            )
    await db.start()
    return db
