"""Piccolo table of the costs slice.

The slice reads and writes with raw SQL through asyncpg (backend/costs/repository.py); this
declaration mirrors migrations/flowloom/m0010 so the schema test can check its columns.
"""

from __future__ import annotations

from piccolo.columns import UUID, ForeignKey, Numeric, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from backend.accounts.tables import Workspace
from backend.db.columns import created_at, updated_at, uuid_pk, workspace_fk
from backend.workflows.tables import Workflow


class Budget(Table, tablename="budgets"):
    """A limit on what a workspace, a workflow or a run may spend (USD) per day, month or run."""

    id = uuid_pk()
    workspace_id = workspace_fk(Workspace)
    workflow_id = ForeignKey(references=Workflow, on_delete=OnDelete.cascade, null=True, default=None)
    run_id = UUID(null=True, default=None)  # a cap given at startRun; the foreign key is in m0010
    period = Varchar(length=8)
    limit_usd = Numeric()
    created_at = created_at()
    updated_at = updated_at()
