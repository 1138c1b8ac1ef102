"""Piccolo tables of the accounts slice: workspaces, users, memberships and API tokens."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.constraints import Unique
from piccolo.table import Table

from backend.db.columns import created_at, updated_at, uuid_pk, workspace_fk


class Workspace(Table, tablename="workspaces"):
    """A team's space: every workflow, run, credential and collection belongs to exactly one."""

    id = uuid_pk()
    slug = Varchar(length=64, unique=True)
    name = Varchar(length=200)
    created_at = created_at()
    updated_at = updated_at()


class User(Table, tablename="users"):
    """A person who signs in; the embedded mode has a single local owner."""

    id = uuid_pk()
    email = Varchar(length=320, unique=True)
    display_name = Varchar(length=200)
    created_at = created_at()
    updated_at = updated_at()


class Membership(Table, tablename="memberships"):
    """A user's role in a workspace."""

    id = uuid_pk()
    workspace_id = workspace_fk(Workspace)
    user_id = ForeignKey(references=User, on_delete=OnDelete.cascade, null=False, index=True)
    role = Varchar(length=16)
    created_at = created_at()
    updated_at = updated_at()
    unique_member = Unique(["workspace_id", "user_id"])


class ApiToken(Table, tablename="api_tokens"):
    """A bearer token; only its SHA-256 digest is stored."""

    id = uuid_pk()
    workspace_id = workspace_fk(Workspace)
    user_id = ForeignKey(references=User, on_delete=OnDelete.cascade, null=False, index=True)
    name = Varchar(length=200)
    token_hash = Varchar(length=64, unique=True)
    prefix = Varchar(length=16)
    created_at = created_at()
    last_used_at = Timestamptz(null=True, default=None)
