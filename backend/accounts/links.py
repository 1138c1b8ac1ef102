"""One-time links: first-owner setup, invitations and password resets (their secret hashed, like tokens)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from backend.accounts.digests import LINK_PREFIX, digest, new_secret, well_formed
from backend.accounts.roles import Role
from backend.accounts.tables import AccountLink


class LinkKind(StrEnum):
    """What a one-time link is for, and the page of the web app that opens it."""

    SETUP = "setup"
    INVITE = "invite"
    RESET = "reset"


@dataclass(frozen=True)
class LinkGrant:
    """What a valid link grants."""

    id: UUID
    kind: LinkKind
    workspace_id: UUID | None
    user_id: UUID | None
    email: str | None
    role: Role | None
    created_by: UUID | None
    expires_at: datetime


class LinkRepository:
    """Creates, reads and uses one-time links."""

    async def create(
        self,
        kind: LinkKind,
        ttl_seconds: float,
        *,
        workspace_id: UUID | None = None,
        user_id: UUID | None = None,
        email: str | None = None,
        role: Role | None = None,
        created_by: UUID | None = None,
    ) -> tuple[str, LinkGrant]:
        """A new link's secret and grant."""
        secret = new_secret(LINK_PREFIX)
        rows = await AccountLink.raw(
            "INSERT INTO account_links (kind, secret_hash, workspace_id, user_id, email, role, created_by, "
            "expires_at) VALUES ({}, {}, {}, {}, {}, {}, {}, now() + make_interval(secs => {})) "
            "RETURNING id, expires_at",
            kind.value,
            digest(secret),
            workspace_id,
            user_id,
            email,
            None if role is None else role.value,
            created_by,
            ttl_seconds,
        ).run()
        grant = LinkGrant(
            id=rows[0]["id"],
            kind=kind,
            workspace_id=workspace_id,
            user_id=user_id,
            email=email,
            role=role,
            created_by=created_by,
            expires_at=rows[0]["expires_at"],
        )
        return secret, grant

    async def peek(self, kind: LinkKind, secret: str | None) -> LinkGrant | None:
        """The grant of an unused, unexpired link, without using it."""
        return await self._find(kind, secret, use=False)

    async def use(self, kind: LinkKind, secret: str | None) -> LinkGrant | None:
        """Use a link: its grant, once (concurrent uses: exactly one wins)."""
        return await self._find(kind, secret, use=True)

    async def discard(self, kind: LinkKind, workspace_id: UUID | None = None) -> None:
        """Forget every unused link of a kind (of one workspace, when given)."""
        await AccountLink.raw(
            "DELETE FROM account_links WHERE kind = {} AND used_at IS NULL "
            "AND ({}::uuid IS NULL OR workspace_id = {}::uuid)",
            kind.value,
            workspace_id,
            workspace_id,
        ).run()

    async def invited(self, email: str) -> bool:
        """Whether an unused, unexpired invitation waits for `email` (any case)."""
        rows = await AccountLink.raw(
            "SELECT 1 FROM account_links WHERE kind = 'invite' AND lower(email) = lower({}) "
            "AND used_at IS NULL AND expires_at > now() LIMIT 1",
            email,
        ).run()
        return bool(rows)

    async def _find(self, kind: LinkKind, secret: str | None, *, use: bool) -> LinkGrant | None:
        if not well_formed(secret, LINK_PREFIX) or secret is None:
            return None
        columns = "id, kind, workspace_id, user_id, email, role, created_by, expires_at"
        live = "kind = {} AND secret_hash = {} AND used_at IS NULL AND expires_at > now()"
        sql = (
            f"UPDATE account_links SET used_at = now() WHERE {live} RETURNING {columns}"  # noqa: S608
            if use
            else f"SELECT {columns} FROM account_links WHERE {live}"  # noqa: S608
        )
        rows = await AccountLink.raw(sql, kind.value, digest(secret)).run()
        if not rows:
            return None
        row = rows[0]
        return LinkGrant(
            id=row["id"],
            kind=LinkKind(row["kind"]),
            workspace_id=row["workspace_id"],
            user_id=row["user_id"],
            email=row["email"],
            role=None if row["role"] is None else Role(row["role"]),
            created_by=row["created_by"],
            expires_at=row["expires_at"],
        )
