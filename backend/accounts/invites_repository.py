"""SQL of pending invitations and password-reset links (rows of `account_links`, managed per workspace).

`LinkRepository` creates and uses links; this module lists and withdraws them, always scoped by the
workspace (or the user) they belong to.
"""

from __future__ import annotations

from uuid import UUID

from backend.accounts.links import LinkKind
from backend.accounts.records import InviteRecord
from backend.accounts.roles import Role
from backend.accounts.tables import AccountLink

_PENDING = "kind = 'invite' AND used_at IS NULL AND expires_at > now()"


class InvitesRepository:
    """Reads and withdraws invitations and reset links."""

    async def invites(self, workspace_id: UUID) -> list[InviteRecord]:
        """A workspace's pending invitations, newest first."""
        rows = await AccountLink.raw(
            "SELECT l.id, l.email, l.role, u.email AS invited_by, l.created_at, l.expires_at "  # noqa: S608
            "FROM account_links l LEFT JOIN users u ON u.id = l.created_by "
            f"WHERE l.workspace_id = {{}} AND {_PENDING} "  # users has none of _PENDING's columns
            "ORDER BY l.created_at DESC, l.id DESC LIMIT 1000",
            workspace_id,
        ).run()
        return [
            InviteRecord(
                id=row["id"],
                email=row["email"],
                role=Role(row["role"]),
                invited_by=row["invited_by"],
                created_at=row["created_at"],
                expires_at=row["expires_at"],
            )
            for row in rows
        ]

    async def withdraw_invite(self, workspace_id: UUID, invite_id: UUID) -> str | None:
        """Withdraw a pending invitation of the workspace; its email, or None when there is none."""
        rows = await AccountLink.raw(
            f"DELETE FROM account_links WHERE workspace_id = {{}} AND id = {{}} AND {_PENDING} "  # noqa: S608
            "RETURNING email",
            workspace_id,
            invite_id,
        ).run()
        return None if not rows else str(rows[0]["email"])

    async def withdraw_invites_to(self, workspace_id: UUID, email: str) -> None:
        """Withdraw every unused invitation of the workspace to `email` (any case)."""
        await AccountLink.raw(
            "DELETE FROM account_links WHERE kind = {} AND workspace_id = {} AND used_at IS NULL "
            "AND lower(email) = lower({})",
            LinkKind.INVITE.value,
            workspace_id,
            email,
        ).run()

    async def withdraw_resets_of(self, user_id: UUID) -> None:
        """Withdraw every unused password-reset link of a user (a new one replaces them)."""
        await AccountLink.raw(
            "DELETE FROM account_links WHERE kind = {} AND user_id = {} AND used_at IS NULL",
            LinkKind.RESET.value,
            user_id,
        ).run()
