"""Retention: what pruning has taken from finished runs, and the indexes that find what is due.

- `runs.events_pruned_at` / `events_pruned_seq`: when the run's events were pruned, and the last
  seq pruned then (events up to it are gone; a run retried afterwards keeps its newer events, and
  a subscription replays from there).
- `runs.node_data_pruned_at`: when its node runs' inputs and outputs were pruned (a run so marked
  can no longer be retried or re-run from a node: there is nothing to reuse); `node_data_pruning`
  while its rows are still being pruned (a pass that died half-way is finished by the next).
- `node_runs.pruned_at`: this node run's input and output were pruned (both NULL since), so
  readers say "pruned" rather than showing NULL as the value.

Each partial index holds only finished runs still due for one kind of pruning, ordered by when
they finished: a pruning pass reads the oldest few of them, however many runs were pruned before.
A run finishing (`status`, `finished_at`) is already a non-HOT update (`runs.status` is indexed),
so the indexes add no cost to the commits in between.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.db.sql_migration import sql_migration

ID = "2026-12-03T13:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "retention"

SQL = """
ALTER TABLE runs ADD COLUMN events_pruned_at timestamptz;
ALTER TABLE runs ADD COLUMN events_pruned_seq integer NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN node_data_pruned_at timestamptz;
ALTER TABLE runs ADD COLUMN node_data_pruning boolean NOT NULL DEFAULT false;
ALTER TABLE node_runs ADD COLUMN pruned_at timestamptz;
CREATE INDEX runs_events_to_prune ON runs (finished_at)
    WHERE status IN ('SUCCEEDED', 'FAILED', 'CANCELLED')
        AND (events_pruned_at IS NULL OR events_pruned_at < finished_at);
CREATE INDEX runs_node_data_to_prune ON runs (finished_at)
    WHERE status IN ('SUCCEEDED', 'FAILED', 'CANCELLED') AND node_data_pruned_at IS NULL;
CREATE INDEX runs_finished ON runs (finished_at) WHERE status IN ('SUCCEEDED', 'FAILED', 'CANCELLED');
CREATE INDEX runs_node_data_pruning ON runs (id) WHERE node_data_pruning;
INSERT INTO reconciler_passes VALUES (2, '-infinity') ON CONFLICT (id) DO NOTHING;
"""

DROP_SQL = """
DELETE FROM reconciler_passes WHERE id = 2;
DROP INDEX IF EXISTS runs_node_data_pruning;
DROP INDEX IF EXISTS runs_finished;
DROP INDEX IF EXISTS runs_node_data_to_prune;
DROP INDEX IF EXISTS runs_events_to_prune;
ALTER TABLE node_runs DROP COLUMN IF EXISTS pruned_at;
ALTER TABLE runs DROP COLUMN IF EXISTS node_data_pruning;
ALTER TABLE runs DROP COLUMN IF EXISTS node_data_pruned_at;
ALTER TABLE runs DROP COLUMN IF EXISTS events_pruned_seq;
ALTER TABLE runs DROP COLUMN IF EXISTS events_pruned_at;
"""


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL, DROP_SQL)
