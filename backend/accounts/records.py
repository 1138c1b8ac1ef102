"""Plain data of the accounts slice, crossing from the repository to services and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True)
class Principal:
    """Who is calling: the authenticated user acting within one workspace."""

    user_id: UUID
    workspace_id: UUID
    role: str


@dataclass(frozen=True)
class UserRecord:
    """A user as the API shows it, with the workspace the caller is acting in."""

    id: UUID
    email: str
    display_name: str
    workspace_id: UUID
    workspace_slug: str
    workspace_name: str
    role: str
    created_at: datetime


@dataclass(frozen=True)
class IssuedToken:
    """A freshly created API token; `secret` is shown once and never stored."""

    id: UUID
    name: str
    secret: str
    workspace_slug: str
