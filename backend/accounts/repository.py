"""SQL of the accounts slice."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from backend.accounts.records import Principal, UserRecord
from backend.accounts.tables import ApiToken, Membership, User, Workspace


class AccountsRepository:
    """Reads and writes workspaces, users, memberships and tokens."""

    async def ensure_workspace(self, slug: str, name: str) -> UUID:
        """The id of the workspace `slug`, creating it if needed (safe under concurrency)."""
        await Workspace.raw(
            "INSERT INTO workspaces (slug, name) VALUES ({}, {}) ON CONFLICT (slug) DO NOTHING", slug, name
        ).run()
        row = await Workspace.select(Workspace.id).where(Workspace.slug == slug).first().run()
        if row is None:  # inserted or already there just above, unless deleted in between
            raise LookupError(f"workspace {slug} vanished while it was being created")
        return UUID(str(row["id"]))

    async def workspace_id(self, slug: str) -> UUID | None:
        """The id of the workspace `slug`, or None."""
        row = await Workspace.select(Workspace.id).where(Workspace.slug == slug).first().run()
        return None if row is None else UUID(str(row["id"]))

    async def ensure_member(self, workspace_id: UUID, email: str, display_name: str, role: str) -> UUID:
        """The id of the user `email`, creating the user and the membership if needed."""
        await User.raw(
            "INSERT INTO users (email, display_name) VALUES ({}, {}) ON CONFLICT (email) DO NOTHING",
            email,
            display_name,
        ).run()
        user = await User.select(User.id).where(User.email == email).first().run()
        if user is None:
            raise LookupError(f"user {email} vanished while it was being created")
        user_id = UUID(str(user["id"]))
        await Membership.raw(
            "INSERT INTO memberships (workspace_id, user_id, role) VALUES ({}, {}, {}) "
            "ON CONFLICT (workspace_id, user_id) DO NOTHING",
            workspace_id,
            user_id,
            role,
        ).run()
        return user_id

    async def first_owner(self, workspace_id: UUID) -> UUID | None:
        """The earliest owner of a workspace."""
        row = (
            await Membership.select(Membership.user_id)
            .where((Membership.workspace_id == workspace_id) & (Membership.role == "owner"))
            .order_by(Membership.created_at)
            .first()
            .run()
        )
        return None if row is None else UUID(str(row["user_id"]))

    async def insert_token(
        self, workspace_id: UUID, user_id: UUID, name: str, token_hash: str, prefix: str
    ) -> UUID:
        """Store a token digest; returns the token's id."""
        rows = (
            await ApiToken.insert(
                ApiToken(
                    workspace_id=workspace_id,
                    user_id=user_id,
                    name=name,
                    token_hash=token_hash,
                    prefix=prefix,
                )
            )
            .returning(ApiToken.id)
            .run()
        )
        return UUID(str(rows[0]["id"]))

    async def principal_for_token(self, token_hash: str) -> tuple[Principal, datetime | None] | None:
        """The principal a token digest stands for, and when the token was last used."""
        rows = await ApiToken.raw(
            "SELECT t.id, t.user_id, t.workspace_id, m.role, t.last_used_at FROM api_tokens t "
            "JOIN memberships m ON m.workspace_id = t.workspace_id AND m.user_id = t.user_id "
            "WHERE t.token_hash = {}",
            token_hash,
        ).run()
        if not rows:
            return None
        row = rows[0]
        principal = Principal(user_id=row["user_id"], workspace_id=row["workspace_id"], role=row["role"])
        return principal, row["last_used_at"]

    async def touch_token(self, token_hash: str) -> None:
        """Record that a token was just used."""
        await ApiToken.raw(
            "UPDATE api_tokens SET last_used_at = now() WHERE token_hash = {}", token_hash
        ).run()

    async def user(self, principal: Principal) -> UserRecord | None:
        """The calling user, as seen in the workspace they act in."""
        rows = await User.raw(
            "SELECT u.id, u.email, u.display_name, u.created_at, w.id AS workspace_id, w.slug, w.name, "
            "m.role FROM users u JOIN memberships m ON m.user_id = u.id "
            "JOIN workspaces w ON w.id = m.workspace_id WHERE u.id = {} AND w.id = {}",
            principal.user_id,
            principal.workspace_id,
        ).run()
        if not rows:
            return None
        row = rows[0]
        return UserRecord(
            id=row["id"],
            email=row["email"],
            display_name=row["display_name"],
            workspace_id=row["workspace_id"],
            workspace_slug=row["slug"],
            workspace_name=row["name"],
            role=row["role"],
            created_at=row["created_at"],
        )
