"""Piccolo migrations written as SQL.

Flowloom's migrations are SQL scripts run by Piccolo's migration runner, so the DDL is explicit
(composite keys, partial indexes, extensions) while Piccolo keeps track of what ran.
"""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

from backend.db.piccolo_app import APP_NAME


async def execute_script(sql: str) -> None:
    """Run a multi-statement SQL script in the migration's transaction.

    Piccolo's `run_ddl` goes through asyncpg's `fetch`, which accepts a single statement only;
    `execute` without arguments uses the simple-query protocol, which takes a whole script.
    """
    engine = engine_finder()
    if not isinstance(engine, PostgresEngine):
        raise TypeError("Flowloom migrations need a PostgreSQL engine")
    transaction = engine.current_transaction.get()
    if transaction is not None:
        await transaction.connection.execute(sql)
        return
    connection = await engine.get_new_connection()
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def sql_migration(migration_id: str, description: str, forwards: str, backwards: str) -> MigrationManager:
    """A migration that runs `forwards` (and `backwards` to undo it) in one transaction."""
    manager = MigrationManager(migration_id=migration_id, app_name=APP_NAME, description=description)

    async def run_forwards() -> None:
        await execute_script(forwards)

    async def run_backwards() -> None:
        await execute_script(backwards)

    manager.add_raw(run_forwards)
    manager.add_raw_backwards(run_backwards)
    return manager
