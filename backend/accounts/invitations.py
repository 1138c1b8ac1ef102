"""Invitations: one-time links a workspace's managers hand out, and accepting them.

A link's secret is shown once, to whoever created it (and mailed when SMTP is configured); the
database keeps its SHA-256 (`links.py`). Using a link and what it grants happen in one transaction,
so a refused step leaves the link usable and a used link grants exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from backend.accounts.audit import AuditAction, AuditLog
from backend.accounts.invites_repository import InvitesRepository
from backend.accounts.links import LinkKind, LinkRepository
from backend.accounts.live_links import INVALID_LINK, LiveLinks, link_kind, link_url
from backend.accounts.mail import Mailer
from backend.accounts.members_repository import MembersRepository
from backend.accounts.passwords import hash_password, password_problem
from backend.accounts.records import Caller, InviteRecord, Principal, WorkspaceRecord
from backend.accounts.repository import AccountsRepository
from backend.accounts.roles import Role
from backend.accounts.service import AccountsService, SignedIn, normalise_email
from backend.accounts.workspaces import name_problem, parse_id
from backend.problems import NotFound, Refused

EMAIL_TAKEN = Refused("EMAIL_TAKEN", "An account with this email exists: sign in, then open the link again.")
ALREADY_MEMBER = Refused("ALREADY_MEMBER", "You are a member of this workspace already.")


class _RolledBackError(Exception):
    """Raised inside a transaction to roll it back (the link stays unused) and answer `refused`."""

    def __init__(self, refused: Refused) -> None:
        super().__init__(refused.code)
        self.refused = refused


@dataclass(frozen=True)
class IssuedInvite:
    """An invitation just created: its URL carries the secret and is shown once."""

    invite: InviteRecord
    url: str
    mailed: bool


@dataclass(frozen=True)
class LinkInfo:
    """What a link is, for the page that opens it (only to someone who holds the link)."""

    kind: LinkKind
    workspace: WorkspaceRecord
    email: str
    role: Role | None
    expires_at: datetime
    account_exists: bool


@dataclass(frozen=True)
class Accepted:
    """A new account that accepted an invitation, signed in."""

    workspace: WorkspaceRecord
    signed_in: SignedIn


class InvitationService:
    """Invite, withdraw, describe and accept invitations."""

    def __init__(
        self,
        *,
        accounts: AccountsService,
        repository: AccountsRepository,
        members: MembersRepository,
        invites: InvitesRepository,
        links: LinkRepository,
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
        self._audit = audit
        self._mailer = mailer
        self._ttl = link_ttl_seconds

    # invitations ----------------------------------------------------------------------------------

    async def invites(self, principal: Principal) -> list[InviteRecord]:
        """The pending invitations of the principal's workspace."""
        return await self._invites.invites(principal.workspace_id)

    async def invite(
        self, principal: Principal, email: str, role: Role, base_url: str
    ) -> IssuedInvite | Refused:
        """Invite `email` with `role` (an earlier unused invitation to them is withdrawn)."""
        address = normalise_email(email)
        if address is None:
            return Refused("INVALID_EMAIL", "Enter an email address such as ada@example.com.")
        if not principal.role.at_least(role):
            return Refused("ROLE_TOO_HIGH", f"A {principal.role} cannot invite someone as {role}.")
        workspace = await self._members.workspace(principal.workspace_id, principal.role)
        if workspace is None:
            return Refused("NO_WORKSPACE", "This workspace was deleted.")
        if await self._members.member_by_email(principal.workspace_id, address) is not None:
            return Refused("ALREADY_MEMBER", f"{address} is a member of this workspace already.")
        async with self._members.transaction():
            await self._invites.withdraw_invites_to(principal.workspace_id, address)
            secret, grant = await self._links.create(
                LinkKind.INVITE,
                self._ttl,
                workspace_id=principal.workspace_id,
                email=address,
                role=role,
                created_by=principal.user_id,
            )
            await self._audit.record(
                AuditAction.MEMBER_INVITED,
                principal,
                target=address,
                details={"role": role.value, "invite": str(grant.id)},
            )
        url = link_url(base_url, LinkKind.INVITE, secret)
        inviter = await self._accounts.account(Caller(user_id=principal.user_id))
        mailed = await self._mailer.send(
            address,
            f"You are invited to {workspace.name} on Flowloom",
            f"{'Someone' if inviter is None else inviter.display_name} invited you to the workspace "
            f"{workspace.name} as {role}.\n\nOpen this link to join (it works once, until "
            f"{grant.expires_at:%Y-%m-%d %H:%M} UTC):\n{url}\n",
        )
        record = InviteRecord(
            id=grant.id,
            email=address,
            role=role,
            invited_by=None if inviter is None else inviter.email,
            created_at=datetime.now(UTC),
            expires_at=grant.expires_at,
        )
        return IssuedInvite(invite=record, url=url, mailed=mailed)

    async def withdraw(self, principal: Principal, invite_id: str) -> UUID | NotFound:
        """Withdraw a pending invitation of the principal's workspace."""
        found = parse_id(invite_id)
        email = None if found is None else await self._invites.withdraw_invite(principal.workspace_id, found)
        if found is None or email is None:
            return NotFound(id=invite_id, message=f"no pending invitation {invite_id}")
        await self._audit.record(AuditAction.INVITE_REVOKED, principal, target=email)
        return found

    async def accept(self, caller: Caller, secret: str) -> WorkspaceRecord | Refused:
        """A signed-in person accepts an invitation to their own email address."""
        grant = await self._live.peek(LinkKind.INVITE, secret)
        if grant is None or grant.workspace_id is None or grant.role is None:
            return INVALID_LINK
        account = await self._accounts.account(caller)
        if account is None or account.email.lower() != (grant.email or "").lower():
            return Refused(
                "WRONG_ACCOUNT",
                "This invitation is for another email address: sign in as that person to accept it.",
            )
        if await self._members.member(grant.workspace_id, caller.user_id) is not None:
            return ALREADY_MEMBER
        try:
            async with self._members.transaction():
                joined = await self._join(caller.user_id, secret)
                await self._audit.record(
                    AuditAction.MEMBER_JOINED, caller, workspace_id=joined.id, target=account.email
                )
        except _RolledBackError as rolled_back:
            return rolled_back.refused
        return joined

    async def accept_as_new_account(
        self, secret: str, password: str, display_name: str, address: str | None, user_agent: str | None
    ) -> Accepted | Refused:
        """Create the invited person's account with a password, join, and sign in."""
        problem = password_problem(password)
        if problem is not None:
            return problem
        grant = await self._live.peek(LinkKind.INVITE, secret)
        if grant is None or grant.email is None:
            return INVALID_LINK
        if await self._repository.user_id(grant.email) is not None:
            return EMAIL_TAKEN
        name = display_name.strip() or grant.email.partition("@")[0][:200]
        problem = name_problem(name, "display name")
        if problem is not None:
            return problem
        password_hash = await hash_password(password)
        try:
            async with self._members.transaction():
                user_id = await self._new_user(grant.email, name, password_hash)
                joined = await self._join(user_id, secret)
                await self._audit.record(
                    AuditAction.MEMBER_JOINED,
                    Caller(user_id=user_id, address=address),
                    workspace_id=joined.id,
                    target=grant.email,
                )
        except _RolledBackError as rolled_back:
            return rolled_back.refused
        signed_in = await self._accounts.start_session(user_id, address, user_agent)
        return Accepted(workspace=joined, signed_in=signed_in)

    async def _new_user(self, email: str, name: str, password_hash: str) -> UUID:
        user_id = await self._repository.create_user(email, name, password_hash)
        if user_id is None:  # created since the check before hashing the password
            raise _RolledBackError(EMAIL_TAKEN)
        return user_id

    async def _join(self, user_id: UUID, secret: str) -> WorkspaceRecord:
        """Use an invitation and add its member; raises _RolledBackError (in the caller's transaction)."""
        grant = await self._links.use(LinkKind.INVITE, secret)
        if grant is None or grant.workspace_id is None or grant.role is None:
            raise _RolledBackError(INVALID_LINK)
        if not await self._members.lock_workspace(grant.workspace_id):
            raise _RolledBackError(INVALID_LINK)
        if not await self._repository.add_member(grant.workspace_id, user_id, grant.role):
            raise _RolledBackError(ALREADY_MEMBER)
        workspace = await self._members.workspace(grant.workspace_id, grant.role)
        if workspace is None:
            raise _RolledBackError(INVALID_LINK)
        return workspace

    # what a link is -------------------------------------------------------------------------------

    async def describe(self, kind: str, secret: str) -> LinkInfo | None:
        """What an invitation or reset link grants; None for anything else, used or expired."""
        found = link_kind(kind)
        grant = None if found is None else await self._live.peek(found, secret)
        workspace = None if grant is None else await self._live.workspace(grant)
        if grant is None or grant.email is None or workspace is None:
            return None
        return LinkInfo(
            kind=grant.kind,
            workspace=workspace,
            email=grant.email,
            role=grant.role,
            expires_at=grant.expires_at,
            account_exists=await self._repository.user_id(grant.email) is not None,
        )
