"""Piccolo table of the credentials slice."""

from __future__ import annotations

from piccolo.columns import Text, Varchar
from piccolo.constraints import Unique
from piccolo.table import Table

from backend.accounts.tables import Workspace
from backend.db.columns import created_at, updated_at, uuid_pk, workspace_fk


class Credential(Table, tablename="credentials"):
    """A provider's API key (encrypted at rest) and base URL for one workspace."""

    id = uuid_pk()
    workspace_id = workspace_fk(Workspace)
    provider = Varchar(length=32)
    secret = Text()
    base_url = Text(null=True, default=None)
    created_at = created_at()
    updated_at = updated_at()
    unique_provider = Unique(["workspace_id", "provider"])
