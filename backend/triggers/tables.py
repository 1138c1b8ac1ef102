"""Piccolo tables of the triggers slice.

The slice reads and writes with raw SQL through asyncpg (backend/triggers/repository.py): a
schedule's tick is claimed with a compare-and-set and fired in the same transaction as the run it
starts. These declarations mirror migrations/flowloom/m0009 so the schema test can check the columns.
"""

from __future__ import annotations

from piccolo.columns import JSONB, UUID, Boolean, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.constraints import Unique
from piccolo.table import Table

from backend.accounts.tables import Workspace
from backend.db.columns import created_at, updated_at, uuid_pk, workspace_fk
from backend.runs.tables import Run
from backend.workflows.tables import Workflow


class Trigger(Table, tablename="triggers"):
    """A webhook or a schedule that starts runs of one workflow."""

    id = uuid_pk()
    workspace_id = workspace_fk(Workspace)
    workflow_id = ForeignKey(references=Workflow, on_delete=OnDelete.cascade, null=False)
    kind = Varchar(length=16)
    name = Varchar(length=128)
    enabled = Boolean(default=True)
    secret = Text(null=True, default=None)  # a webhook's secret, encrypted (SecretBox)
    require_signature = Boolean(default=False)
    cron = Varchar(length=200, null=True, default=None)
    timezone = Varchar(length=64, null=True, default=None)
    inputs = JSONB(null=True, default=None)
    next_fire_at = Timestamptz(null=True, default=None)
    last_fired_at = Timestamptz(null=True, default=None)
    created_by = UUID(null=True, default=None)  # the user; no foreign key, like audit events
    created_at = created_at()
    updated_at = updated_at()


class TriggerFire(Table, tablename="trigger_fires"):
    """One fire of a trigger: a webhook delivery or a schedule tick, and the run it started."""

    id = uuid_pk()
    workspace_id = workspace_fk(Workspace)
    trigger_id = ForeignKey(references=Trigger, on_delete=OnDelete.cascade, null=False)
    run_id = ForeignKey(references=Run, on_delete=OnDelete.cascade, null=True)
    delivery_id = Varchar(length=200, null=True, default=None)
    scheduled_for = Timestamptz(null=True, default=None)
    error = Text(null=True, default=None)
    fired_at = created_at()
    unique_trigger_delivery = Unique(["trigger_id", "delivery_id"])
    unique_trigger_tick = Unique(["trigger_id", "scheduled_for"])
