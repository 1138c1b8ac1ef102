"""GraphQL types of the accounts slice."""

from __future__ import annotations

from datetime import datetime

import strawberry

from backend.accounts.records import UserRecord, WorkspaceRecord
from backend.accounts.roles import Role

# The accounts slice's enum is the GraphQL enum (one source of truth for the names); registered here
# once, and imported from here by every GraphQL module that uses it.
strawberry.enum(Role, name="Role", description="A member's or a token's role, lowest first.")

__all__ = ["Role", "User", "Workspace"]


@strawberry.type(description="A team's space; everything you create belongs to one.")
class Workspace:
    id: strawberry.ID
    slug: str
    name: str
    role: Role = strawberry.field(description="Your role in it.")

    @classmethod
    def from_record(cls, record: WorkspaceRecord) -> Workspace:
        """Build from a workspace record."""
        return cls(id=strawberry.ID(str(record.id)), slug=record.slug, name=record.name, role=record.role)


@strawberry.type(description="A person, as seen in the workspace they are acting in.")
class User:
    id: strawberry.ID
    email: str
    display_name: str
    role: str = strawberry.field(description="Your role in `workspace`.")
    workspace: Workspace = strawberry.field(description="The workspace this request acts in.")
    created_at: datetime

    @classmethod
    def from_record(cls, record: UserRecord) -> User:
        """Build from a user record."""
        return cls(
            id=strawberry.ID(str(record.id)),
            email=record.email,
            display_name=record.display_name,
            role=record.role,
            workspace=Workspace(
                id=strawberry.ID(str(record.workspace_id)),
                slug=record.workspace_slug,
                name=record.workspace_name,
                role=record.role,
            ),
            created_at=record.created_at,
        )
