"""Run leases and dispatch: which process executes a run, and which runs are handed to the queue.

- `lease_owner`/`lease_expires_at`: the one process allowed to change the run, renewed by its
  heartbeat (`heartbeat_at`); every commit of run state checks it.
- `dispatched_at`: the run was handed to the queue (admitted); `dispatches` counts those hand-overs
  and names the queue entry (`<run id>:<dispatches>`), so a re-dispatch is a new entry.
- `cancel_requested_at`: a cancel asked for while another process executed the run; whoever
  executes it next records it.

`reconciler_passes` holds when the last reconciler pass ran: every executing process tries every
few seconds, and one pass per interval is enough however many processes there are.

Two partial indexes keep the scheduler's questions small: the runs in the queue (per workspace),
and the executable runs not yet in it (oldest first, per workspace).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.db.sql_migration import sql_migration

ID = "2026-12-03T07:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "run leases and dispatch"

SQL = """
ALTER TABLE runs ADD COLUMN lease_owner uuid;
ALTER TABLE runs ADD COLUMN lease_expires_at timestamptz;
ALTER TABLE runs ADD COLUMN dispatched_at timestamptz;
ALTER TABLE runs ADD COLUMN dispatches integer NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN cancel_requested_at timestamptz;
CREATE INDEX runs_dispatched ON runs (workspace_id) WHERE dispatched_at IS NOT NULL;
CREATE INDEX runs_undispatched ON runs (workspace_id, created_at)
    WHERE dispatched_at IS NULL AND status IN ('PENDING', 'RUNNING');
CREATE TABLE reconciler_passes (id smallint PRIMARY KEY, last_pass_at timestamptz NOT NULL);
INSERT INTO reconciler_passes VALUES (1, '-infinity');
"""

DROP_SQL = """
DROP TABLE IF EXISTS reconciler_passes;
DROP INDEX IF EXISTS runs_undispatched;
DROP INDEX IF EXISTS runs_dispatched;
ALTER TABLE runs DROP COLUMN IF EXISTS cancel_requested_at;
ALTER TABLE runs DROP COLUMN IF EXISTS dispatches;
ALTER TABLE runs DROP COLUMN IF EXISTS dispatched_at;
ALTER TABLE runs DROP COLUMN IF EXISTS lease_expires_at;
ALTER TABLE runs DROP COLUMN IF EXISTS lease_owner;
"""


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL, DROP_SQL)
