"""SQL of workspace management: creating, renaming and deleting workspaces, members and their roles.

Role changes and removals run in a transaction that first locks the workspace's row
(`lock_workspace`), so two of them in the same workspace never interleave: the "at least one owner"
check and the change it guards see the same memberships.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any
from uuid import UUID

from backend.accounts.records import MemberRecord, WorkspaceRecord
from backend.accounts.roles import Role
from backend.accounts.tables import AccountLink, ApiToken, Membership, Workspace

_MEMBER_COLUMNS = "m.user_id, u.email, u.display_name, m.role, m.created_at"


def _member(row: dict[str, Any]) -> MemberRecord:
    return MemberRecord(
        user_id=row["user_id"],
        email=row["email"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        joined_at=row["created_at"],
    )


class MembersRepository:
    """Reads and writes workspaces and memberships for the people who manage them."""

    def transaction(self) -> AbstractAsyncContextManager[object, None]:
        """A transaction every statement of this slice (links and audit included) joins while open.

        Piccolo's transaction never swallows an exception (its `__aexit__` returns False then); typed
        so, code after an `async with` block keeps what the block proved.
        """
        transaction: AbstractAsyncContextManager[object, None] = Workspace._meta.db.transaction()
        return transaction

    async def create_workspace(self, slug: str, name: str, owner: UUID) -> WorkspaceRecord | None:
        """A new workspace owned by `owner`; None when the slug is taken."""
        rows = await Workspace.raw(
            "INSERT INTO workspaces (slug, name) VALUES ({}, {}) ON CONFLICT (slug) DO NOTHING "
            "RETURNING id, created_at",
            slug,
            name,
        ).run()
        if not rows:
            return None
        await Membership.raw(
            "INSERT INTO memberships (workspace_id, user_id, role) VALUES ({}, {}, 'owner')",
            rows[0]["id"],
            owner,
        ).run()
        return WorkspaceRecord(
            id=rows[0]["id"], slug=slug, name=name, role=Role.OWNER, created_at=rows[0]["created_at"]
        )

    async def workspace(self, workspace_id: UUID, role: Role) -> WorkspaceRecord | None:
        """A live workspace, as seen by a member with `role`."""
        rows = await Workspace.raw(
            "SELECT id, slug, name, created_at FROM workspaces WHERE id = {} AND deleted_at IS NULL",
            workspace_id,
        ).run()
        if not rows:
            return None
        row = rows[0]
        return WorkspaceRecord(
            id=row["id"], slug=row["slug"], name=row["name"], role=role, created_at=row["created_at"]
        )

    async def rename_workspace(self, workspace_id: UUID, name: str) -> str | None:
        """Rename a live workspace; its previous name, or None when there is no such workspace."""
        rows = await Workspace.raw(
            "UPDATE workspaces w SET name = {}, updated_at = now() FROM workspaces old "
            "WHERE w.id = {} AND old.id = w.id AND w.deleted_at IS NULL RETURNING old.name",
            name,
            workspace_id,
        ).run()
        return None if not rows else str(rows[0]["name"])

    async def delete_workspace(self, workspace_id: UUID, freed_slug: str) -> bool:
        """Mark a live workspace deleted and give it `freed_slug`, so its own slug can be used again."""
        rows = await Workspace.raw(
            "UPDATE workspaces SET deleted_at = now(), slug = {}, updated_at = now() "
            "WHERE id = {} AND deleted_at IS NULL RETURNING id",
            freed_slug,
            workspace_id,
        ).run()
        return bool(rows)

    async def revoke_tokens(self, workspace_id: UUID, user_id: UUID | None = None) -> list[UUID]:
        """Revoke the live tokens of a workspace (only `user_id`'s, when given); their ids."""
        rows = await ApiToken.raw(
            "UPDATE api_tokens SET revoked_at = now() WHERE workspace_id = {} AND revoked_at IS NULL "
            "AND ({}::uuid IS NULL OR user_id = {}::uuid) RETURNING id",
            workspace_id,
            user_id,
            user_id,
        ).run()
        return [row["id"] for row in rows]

    async def withdraw_links(self, workspace_id: UUID) -> None:
        """Withdraw every unused invitation and reset link of a workspace (it is being deleted)."""
        await AccountLink.raw(
            "DELETE FROM account_links WHERE workspace_id = {} AND used_at IS NULL", workspace_id
        ).run()

    async def lock_workspace(self, workspace_id: UUID) -> bool:
        """Lock a live workspace's row until the transaction ends; False when it does not exist."""
        rows = await Workspace.raw(
            "SELECT id FROM workspaces WHERE id = {} AND deleted_at IS NULL FOR UPDATE", workspace_id
        ).run()
        return bool(rows)

    async def members(self, workspace_id: UUID) -> list[MemberRecord]:
        """Every member of a workspace, in the order they joined."""
        rows = await Membership.raw(
            f"SELECT {_MEMBER_COLUMNS} FROM memberships m JOIN users u ON u.id = m.user_id "  # noqa: S608
            "WHERE m.workspace_id = {} ORDER BY m.created_at, m.user_id LIMIT 10000",
            workspace_id,
        ).run()
        return [_member(row) for row in rows]

    async def member(self, workspace_id: UUID, user_id: UUID) -> MemberRecord | None:
        """One member of a workspace, or None."""
        rows = await Membership.raw(
            f"SELECT {_MEMBER_COLUMNS} FROM memberships m JOIN users u ON u.id = m.user_id "  # noqa: S608
            "WHERE m.workspace_id = {} AND m.user_id = {}",
            workspace_id,
            user_id,
        ).run()
        return None if not rows else _member(rows[0])

    async def member_by_email(self, workspace_id: UUID, email: str) -> MemberRecord | None:
        """The member of a workspace with `email` (any case), or None."""
        rows = await Membership.raw(
            f"SELECT {_MEMBER_COLUMNS} FROM memberships m JOIN users u ON u.id = m.user_id "  # noqa: S608
            "WHERE m.workspace_id = {} AND lower(u.email) = lower({})",
            workspace_id,
            email,
        ).run()
        return None if not rows else _member(rows[0])

    async def owners(self, workspace_id: UUID) -> int:
        """How many owners a workspace has."""
        rows = await Membership.raw(
            "SELECT count(*) AS owners FROM memberships WHERE workspace_id = {} AND role = 'owner'",
            workspace_id,
        ).run()
        return int(rows[0]["owners"])

    async def set_role(self, workspace_id: UUID, user_id: UUID, role: Role) -> None:
        """Give a member another role."""
        await Membership.raw(
            "UPDATE memberships SET role = {}, updated_at = now() WHERE workspace_id = {} AND user_id = {}",
            role.value,
            workspace_id,
            user_id,
        ).run()

    async def remove(self, workspace_id: UUID, user_id: UUID) -> None:
        """End a membership."""
        await Membership.raw(
            "DELETE FROM memberships WHERE workspace_id = {} AND user_id = {}", workspace_id, user_id
        ).run()
