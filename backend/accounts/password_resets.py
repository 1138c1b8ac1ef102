"""Passwords: reset links a workspace's managers issue for its members, and changing one's own.

A reset ends every session of its person (a reset is what someone asks for when they fear another
has their password) and signs in the browser that used the link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from backend.accounts.access_repository import AccessRepository
from backend.accounts.audit import AuditAction, AuditLog
from backend.accounts.invites_repository import InvitesRepository
from backend.accounts.links import LinkKind, LinkRepository
from backend.accounts.live_links import INVALID_LINK, LiveLinks, link_url
from backend.accounts.mail import Mailer
from backend.accounts.members_repository import MembersRepository
from backend.accounts.passwords import MAX_LENGTH, hash_password, password_problem
from backend.accounts.records import Caller, Principal
from backend.accounts.repository import AccountsRepository
from backend.accounts.roles import Role
from backend.accounts.service import AccountsService, SignedIn
from backend.accounts.workspaces import parse_id
from backend.problems import NotFound, Refused
from engine.value_policy import text_problem


@dataclass(frozen=True)
class IssuedReset:
    """A password-reset link just created for a member: its URL is shown once."""

    user_id: UUID
    email: str
    url: str
    expires_at: datetime
    mailed: bool


class PasswordService:
    """Issue and use password-reset links; change one's own password."""

    def __init__(
        self,
        *,
        accounts: AccountsService,
        repository: AccountsRepository,
        members: MembersRepository,
        invites: InvitesRepository,
        links: LinkRepository,
        access: AccessRepository,
        audit: AuditLog,
        mailer: Mailer,
        link_ttl_seconds: float,
    ) -> None:
        self._accounts = accounts
        self._repository = repository
        self._members = members
        self._invites = invites
        self._links = links
        self._live = LiveLinks(links, members)
        self._access = access
        self._audit = audit
        self._mailer = mailer
        self._ttl = link_ttl_seconds

    async def issue_reset(
        self, principal: Principal, user_id: str, base_url: str
    ) -> IssuedReset | NotFound | Refused:
        """A one-time password-reset link for a member (an owner's only from an owner)."""
        target = parse_id(user_id)
        member = None if target is None else await self._members.member(principal.workspace_id, target)
        if member is None:
            return NotFound(id=user_id, message=f"no member {user_id}")
        if member.role is Role.OWNER and principal.role is not Role.OWNER:
            return Refused("OWNER_REQUIRED", "Only an owner can reset an owner's password.")
        async with self._members.transaction():
            await self._invites.withdraw_resets_of(member.user_id)
            secret, grant = await self._links.create(
                LinkKind.RESET,
                self._ttl,
                workspace_id=principal.workspace_id,
                user_id=member.user_id,
                email=member.email,
                created_by=principal.user_id,
            )
            await self._audit.record(
                AuditAction.PASSWORD_RESET_ISSUED,
                principal,
                target=member.email,
                details={"userId": str(member.user_id)},
            )
        url = link_url(base_url, LinkKind.RESET, secret)
        mailed = await self._mailer.send(
            member.email,
            "Set a new Flowloom password",
            f"Open this link to choose a new password (it works once, until "
            f"{grant.expires_at:%Y-%m-%d %H:%M} UTC):\n{url}\n",
        )
        return IssuedReset(
            user_id=member.user_id, email=member.email, url=url, expires_at=grant.expires_at, mailed=mailed
        )

    async def reset_password(
        self, secret: str, password: str, address: str | None, user_agent: str | None
    ) -> SignedIn | Refused:
        """Set a new password with a reset link; every session of that person ends, a new one starts."""
        problem = password_problem(password)
        if problem is not None:
            return problem
        if await self._live.peek(LinkKind.RESET, secret) is None:
            return INVALID_LINK
        password_hash = await hash_password(password)
        async with self._members.transaction():
            used = await self._links.use(LinkKind.RESET, secret)
            user_id = None if used is None else used.user_id
            if used is None or user_id is None:
                return INVALID_LINK
            await self._repository.set_password(user_id, password_hash)
            ended = await self._access.revoke_sessions(user_id)
            await self._audit.record(
                AuditAction.PASSWORD_RESET,
                Caller(user_id=user_id, address=address),
                workspace_id=used.workspace_id,
                target=used.email,
            )
        if ended:
            await self._accounts.on_revoked(ended)
        return await self._accounts.start_session(user_id, address, user_agent)

    async def change_password(self, caller: Caller, current: str, new: str) -> Refused | None:
        """Change the caller's own password (their other sessions end)."""
        if len(current) > MAX_LENGTH or text_problem(current) is not None:
            # argon2 hashes the text as UTF-8: refuse what cannot be, as any wrong password
            return Refused("WRONG_PASSWORD", "The current password is not right.")
        return await self._accounts.change_password(caller, current, new)
