"""Plain data of the accounts slice, crossing from the repository to services and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from backend.accounts.roles import Role


@dataclass(frozen=True)
class Caller:
    """Who is calling, before any workspace: a person with a browser session, or a program's token."""

    user_id: UUID
    session_id: UUID | None = None
    token_id: UUID | None = None
    address: str | None = None
    """The client's address, for the audit log."""


@dataclass(frozen=True)
class Principal:
    """Who is calling, acting within one workspace with one role."""

    user_id: UUID
    workspace_id: UUID
    role: Role
    token_id: UUID | None = None
    """The API token the request came with (its role is already folded into `role`)."""
    session_id: UUID | None = None
    """The browser session the request came with."""
    address: str | None = None
    """The client's address, for the audit log."""


@dataclass(frozen=True)
class UserRecord:
    """A user as the API shows it, with the workspace the caller is acting in."""

    id: UUID
    email: str
    display_name: str
    workspace_id: UUID
    workspace_slug: str
    workspace_name: str
    role: Role
    created_at: datetime


@dataclass(frozen=True)
class AccountRecord:
    """A person, whatever workspace they act in."""

    id: UUID
    email: str
    display_name: str
    has_password: bool
    created_at: datetime


@dataclass(frozen=True)
class WorkspaceRecord:
    """A workspace as one of its members sees it."""

    id: UUID
    slug: str
    name: str
    role: Role
    """The caller's role in it."""
    created_at: datetime


@dataclass(frozen=True)
class MemberRecord:
    """A member of a workspace."""

    user_id: UUID
    email: str
    display_name: str
    role: Role
    joined_at: datetime


@dataclass(frozen=True)
class TokenRecord:
    """An API token, never its secret."""

    id: UUID
    name: str
    prefix: str
    role: Role
    created_by: str
    """Email of the member who created it."""
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class IssuedToken:
    """A freshly created API token; `secret` is shown once and never stored."""

    id: UUID
    name: str
    secret: str
    workspace_slug: str
    role: Role = Role.OWNER
    expires_at: datetime | None = None


@dataclass(frozen=True)
class IssuedLink:
    """A one-time link just created; `url` carries the secret and is shown once."""

    id: UUID
    kind: str
    url: str
    email: str | None
    role: Role | None
    expires_at: datetime


@dataclass(frozen=True)
class InviteRecord:
    """A pending invitation (its link was shown once, when it was created)."""

    id: UUID
    email: str
    role: Role
    invited_by: str | None
    created_at: datetime
    expires_at: datetime
