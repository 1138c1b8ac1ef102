"""Piccolo tables of the runs slice: runs, node runs and the run event log."""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    UUID,
    BigSerial,
    Boolean,
    ForeignKey,
    Integer,
    Numeric,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.constraints import Unique
from piccolo.table import Table

from backend.accounts.tables import Workspace
from backend.db.columns import created_at, updated_at, uuid_pk, workspace_fk
from backend.workflows.tables import Workflow


class Run(Table, tablename="runs"):
    """One execution of a pinned workflow version."""

    id = uuid_pk()
    workspace_id = workspace_fk(Workspace)
    workflow_id = ForeignKey(references=Workflow, on_delete=OnDelete.cascade, null=False, index=True)
    version = Integer()
    status = Varchar(length=16, index=True)
    inputs = JSONB(null=True, default=None)
    output = JSONB(null=True, default=None)
    error = Text(null=True, default=None)
    usage = JSONB(null=True, default=None)
    last_seq = Integer(default=0)
    created_at = created_at()
    updated_at = updated_at()
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    heartbeat_at = Timestamptz(null=True, default=None)
    lease_owner = UUID(null=True, default=None)
    lease_expires_at = Timestamptz(null=True, default=None)
    dispatched_at = Timestamptz(null=True, default=None)
    dispatches = Integer(default=0)
    cancel_requested_at = Timestamptz(null=True, default=None)
    events_pruned_at = Timestamptz(null=True, default=None)  # retention (m0011)
    events_pruned_seq = Integer(default=0)  # events with seq up to this were pruned
    node_data_pruned_at = Timestamptz(null=True, default=None)
    node_data_pruning = Boolean(default=False)  # its node runs are still being pruned
    trigger_id = UUID(null=True, default=None)  # what started the run (m0009); no foreign key
    trigger_kind = Varchar(length=16, null=True, default=None)
    cost_usd = Numeric()  # generated from usage (m0010): never written


class NodeRun(Table, tablename="node_runs"):
    """One iteration of one node within a run: its rendered input, output, error and usage.

    The primary key is (run_id, node_id, iteration); Piccolo models single-column keys only, so
    `run_id` stands in for it here. Rows are written by the run store's raw SQL, never by Piccolo.
    """

    run_id = UUID(primary_key=True)  # rows go with their run (a trigger on runs), see m0004
    workspace_id = UUID()  # the run's workspace
    node_id = Varchar(length=64)
    iteration = Integer(default=0)
    status = Varchar(length=16)
    attempts = Integer(default=0)
    input = JSONB(null=True, default=None)
    output = JSONB(null=True, default=None)
    branch = Varchar(length=64, null=True, default=None)
    error = Text(null=True, default=None)
    usage = JSONB(null=True, default=None)
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    ord = BigSerial()
    cost_usd = Numeric()  # generated from usage (m0010): never written
    pruned_at = Timestamptz(null=True, default=None)  # input and output pruned (m0011)


class RunEvent(Table, tablename="run_events"):
    """The ordered, gap-free log of what happened in a run; subscribers replay it.

    The primary key is (run_id, seq); Piccolo models single-column keys only, so `run_id` stands in
    for it here. Rows are written by the run store's raw SQL, never by Piccolo.
    """

    run_id = UUID(primary_key=True)  # rows go with their run (a trigger on runs), see m0004
    workspace_id = UUID()  # the run's workspace
    seq = Integer()
    type = Varchar(length=32)
    node_id = Varchar(length=64, null=True, default=None)
    at = Timestamptz()
    data = JSONB(null=True, default=None)


class HumanTask(Table, tablename="human_tasks"):
    """A human node waiting for input; the approval inbox lists the open ones."""

    id = uuid_pk()
    workspace_id = workspace_fk(Workspace)
    run_id = ForeignKey(references=Run, on_delete=OnDelete.cascade, null=False)
    node_id = Varchar(length=64)
    iteration = Integer(default=0)
    prompt = Text()
    schema = JSONB()
    status = Varchar(length=8)
    input = JSONB(null=True, default=None)
    created_at = created_at()
    due_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    budget = Text(null=True, default=None)  # a budget hold's budget id (m0010)
    unique_task = Unique(["run_id", "node_id", "iteration"])


class NodeTest(Table, tablename="node_tests"):
    """One node executed on its own from the editor, kept apart from the run history.

    Only the newest `KEPT_NODE_TESTS` of each (workflow, node) are kept; see NodeTestRepository.
    """

    id = uuid_pk()
    workspace_id = workspace_fk(Workspace)
    workflow_id = ForeignKey(references=Workflow, on_delete=OnDelete.cascade, null=False)
    node_id = Varchar(length=64)
    kind = Varchar(length=32)
    status = Varchar(length=16)
    input = JSONB(null=True, default=None)
    output = JSONB(null=True, default=None)
    error = Text(null=True, default=None)
    branch = Varchar(length=64, null=True, default=None)
    usage = JSONB(null=True, default=None)
    tested_by = UUID(null=True, default=None)  # the user; no foreign key, like audit events
    started_at = Timestamptz()
    finished_at = Timestamptz()
