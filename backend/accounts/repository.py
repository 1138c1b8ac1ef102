"""SQL of the accounts slice: workspaces, users and memberships."""

from __future__ import annotations

from uuid import UUID

from backend.accounts.records import AccountRecord, Principal, UserRecord, WorkspaceRecord
from backend.accounts.roles import Role
from backend.accounts.tables import Membership, User, Workspace

LIVE = "w.deleted_at IS NULL"
"""Deleted workspaces are invisible to everything but the audit log."""


def acting_membership_sql(user: str) -> str:
    """The SELECT of the (workspace_id, role) a person acts with: their membership of the live
    workspace whose slug is the two `{}` parameters (the same value twice), or with a NULL slug their
    earliest one. `user` is the SQL naming the person (a `{}` parameter, or a column of a query this
    one is joined into)."""
    return (
        "SELECT m.workspace_id, m.role FROM memberships m JOIN workspaces w ON w.id = m.workspace_id "  # noqa: S608 - callers pass SQL of their own, never a value
        f"WHERE m.user_id = {user} AND {LIVE} AND ({{}}::text IS NULL OR w.slug = {{}}) "
        "ORDER BY m.created_at, w.id LIMIT 1"
    )


class AccountsRepository:
    """Reads and writes workspaces, users and memberships."""

    async def ensure_workspace(self, slug: str, name: str) -> UUID:
        """The id of the workspace `slug`, creating it if needed (safe under concurrency)."""
        await Workspace.raw(
            "INSERT INTO workspaces (slug, name) VALUES ({}, {}) ON CONFLICT (slug) DO NOTHING", slug, name
        ).run()
        found = await self.workspace_id(slug)
        if found is None:  # inserted or already there just above, unless deleted in between
            raise LookupError(f"workspace {slug} vanished while it was being created")
        return found

    async def workspace_id(self, slug: str) -> UUID | None:
        """The id of the live workspace `slug`, or None."""
        rows = await Workspace.raw(
            f"SELECT id FROM workspaces w WHERE slug = {{}} AND {LIVE}",  # noqa: S608 - constant
            slug,
        ).run()
        return None if not rows else UUID(str(rows[0]["id"]))

    async def user_id(self, email: str) -> UUID | None:
        """The id of the user with `email` (any case), or None."""
        rows = await User.raw("SELECT id FROM users WHERE lower(email) = lower({})", email).run()
        return None if not rows else UUID(str(rows[0]["id"]))

    async def ensure_member(self, workspace_id: UUID, email: str, display_name: str, role: Role) -> UUID:
        """The id of the user `email`, creating the user and the membership if needed."""
        await User.raw(
            "INSERT INTO users (email, display_name) VALUES ({}, {}) ON CONFLICT DO NOTHING",
            email,
            display_name,
        ).run()
        user_id = await self.user_id(email)
        if user_id is None:
            raise LookupError(f"user {email} vanished while it was being created")
        await self.add_member(workspace_id, user_id, role)
        return user_id

    async def add_member(self, workspace_id: UUID, user_id: UUID, role: Role) -> bool:
        """Make `user_id` a member; False when they already were (their role is left as it was)."""
        rows = await Membership.raw(
            "INSERT INTO memberships (workspace_id, user_id, role) VALUES ({}, {}, {}) "
            "ON CONFLICT (workspace_id, user_id) DO NOTHING RETURNING id",
            workspace_id,
            user_id,
            role.value,
        ).run()
        return bool(rows)

    async def first_owner(self, workspace_id: UUID) -> UUID | None:
        """The earliest owner of a workspace."""
        row = (
            await Membership.select(Membership.user_id)
            .where((Membership.workspace_id == workspace_id) & (Membership.role == Role.OWNER.value))
            .order_by(Membership.created_at)
            .first()
            .run()
        )
        return None if row is None else UUID(str(row["user_id"]))

    async def credentials(self, email: str) -> tuple[UUID, str | None] | None:
        """The id and password hash of the user with `email`, or None."""
        rows = await User.raw(
            "SELECT id, password_hash FROM users WHERE lower(email) = lower({})", email
        ).run()
        return None if not rows else (rows[0]["id"], rows[0]["password_hash"])

    async def password_hash(self, user_id: UUID) -> str | None:
        """A user's password hash (None: no password)."""
        rows = await User.raw("SELECT password_hash FROM users WHERE id = {}", user_id).run()
        return None if not rows else rows[0]["password_hash"]

    async def create_user(self, email: str, display_name: str, password_hash: str | None) -> UUID | None:
        """A new user's id; None when the email is taken (in any case)."""
        rows = await User.raw(
            "INSERT INTO users (email, display_name, password_hash, password_changed_at) "
            "VALUES ({}, {}, {}, CASE WHEN {}::text IS NULL THEN NULL ELSE now() END) "
            "ON CONFLICT DO NOTHING RETURNING id",
            email,
            display_name,
            password_hash,
            password_hash,
        ).run()
        return None if not rows else rows[0]["id"]

    async def set_password(self, user_id: UUID, password_hash: str) -> None:
        """Replace a user's password hash."""
        await User.raw(
            "UPDATE users SET password_hash = {}, password_changed_at = now(), updated_at = now() "
            "WHERE id = {}",
            password_hash,
            user_id,
        ).run()

    async def claim_placeholder_owner(
        self, workspace_id: UUID, placeholder_email: str, email: str, display_name: str, password_hash: str
    ) -> UUID | None:
        """Turn the embedded mode's passwordless local owner into a real person; None if there is none."""
        rows = await User.raw(
            "UPDATE users u SET email = {}, display_name = {}, password_hash = {}, "
            "password_changed_at = now(), updated_at = now() FROM memberships m "
            "WHERE m.user_id = u.id AND m.workspace_id = {} AND m.role = 'owner' AND u.email = {} "
            "AND u.password_hash IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM user_identities i WHERE i.user_id = u.id) RETURNING u.id",
            email,
            display_name,
            password_hash,
            workspace_id,
            placeholder_email,
        ).run()
        return None if not rows else rows[0]["id"]

    async def anyone_can_sign_in(self) -> bool:
        """Whether some user has a password or an OpenID identity (else the first owner is pending)."""
        rows = await User.raw(
            "SELECT EXISTS (SELECT 1 FROM users WHERE password_hash IS NOT NULL) "
            "OR EXISTS (SELECT 1 FROM user_identities) AS found"
        ).run()
        return bool(rows[0]["found"])

    async def membership(self, user_id: UUID, slug: str | None) -> tuple[UUID, Role] | None:
        """The workspace and role of `user_id` in `slug` (None: their earliest live membership)."""
        rows = await Membership.raw(acting_membership_sql("{}"), user_id, slug, slug).run()
        return None if not rows else (rows[0]["workspace_id"], Role(rows[0]["role"]))

    async def workspaces(self, user_id: UUID) -> list[WorkspaceRecord]:
        """The live workspaces `user_id` belongs to, in the order they joined them."""
        rows = await Workspace.raw(
            "SELECT w.id, w.slug, w.name, w.created_at, m.role FROM memberships m "  # noqa: S608
            f"JOIN workspaces w ON w.id = m.workspace_id WHERE m.user_id = {{}} AND {LIVE} "
            "ORDER BY m.created_at, w.id",
            user_id,
        ).run()
        return [
            WorkspaceRecord(
                id=row["id"],
                slug=row["slug"],
                name=row["name"],
                role=Role(row["role"]),
                created_at=row["created_at"],
            )
            for row in rows
        ]

    async def account(self, user_id: UUID) -> AccountRecord | None:
        """A user, whatever workspace they act in."""
        rows = await User.raw(
            "SELECT id, email, display_name, password_hash IS NOT NULL AS has_password, created_at "
            "FROM users WHERE id = {}",
            user_id,
        ).run()
        if not rows:
            return None
        row = rows[0]
        return AccountRecord(
            id=row["id"],
            email=row["email"],
            display_name=row["display_name"],
            has_password=row["has_password"],
            created_at=row["created_at"],
        )

    async def user(self, principal: Principal) -> UserRecord | None:
        """The calling user, as seen in the workspace they act in."""
        rows = await User.raw(
            "SELECT u.id, u.email, u.display_name, u.created_at, w.id AS workspace_id, w.slug, w.name "
            "FROM users u, workspaces w WHERE u.id = {} AND w.id = {}",
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
            role=principal.role,
            created_at=row["created_at"],
        )

    async def user_for_identity(self, provider: str, subject: str) -> UUID | None:
        """The user linked to an OpenID provider's subject, or None."""
        rows = await User.raw(
            "SELECT user_id FROM user_identities WHERE provider = {} AND subject = {}", provider, subject
        ).run()
        return None if not rows else rows[0]["user_id"]

    async def link_identity(self, user_id: UUID, provider: str, subject: str, email: str | None) -> None:
        """Link an OpenID provider's subject to a user (a no-op if it is linked already)."""
        await User.raw(
            "INSERT INTO user_identities (user_id, provider, subject, email) VALUES ({}, {}, {}, {}) "
            "ON CONFLICT (provider, subject) DO NOTHING",
            user_id,
            provider,
            subject,
            email,
        ).run()
