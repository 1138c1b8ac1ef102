"""The PostgreSQL connection of one Flowloom process: checks, migrations and the pool."""

from __future__ import annotations

import contextlib
import io
import logging
import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from pgvector.asyncpg import register_vector
from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from backend.db import piccolo_conf
from backend.db.piccolo_app import APP_NAME, MIGRATIONS_FOLDER, TABLES

log = logging.getLogger(__name__)

MIN_PGVECTOR = (0, 8)
KNOWLEDGE_SEARCH_SETTINGS = "SET hnsw.iterative_scan = relaxed_order; SET hnsw.ef_search = 100"
# An arbitrary constant shared by every Flowloom process: migrations take this advisory lock.
MIGRATION_LOCK_KEY = 0x466C6F776C6F6F6D


class DatabaseSetupError(Exception):
    """The database cannot be used as it is; the message says what to do, in one line."""


def redact(dsn: str) -> str:
    """The DSN without its password, for messages."""
    parts = urlsplit(dsn)
    if parts.password is None:
        return dsn
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


@dataclass(eq=False)  # asyncpg keeps query loggers in a set, so this must stay hashable
class StatementCounter:
    """Counts SQL statements sent through the pool (tests and benchmarks compare counts)."""

    total: int = 0

    def __call__(self, _record: object) -> None:
        self.total += 1


class _Engine(PostgresEngine):
    """Piccolo's engine without its connect-at-construction checks.

    Piccolo's constructor connects synchronously to read the server version and create
    extensions; `Database.open` does both, asynchronously and with typed errors.
    """

    async def check_version(self) -> None:
        return None

    async def prep_database(self) -> None:
        return None


@dataclass
class Database:
    """One PostgreSQL database, opened by the composition root and closed on shutdown."""

    dsn: str
    engine: PostgresEngine
    statements: StatementCounter = field(default_factory=StatementCounter)

    @classmethod
    async def open(cls, dsn: str) -> Database:
        """Check that the server is usable and bind Flowloom's tables to it (no pool yet)."""
        try:
            connection = await asyncpg.connect(dsn, timeout=10)
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            raise DatabaseSetupError(f"cannot connect to PostgreSQL at {redact(dsn)}: {exc}") from exc
        try:
            await _check_pgvector(connection, dsn)
        finally:
            await connection.close()
        engine = _Engine(config={"dsn": dsn})
        # Piccolo finds engines through PICCOLO_CONF; point it at the module we fill in.
        os.environ["PICCOLO_CONF"] = piccolo_conf.__name__
        piccolo_conf.DB = engine
        tables: tuple[type[Table], ...] = (*TABLES, Migration)
        for table in tables:
            table._meta.db = engine
        return cls(dsn=dsn, engine=engine)

    async def pending_migrations(self) -> list[str]:
        """Ids of the migrations in migrations/ that have not run on this database."""
        await Migration.create_table(if_not_exists=True).run()  # type: ignore[no-untyped-call]
        ran = set(await Migration.get_migrations_which_ran(app_name=APP_NAME))
        return sorted(_migration_ids() - ran)

    async def migrate(self) -> list[str]:
        """Apply every pending migration, one process at a time; returns the ids applied."""
        connection = await asyncpg.connect(self.dsn, timeout=10)
        try:
            await connection.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
            pending = await self.pending_migrations()
            if pending:
                output = io.StringIO()
                with contextlib.redirect_stdout(output):
                    result = await run_forwards(app_name=APP_NAME)
                log.debug("piccolo: %s", output.getvalue())
                if not result.success:
                    raise DatabaseSetupError(f"migration failed: {result.message}")
            return pending
        finally:
            await connection.close()

    async def start(self, *, max_size: int = 10) -> None:
        """Open the connection pool (vector codecs and the statement counter on every connection)."""
        await self.engine.start_connection_pool(
            min_size=1, max_size=max_size, init=self._init_connection, reset=_keep_session
        )

    async def _init_connection(self, connection: asyncpg.Connection[Any]) -> None:
        await register_vector(connection)
        # the same on every connection, so pooled connections stay interchangeable: filtered vector
        # searches go on scanning the HNSW index until they have enough rows (pgvector 0.8), and
        # every search considers 100 candidates (recall 1.00 at about 0.3 ms, STACK.md)
        await connection.execute(KNOWLEDGE_SEARCH_SETTINGS)
        connection.add_query_logger(self.statements)

    @property
    def pool(self) -> asyncpg.Pool[Any]:
        """The asyncpg pool, for the raw-SQL paths (run state, vectors)."""
        if self.engine.pool is None:
            raise RuntimeError("Database.start() has not been called")
        return self.engine.pool

    async def close(self) -> None:
        """Close the pool if it is open."""
        if self.engine.pool is not None:
            await self.engine.close_connection_pool()


async def _keep_session(_connection: asyncpg.Connection[Any]) -> None:
    """Skip asyncpg's reset-on-release (`pg_advisory_unlock_all(); CLOSE ALL; …`).

    The default reset costs a round trip every time a connection goes back to the pool, i.e. on
    every statement run outside a transaction. Pooled connections hold no session state of their own
    (no LISTEN, cursors or advisory locks: migrations lock on a connection of their own; the only
    SETs are made once per connection, the same on all, in `_init_connection`).
    """


def _migration_ids() -> set[str]:
    return set(BaseMigrationManager().get_migration_modules(str(MIGRATIONS_FOLDER)))


async def _check_pgvector(connection: asyncpg.Connection[Any], dsn: str) -> None:
    row = await connection.fetchrow(
        "SELECT default_version, installed_version FROM pg_available_extensions WHERE name = 'vector'"
    )
    wanted = ".".join(map(str, MIN_PGVECTOR))
    if row is None:
        raise DatabaseSetupError(
            f"PostgreSQL at {redact(dsn)} has no pgvector extension: Flowloom needs pgvector >= {wanted}; "
            "install it (Debian/Ubuntu: apt install postgresql-<major>-pgvector; Docker: the "
            "pgvector/pgvector image) and run flowloom migrate again"
        )
    installed = row["installed_version"] or row["default_version"]
    if _version_tuple(installed) < MIN_PGVECTOR:
        raise DatabaseSetupError(
            f"PostgreSQL at {redact(dsn)} has pgvector {installed}: Flowloom needs >= {wanted}; "
            "upgrade the package and run ALTER EXTENSION vector UPDATE"
        )
