"""Triggers: webhooks and schedules that start runs of a workflow, and what each fire started.

- `triggers` belong to a workflow. A webhook keeps its secret encrypted (the HMAC of a delivery is
  computed with it, so a digest would not do); a schedule keeps its cron expression, its IANA zone
  and `next_fire_at`, the tick a scheduler claims with a compare-and-set (exactly one process wins).
- `trigger_fires` records each fire: a webhook's delivery id or a schedule's tick is unique per
  trigger, so a replayed delivery returns its run and no tick fires twice. `error` says why a fire
  started no run (the workflow's inputs schema refused the schedule's inputs, say).
- `runs.trigger_id`/`trigger_kind` say what started a run; no foreign key, like audit events: a run
  keeps saying "started by a schedule" after the schedule is deleted.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from backend.db.sql_migration import sql_migration

ID = "2026-12-03T13:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "webhook and schedule triggers"

SQL = """
CREATE TABLE triggers (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    workflow_id uuid NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    kind varchar(16) NOT NULL CHECK (kind IN ('webhook', 'schedule')),
    name varchar(128) NOT NULL,
    enabled boolean NOT NULL DEFAULT true,
    secret text,
    require_signature boolean NOT NULL DEFAULT false,
    cron varchar(200),
    timezone varchar(64),
    inputs jsonb,
    next_fire_at timestamptz,
    last_fired_at timestamptz,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT trigger_schedule CHECK (kind <> 'schedule' OR (cron IS NOT NULL AND timezone IS NOT NULL))
);
CREATE INDEX triggers_workflow ON triggers (workflow_id, created_at);
CREATE INDEX triggers_workspace_id ON triggers (workspace_id);
-- what the schedulers poll every second
CREATE INDEX triggers_due ON triggers (next_fire_at) WHERE kind = 'schedule' AND enabled;

CREATE TABLE trigger_fires (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    trigger_id uuid NOT NULL REFERENCES triggers (id) ON DELETE CASCADE,
    -- checked at commit: a fire is recorded first (its unique key decides who fires), then its run
    run_id uuid REFERENCES runs (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    delivery_id varchar(200),
    scheduled_for timestamptz,
    error text,
    fired_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT unique_trigger_delivery UNIQUE (trigger_id, delivery_id),
    CONSTRAINT unique_trigger_tick UNIQUE (trigger_id, scheduled_for)
);
CREATE INDEX trigger_fires_run ON trigger_fires (run_id) WHERE run_id IS NOT NULL;
CREATE INDEX trigger_fires_workspace_id ON trigger_fires (workspace_id);

ALTER TABLE runs ADD COLUMN trigger_id uuid;
ALTER TABLE runs ADD COLUMN trigger_kind varchar(16);
CREATE INDEX runs_trigger ON runs (trigger_id, created_at DESC) WHERE trigger_id IS NOT NULL;
"""

DROP_SQL = """
DROP INDEX IF EXISTS runs_trigger;
ALTER TABLE runs DROP COLUMN trigger_kind, DROP COLUMN trigger_id;
DROP TABLE IF EXISTS trigger_fires, triggers;
"""


async def forwards() -> MigrationManager:
    return sql_migration(ID, DESCRIPTION, SQL, DROP_SQL)
