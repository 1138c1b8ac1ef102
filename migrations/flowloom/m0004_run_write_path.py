"""A leaner write path for run state: natural keys, no redundant foreign keys or indexes.

Every node boundary of every run writes node runs and events, so each index, key default and
foreign-key trigger on them is paid thousands of times a second (measured: dropping the run and
workspace foreign keys alone took chain10 at concurrency 8 from 364 to 421 runs/s).

- The natural keys replace surrogate ids that nothing reads.
- Their workspace is their run's: the workspace foreign keys and indexes only cost.
- The run foreign keys are replaced by construction and a trigger: the run store inserts these
  rows only joined to the run row it updates in the same statement, and deleting runs (rare)
  deletes their node runs and events in one statement-level trigger.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.db.sql_migration import sql_migration

ID = "2026-11-25T03:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "lean run write path"

SQL = """
ALTER TABLE node_runs DROP CONSTRAINT node_runs_workspace_id_fkey;
ALTER TABLE node_runs DROP CONSTRAINT node_runs_run_id_fkey;
DROP INDEX node_runs_workspace_id;
DROP INDEX node_runs_run;
ALTER TABLE node_runs DROP CONSTRAINT node_runs_pkey;
ALTER TABLE node_runs DROP COLUMN id;
ALTER TABLE node_runs DROP CONSTRAINT unique_iteration;
ALTER TABLE node_runs ADD PRIMARY KEY (run_id, node_id, iteration);

ALTER TABLE run_events DROP CONSTRAINT run_events_workspace_id_fkey;
ALTER TABLE run_events DROP CONSTRAINT run_events_run_id_fkey;
DROP INDEX run_events_workspace_id;
ALTER TABLE run_events DROP CONSTRAINT run_events_pkey;
ALTER TABLE run_events DROP COLUMN id;
ALTER TABLE run_events DROP CONSTRAINT unique_seq;
ALTER TABLE run_events ADD PRIMARY KEY (run_id, seq);

CREATE FUNCTION delete_run_children() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM node_runs n USING deleted d WHERE n.run_id = d.id;
    DELETE FROM run_events e USING deleted d WHERE e.run_id = d.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER runs_delete_children AFTER DELETE ON runs
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION delete_run_children();
"""

DROP_SQL = """
DROP TRIGGER runs_delete_children ON runs;
DROP FUNCTION delete_run_children();
ALTER TABLE run_events DROP CONSTRAINT run_events_pkey;
ALTER TABLE run_events ADD CONSTRAINT unique_seq UNIQUE (run_id, seq);
ALTER TABLE run_events ADD COLUMN id bigserial PRIMARY KEY;
CREATE INDEX run_events_workspace_id ON run_events (workspace_id);
ALTER TABLE run_events ADD CONSTRAINT run_events_workspace_id_fkey
    FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE;
ALTER TABLE run_events ADD CONSTRAINT run_events_run_id_fkey
    FOREIGN KEY (run_id) REFERENCES runs (id) ON DELETE CASCADE;

ALTER TABLE node_runs DROP CONSTRAINT node_runs_pkey;
ALTER TABLE node_runs ADD CONSTRAINT unique_iteration UNIQUE (run_id, node_id, iteration);
ALTER TABLE node_runs ADD COLUMN id uuid PRIMARY KEY DEFAULT gen_random_uuid();
CREATE INDEX node_runs_run ON node_runs (run_id, ord);
CREATE INDEX node_runs_workspace_id ON node_runs (workspace_id);
ALTER TABLE node_runs ADD CONSTRAINT node_runs_workspace_id_fkey
    FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE;
ALTER TABLE node_runs ADD CONSTRAINT node_runs_run_id_fkey
    FOREIGN KEY (run_id) REFERENCES runs (id) ON DELETE CASCADE;
"""


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL, DROP_SQL)
