"""SQL of what authenticates requests: API tokens and browser sessions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from backend.accounts.records import TokenRecord
from backend.accounts.repository import acting_membership_sql
from backend.accounts.roles import Role
from backend.accounts.tables import ApiToken, Session


@dataclass(frozen=True)
class TokenGrant:
    """What a valid token stands for."""

    token_id: UUID
    user_id: UUID
    workspace_id: UUID
    token_role: Role
    member_role: Role
    """The creator's current role: a token never acts above it."""
    last_used_at: datetime | None


@dataclass(frozen=True)
class SessionGrant:
    """A live browser session."""

    session_id: UUID
    user_id: UUID
    created_at: datetime
    last_seen_at: datetime
    workspace_id: UUID | None = None
    """The workspace asked for, when the person is a member of it."""
    role: Role | None = None
    """Their role there."""


_COLUMNS = "t.id, t.name, t.prefix, t.role, u.email, t.created_at, t.last_used_at, t.expires_at, t.revoked_at"


def _token(row: dict[str, Any]) -> TokenRecord:
    return TokenRecord(
        id=row["id"],
        name=row["name"],
        prefix=row["prefix"],
        role=Role(row["role"]),
        created_by=row["email"],
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
    )


class AccessRepository:
    """Reads and writes API tokens and browser sessions."""

    async def insert_token(
        self,
        *,
        workspace_id: UUID,
        user_id: UUID,
        name: str,
        token_hash: str,
        prefix: str,
        role: Role,
        expires_at: datetime | None,
    ) -> UUID:
        """Store a token digest; returns the token's id."""
        rows = await ApiToken.raw(
            "INSERT INTO api_tokens (workspace_id, user_id, name, token_hash, prefix, role, expires_at) "
            "VALUES ({}, {}, {}, {}, {}, {}, {}) RETURNING id",
            workspace_id,
            user_id,
            name,
            token_hash,
            prefix,
            role.value,
            expires_at,
        ).run()
        return UUID(str(rows[0]["id"]))

    async def token_grant(self, token_hash: str) -> TokenGrant | None:
        """The grant of a live token: not revoked, not expired, its creator still a member of a live
        workspace."""
        rows = await ApiToken.raw(
            "SELECT t.id, t.user_id, t.workspace_id, t.role AS token_role, m.role AS member_role, "
            "t.last_used_at FROM api_tokens t "
            "JOIN memberships m ON m.workspace_id = t.workspace_id AND m.user_id = t.user_id "
            "JOIN workspaces w ON w.id = t.workspace_id "
            "WHERE t.token_hash = {} AND t.revoked_at IS NULL "
            "AND (t.expires_at IS NULL OR t.expires_at > now()) AND w.deleted_at IS NULL",
            token_hash,
        ).run()
        if not rows:
            return None
        row = rows[0]
        return TokenGrant(
            token_id=row["id"],
            user_id=row["user_id"],
            workspace_id=row["workspace_id"],
            token_role=Role(row["token_role"]),
            member_role=Role(row["member_role"]),
            last_used_at=row["last_used_at"],
        )

    async def touch_token(self, token_id: UUID) -> None:
        """Record that a token was just used."""
        await ApiToken.raw("UPDATE api_tokens SET last_used_at = now() WHERE id = {}", token_id).run()

    async def tokens(self, workspace_id: UUID) -> list[TokenRecord]:
        """Every token of a workspace, newest first, revoked and expired ones included."""
        rows = await ApiToken.raw(
            f"SELECT {_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id "  # noqa: S608
            "WHERE t.workspace_id = {} ORDER BY t.created_at DESC, t.id DESC LIMIT 1000",
            workspace_id,
        ).run()
        return [_token(row) for row in rows]

    async def revoke_token(self, workspace_id: UUID, token_id: UUID) -> TokenRecord | None:
        """Revoke a token of the workspace; None when there is no such live token."""
        rows = await ApiToken.raw(
            "UPDATE api_tokens SET revoked_at = now() WHERE workspace_id = {} AND id = {} "
            "AND revoked_at IS NULL RETURNING id",
            workspace_id,
            token_id,
        ).run()
        if not rows:
            return None
        return await self.token(workspace_id, token_id)

    async def token(self, workspace_id: UUID, token_id: UUID) -> TokenRecord | None:
        """One token of the workspace, revoked and expired ones included."""
        rows = await ApiToken.raw(
            f"SELECT {_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id "  # noqa: S608
            "WHERE t.workspace_id = {} AND t.id = {}",
            workspace_id,
            token_id,
        ).run()
        return None if not rows else _token(rows[0])

    async def insert_session(
        self, user_id: UUID, secret_hash: str, address: str | None, user_agent: str | None, lifetime: float
    ) -> UUID:
        """Store a new session that ends `lifetime` seconds from now at the latest."""
        rows = await Session.raw(
            "INSERT INTO sessions (user_id, secret_hash, address, user_agent, expires_at) "
            "VALUES ({}, {}, {}, {}, now() + make_interval(secs => {})) RETURNING id",
            user_id,
            secret_hash,
            address,
            user_agent,
            lifetime,
        ).run()
        return UUID(str(rows[0]["id"]))

    async def session_grant(
        self, secret_hash: str, idle_seconds: float, workspace_slug: str | None = None
    ) -> SessionGrant | None:
        """A session that is neither revoked, nor past its absolute expiry, nor idle too long, with
        its person's membership of `workspace_slug` (None: their first workspace), in one statement:
        every request of a browser asks both."""
        rows = await Session.raw(
            "SELECT s.id, s.user_id, s.created_at, s.last_seen_at, w.workspace_id, w.role "  # noqa: S608 - constant SQL
            f"FROM sessions s LEFT JOIN LATERAL ({acting_membership_sql('s.user_id')}) w ON true "
            "WHERE s.secret_hash = {} AND s.revoked_at IS NULL AND s.expires_at > now() "
            "AND s.last_seen_at > now() - make_interval(secs => {})",
            workspace_slug,
            workspace_slug,
            secret_hash,
            idle_seconds,
        ).run()
        if not rows:
            return None
        row = rows[0]
        return SessionGrant(
            session_id=row["id"],
            user_id=row["user_id"],
            created_at=row["created_at"],
            last_seen_at=row["last_seen_at"],
            workspace_id=row["workspace_id"],
            role=None if row["role"] is None else Role(row["role"]),
        )

    async def touch_session(self, session_id: UUID) -> None:
        """Record that a session was just used (its idle expiry starts again)."""
        await Session.raw("UPDATE sessions SET last_seen_at = now() WHERE id = {}", session_id).run()

    async def revoke_session(self, session_id: UUID) -> None:
        """End one session."""
        await Session.raw(
            "UPDATE sessions SET revoked_at = now() WHERE id = {} AND revoked_at IS NULL", session_id
        ).run()

    async def revoke_sessions(self, user_id: UUID, keep: UUID | None = None) -> list[UUID]:
        """End every session of a user but `keep`; returns the ended sessions' ids."""
        rows = await Session.raw(
            "UPDATE sessions SET revoked_at = now() WHERE user_id = {} AND revoked_at IS NULL "
            "AND id IS DISTINCT FROM {} RETURNING id",
            user_id,
            keep,
        ).run()
        return [row["id"] for row in rows]

    async def live(self, ids: Sequence[UUID]) -> set[UUID]:
        """Which of these session and token ids are still live: not revoked, not past their expiry,
        a token's creator still a member of a live workspace. (A session's idle expiry is left out:
        an open websocket is the session being used.)"""
        rows = await Session.raw(
            "SELECT t.id FROM api_tokens t "
            "JOIN memberships m ON m.workspace_id = t.workspace_id AND m.user_id = t.user_id "
            "JOIN workspaces w ON w.id = t.workspace_id "
            "WHERE t.id = ANY({}) AND t.revoked_at IS NULL "
            "AND (t.expires_at IS NULL OR t.expires_at > now()) AND w.deleted_at IS NULL "
            "UNION ALL SELECT id FROM sessions WHERE id = ANY({}) AND revoked_at IS NULL "
            "AND expires_at > now()",
            list(ids),
            list(ids),
        ).run()
        return {row["id"] for row in rows}
