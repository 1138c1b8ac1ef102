"""Piccolo tables of the workflows slice: workflows and their immutable versions."""

from __future__ import annotations

from piccolo.columns import JSONB, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.constraints import Unique
from piccolo.table import Table

from backend.accounts.tables import Workspace
from backend.db.columns import created_at, updated_at, uuid_pk, workspace_fk


class Workflow(Table, tablename="workflows"):
    """A workflow's identity and its current version (a copy of the newest version's definition)."""

    id = uuid_pk()
    workspace_id = workspace_fk(Workspace)
    name = Varchar(length=200)
    version = Integer(default=1)
    definition = JSONB()
    created_at = created_at()
    updated_at = updated_at()
    deleted_at = Timestamptz(null=True, default=None)


class WorkflowVersion(Table, tablename="workflow_versions"):
    """One saved definition of a workflow; never updated, so a run can pin it."""

    id = uuid_pk()
    workspace_id = workspace_fk(Workspace)
    workflow_id = ForeignKey(references=Workflow, on_delete=OnDelete.cascade, null=False, index=True)
    version = Integer()
    definition = JSONB()
    created_at = created_at()
    unique_version = Unique(["workflow_id", "version"])
