"""Costs and budgets: what runs and node runs cost, budgets per workspace, workflow and run, and
which human tasks are budget holds.

- `runs.cost_usd` and `node_runs.cost_usd` are generated from the `cost_usd` the engine records in
  their usage (`engine.pricing`), so the run write path (one statement per batch of transitions,
  backend/runs/commit_sql.py) writes nothing more, and sums by day or workflow read a numeric
  column. Adding them rewrites both tables once.
- `budgets`: a limit in USD over a period (DAY, MONTH: calendar, UTC; RUN: each run) for the
  workspace (no workflow), one workflow, or one run (a cap given at startRun).
- `human_tasks.budget`: the key (budget id) of a budget hold; NULL for a human node's task.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.db.sql_migration import sql_migration

ID = "2026-12-03T13:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "costs and budgets"

SQL = """
ALTER TABLE runs ADD COLUMN cost_usd numeric
    GENERATED ALWAYS AS (coalesce((usage->>'cost_usd')::numeric, 0)) STORED NOT NULL;
ALTER TABLE node_runs ADD COLUMN cost_usd numeric
    GENERATED ALWAYS AS (coalesce((usage->>'cost_usd')::numeric, 0)) STORED NOT NULL;
ALTER TABLE human_tasks ADD COLUMN budget text;

CREATE TABLE budgets (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    workflow_id uuid REFERENCES workflows (id) ON DELETE CASCADE,
    run_id uuid REFERENCES runs (id) ON DELETE CASCADE,
    period varchar(8) NOT NULL CHECK (period IN ('DAY', 'MONTH', 'RUN')),
    limit_usd numeric NOT NULL CHECK (limit_usd > 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT budget_of_a_run_is_per_run CHECK (run_id IS NULL OR period = 'RUN'),
    CONSTRAINT unique_budget UNIQUE NULLS NOT DISTINCT (workspace_id, workflow_id, run_id, period)
);
CREATE INDEX budgets_workflow ON budgets (workflow_id) WHERE workflow_id IS NOT NULL;
CREATE INDEX budgets_run ON budgets (run_id) WHERE run_id IS NOT NULL;
"""

DROP_SQL = """
DROP TABLE IF EXISTS budgets;
ALTER TABLE human_tasks DROP COLUMN IF EXISTS budget;
ALTER TABLE node_runs DROP COLUMN IF EXISTS cost_usd;
ALTER TABLE runs DROP COLUMN IF EXISTS cost_usd;
"""


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL, DROP_SQL)
