"""Piccolo tables of the accounts slice: workspaces, users, memberships and API tokens."""

from __future__ import annotations

from piccolo.columns import JSONB, UUID, ForeignKey, Timestamptz, Varchar
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
    deleted_at = Timestamptz(null=True, default=None)


class User(Table, tablename="users"):
    """A person who signs in; the embedded mode has a single local owner."""

    id = uuid_pk()
    email = Varchar(length=320, unique=True)
    display_name = Varchar(length=200)
    password_hash = Varchar(length=255, null=True, default=None)
    """argon2id; None for users who sign in only through an OpenID provider (or not yet at all)."""
    password_changed_at = Timestamptz(null=True, default=None)
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
    role = Varchar(length=16)
    """The token's own role; requests take the lower of it and its creator's current role."""
    created_at = created_at()
    last_used_at = Timestamptz(null=True, default=None)
    expires_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class UserIdentity(Table, tablename="user_identities"):
    """An account at an OpenID provider (`provider`, `subject`) linked to a user."""

    id = uuid_pk()
    user_id = ForeignKey(references=User, on_delete=OnDelete.cascade, null=False, index=True)
    provider = Varchar(length=64)
    subject = Varchar(length=255)
    email = Varchar(length=320, null=True, default=None)
    created_at = created_at()
    unique_identity = Unique(["provider", "subject"])


class Session(Table, tablename="sessions"):
    """A signed-in browser; the cookie holds the secret, the row its SHA-256."""

    id = uuid_pk()
    user_id = ForeignKey(references=User, on_delete=OnDelete.cascade, null=False, index=True)
    secret_hash = Varchar(length=64, unique=True)
    address = Varchar(length=64, null=True, default=None)
    user_agent = Varchar(length=300, null=True, default=None)
    created_at = created_at()
    last_seen_at = Timestamptz()
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)


class AccountLink(Table, tablename="account_links"):
    """A one-time link: first-owner setup, an invitation, or a password reset."""

    id = uuid_pk()
    kind = Varchar(length=16)
    secret_hash = Varchar(length=64, unique=True)
    workspace_id = ForeignKey(references=Workspace, on_delete=OnDelete.cascade, null=True, index=True)
    user_id = ForeignKey(references=User, on_delete=OnDelete.cascade, null=True, index=False)
    email = Varchar(length=320, null=True, default=None)
    role = Varchar(length=16, null=True, default=None)
    created_by = ForeignKey(references=User, on_delete=OnDelete.set_null, null=True, index=False)
    created_at = created_at()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class OidcFlow(Table, tablename="oidc_flows"):
    """An OpenID sign-in in progress, bound to the browser that began it by a cookie."""

    id = uuid_pk()
    provider = Varchar(length=64)
    binding_hash = Varchar(length=64, unique=True)
    state = Varchar(length=200)
    nonce = Varchar(length=200)
    code_verifier = Varchar(length=200)
    next_path = Varchar(length=2000)
    created_at = created_at()
    expires_at = Timestamptz()


class AuditEvent(Table, tablename="audit_events"):
    """Who did what to whom, when and from where (no foreign keys: the record outlives its subjects)."""

    id = uuid_pk()
    workspace_id = UUID(null=True, default=None)
    actor_user_id = UUID(null=True, default=None)
    actor_token_id = UUID(null=True, default=None)
    actor_email = Varchar(length=320, null=True, default=None)
    action = Varchar(length=64)
    target = Varchar(length=400, null=True, default=None)
    address = Varchar(length=64, null=True, default=None)
    details = JSONB()
    at = Timestamptz()
