"""Where each run's trace begins, so every process that executes a part of the run joins that trace.

`carrier` holds the W3C trace context (`traceparent`, `tracestate`) of a span made when the run was
created, inside the request (or trigger) that created it; a run created while tracing was off gets
one from its first traced execution. Rows exist only while traces are exported.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.db.sql_migration import sql_migration

ID = "2026-12-03T13:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the trace context each run's executions continue"

SQL = """
CREATE TABLE run_traces (
    run_id uuid PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    carrier jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
"""

DROP_SQL = """
DROP TABLE IF EXISTS run_traces;
"""


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL, DROP_SQL)
