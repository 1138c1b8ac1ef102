"""Accounts: who may sign in, and what a request's token or session stands for."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from backend.accounts.access_repository import AccessRepository
from backend.accounts.audit import AuditAction, AuditLog
from backend.accounts.digests import (
    SESSION_PREFIX,
    TOKEN_PREFIX,
    csrf_token,
    digest,
    new_secret,
    well_formed,
)
from backend.accounts.links import LinkKind, LinkRepository
from backend.accounts.passwords import hash_password, password_problem, verify_password
from backend.accounts.records import (
    AccountRecord,
    Caller,
    IssuedToken,
    Principal,
    TokenRecord,
    UserRecord,
    WorkspaceRecord,
)
from backend.accounts.repository import AccountsRepository
from backend.accounts.roles import Role, lower_role
from backend.problems import Refused
from engine.value_policy import text_problem

LOCAL_OWNER_EMAIL = "owner@localhost"
"""The embedded mode's owner until someone opens the setup link (it has no password)."""
# Writing last_used_at on every request would add a statement to each one; a minute is precise enough.
TOUCH_INTERVAL = timedelta(minutes=1)

MAX_TOKEN_NAME = 200

Revoked = Callable[[Sequence[UUID]], Awaitable[None]]
"""Told the ids of sessions and tokens just revoked (to close their open websockets)."""
AccessChanged = Callable[[Sequence[tuple[UUID, UUID]]], Awaitable[None]]
"""Told the (user, workspace) memberships whose role just changed or ended (to close the websockets
acting with them, which then reconnect with what they may do now)."""


class UnknownWorkspaceError(Exception):
    """No workspace has the given slug."""


@dataclass(frozen=True)
class SessionPolicy:
    """How long browser sessions last."""

    idle_seconds: float
    absolute_seconds: float


@dataclass(frozen=True)
class SignedIn:
    """A new browser session: the cookie's secret and the CSRF token that goes with it."""

    user_id: UUID
    session_id: UUID
    secret: str

    @property
    def csrf_token(self) -> str:
        """The value the session's scripts send in the CSRF header."""
        return csrf_token(self.secret)


def normalise_email(email: str) -> str | None:
    """An email address trimmed, or None when it does not look like one."""
    email = email.strip()
    local, at, domain = email.rpartition("@")
    if not at or not local or "." not in domain or len(email) > 320 or any(c.isspace() for c in email):
        return None
    if "\x00" in email or any(0xD800 <= ord(c) <= 0xDFFF for c in email):
        return None
    return email


async def _nobody_to_tell(_ids: Sequence[object]) -> None:
    return None


class AccountsService:
    """Users, passwords, sessions, tokens, and the principal each request acts as."""

    def __init__(
        self,
        repository: AccountsRepository,
        *,
        access: AccessRepository | None = None,
        links: LinkRepository | None = None,
        audit: AuditLog | None = None,
        sessions: SessionPolicy | None = None,
        on_revoked: Revoked = _nobody_to_tell,
        on_access_changed: AccessChanged = _nobody_to_tell,
    ) -> None:
        self._repository = repository
        self._access = access or AccessRepository()
        self._links = links or LinkRepository()
        self._audit = audit or AuditLog()
        self._sessions = sessions or SessionPolicy(idle_seconds=12 * 3600, absolute_seconds=7 * 24 * 3600)
        self.on_revoked = on_revoked
        self.on_access_changed = on_access_changed

    # workspaces made by the system ---------------------------------------------------------------

    async def ensure_default_workspace(self, slug: str) -> Principal:
        """Create the default workspace on first start, with a passwordless local owner (the CLI's
        principal) until someone sets up the first real owner; idempotent."""
        workspace_id = await self._repository.ensure_workspace(slug, "Default workspace")
        owner = await self._repository.first_owner(workspace_id)
        if owner is None:
            owner = await self._repository.ensure_member(
                workspace_id, LOCAL_OWNER_EMAIL, "Local owner", Role.OWNER
            )
        return Principal(user_id=owner, workspace_id=workspace_id, role=Role.OWNER)

    async def ensure_workspace(self, slug: str, name: str, owner_email: str, owner_name: str) -> Principal:
        """The owner of workspace `slug`, creating the workspace, the user and the membership as needed."""
        workspace_id = await self._repository.ensure_workspace(slug, name)
        user_id = await self._repository.ensure_member(workspace_id, owner_email, owner_name, Role.OWNER)
        return Principal(user_id=user_id, workspace_id=workspace_id, role=Role.OWNER)

    # tokens ---------------------------------------------------------------------------------------

    async def workspace_owner(self, workspace_slug: str) -> Principal:
        """The first owner of `workspace_slug`: who the command line acts as there."""
        workspace_id = await self._repository.workspace_id(workspace_slug)
        if workspace_id is None:
            raise UnknownWorkspaceError(f"no workspace named {workspace_slug!r}")
        owner = await self._repository.first_owner(workspace_id)
        if owner is None:
            raise UnknownWorkspaceError(f"workspace {workspace_slug!r} has no owner")
        return Principal(user_id=owner, workspace_id=workspace_id, role=Role.OWNER)

    async def create_token(
        self,
        workspace_slug: str,
        name: str = "cli",
        role: Role = Role.OWNER,
        expires_at: datetime | None = None,
    ) -> IssuedToken:
        """Issue a token in `workspace_slug` on behalf of its first owner (the command line's way)."""
        principal = await self.workspace_owner(workspace_slug)
        issued = await self.issue_token(principal, name, role, expires_at, workspace_slug)
        if isinstance(issued, Refused):  # an owner may issue any role; an expiry may be past
            raise UnknownWorkspaceError(issued.message)
        return issued

    async def issue_token(
        self,
        principal: Principal,
        name: str,
        role: Role,
        expires_at: datetime | None = None,
        workspace_slug: str = "",
    ) -> IssuedToken | Refused:
        """A new token of the principal's workspace, with a role no higher than the principal's."""
        if not role.at_least(Role.VIEWER) or not principal.role.at_least(role):
            return Refused("ROLE_TOO_HIGH", f"A {principal.role} cannot create a token with the role {role}.")
        if expires_at is not None and expires_at <= datetime.now(UTC):
            return Refused("INVALID_EXPIRY", "The expiry must be in the future.")
        name = name.strip()
        if not name or len(name) > MAX_TOKEN_NAME or text_problem(name) is not None:
            return Refused("INVALID_NAME", f"Name the token with 1 to {MAX_TOKEN_NAME} printable characters.")
        secret = new_secret(TOKEN_PREFIX)
        token_id = await self._access.insert_token(
            workspace_id=principal.workspace_id,
            user_id=principal.user_id,
            name=name,
            token_hash=digest(secret),
            prefix=secret[: len(TOKEN_PREFIX) + 6],
            role=role,
            expires_at=expires_at,
        )
        await self._audit.record(
            AuditAction.TOKEN_CREATED, principal, target=name, details={"token": str(token_id), "role": role}
        )
        return IssuedToken(
            id=token_id,
            name=name,
            secret=secret,
            workspace_slug=workspace_slug,
            role=role,
            expires_at=expires_at,
        )

    async def tokens(self, principal: Principal) -> list[TokenRecord]:
        """Every token of the principal's workspace (never their secrets), newest first."""
        return await self._access.tokens(principal.workspace_id)

    async def token(self, principal: Principal, token_id: UUID) -> TokenRecord | None:
        """One token of the principal's workspace (never its secret)."""
        return await self._access.token(principal.workspace_id, token_id)

    async def revoke_token(
        self, principal: Principal | None, workspace_id: UUID, token_id: UUID
    ) -> TokenRecord | None:
        """Revoke a token of `workspace_id` and close its websockets; None when the workspace has no
        such token. Revoking a revoked token changes nothing and answers the same."""
        revoked = await self._access.revoke_token(workspace_id, token_id)
        if revoked is None:
            return await self._access.token(workspace_id, token_id)
        await self._audit.record(
            AuditAction.TOKEN_REVOKED,
            principal,
            workspace_id=workspace_id,
            target=revoked.name,
            details={"token": str(token_id)},
        )
        await self.on_revoked([token_id])
        return revoked

    async def live_credentials(self, ids: Sequence[UUID]) -> set[UUID]:
        """Which of these session and token ids may still be used (for open websockets)."""
        return await self._access.live(ids) if ids else set()

    async def authenticate(self, bearer: str | None, address: str | None = None) -> Principal | None:
        """The principal a bearer token stands for; None for a missing, malformed, unknown, revoked or
        expired token, or one whose creator left the workspace."""
        if not well_formed(bearer, TOKEN_PREFIX) or bearer is None:
            return None
        grant = await self._access.token_grant(digest(bearer))
        if grant is None:
            return None
        if grant.last_used_at is None or datetime.now(UTC) - grant.last_used_at > TOUCH_INTERVAL:
            await self._access.touch_token(grant.token_id)
        return Principal(
            user_id=grant.user_id,
            workspace_id=grant.workspace_id,
            role=lower_role(grant.token_role, grant.member_role),
            token_id=grant.token_id,
            address=address,
        )

    # sessions -------------------------------------------------------------------------------------

    async def sign_in(
        self, email: str, password: str, address: str | None, user_agent: str | None
    ) -> SignedIn | None:
        """A new session for the right email and password; None (after the same work) otherwise."""
        found = await self._repository.credentials(email.strip())
        if not await verify_password(None if found is None else found[1], password) or found is None:
            await self._audit.record(
                AuditAction.SIGN_IN_FAILED, None, email=email.strip()[:320], address=address
            )
            return None
        return await self.start_session(found[0], address, user_agent)

    async def start_session(self, user_id: UUID, address: str | None, user_agent: str | None) -> SignedIn:
        """A new session for a user who just proved who they are (a fresh id: no fixation)."""
        secret = new_secret(SESSION_PREFIX)
        session_id = await self._access.insert_session(
            user_id,
            digest(secret),
            address,
            (user_agent or "")[:300] or None,
            self._sessions.absolute_seconds,
        )
        await self._audit.record(
            AuditAction.SIGNED_IN, Caller(user_id=user_id, session_id=session_id), address=address
        )
        return SignedIn(user_id=user_id, session_id=session_id, secret=secret)

    async def session_caller(self, secret: str | None, address: str | None = None) -> Caller | None:
        """Who a session cookie stands for; None for a missing, unknown, ended or idle session."""
        found = await self.session(secret, address, None)
        return None if found is None else found[0]

    async def session(
        self, secret: str | None, address: str | None, workspace_slug: str | None
    ) -> tuple[Caller, Principal | None] | None:
        """Who a session cookie stands for, and them acting in `workspace_slug` (None: their first
        workspace; the principal is None when they are no member of it); None for a missing,
        unknown, ended or idle session."""
        if not well_formed(secret, SESSION_PREFIX) or secret is None:
            return None
        grant = await self._access.session_grant(digest(secret), self._sessions.idle_seconds, workspace_slug)
        if grant is None:
            return None
        # touched at most once a minute, or ten times per idle period when that is shorter
        touch_after = min(TOUCH_INTERVAL, timedelta(seconds=self._sessions.idle_seconds / 10))
        if datetime.now(UTC) - grant.last_seen_at > touch_after:
            await self._access.touch_session(grant.session_id)
        caller = Caller(user_id=grant.user_id, session_id=grant.session_id, address=address)
        if grant.workspace_id is None or grant.role is None:
            return caller, None
        principal = Principal(
            user_id=grant.user_id,
            workspace_id=grant.workspace_id,
            role=grant.role,
            session_id=grant.session_id,
            address=address,
        )
        return caller, principal

    async def sign_out(self, caller: Caller) -> None:
        """End the caller's session."""
        if caller.session_id is None:
            return
        await self._access.revoke_session(caller.session_id)
        await self._audit.record(AuditAction.SIGNED_OUT, caller)
        await self.on_revoked([caller.session_id])

    async def principal(self, caller: Caller, workspace_slug: str | None) -> Principal | None:
        """The caller acting in `workspace_slug` (None: their first workspace); None if not a member."""
        found = await self._repository.membership(caller.user_id, workspace_slug)
        if found is None:
            return None
        workspace_id, role = found
        return Principal(
            user_id=caller.user_id,
            workspace_id=workspace_id,
            role=role,
            session_id=caller.session_id,
            address=caller.address,
        )

    # passwords ------------------------------------------------------------------------------------

    async def change_password(self, caller: Caller, current: str, new: str) -> Refused | None:
        """Change the caller's password; every other session of theirs ends."""
        stored = await self._repository.password_hash(caller.user_id)
        if stored is not None and not await verify_password(stored, current):
            return Refused("WRONG_PASSWORD", "The current password is not right.")
        problem = password_problem(new)
        if problem is not None:
            return problem
        await self._repository.set_password(caller.user_id, await hash_password(new))
        ended = await self._access.revoke_sessions(caller.user_id, keep=caller.session_id)
        await self._audit.record(AuditAction.PASSWORD_CHANGED, caller)
        await self.on_revoked(ended)
        return None

    # the first owner ------------------------------------------------------------------------------

    async def setup_needed(self) -> bool:
        """Whether nobody can sign in yet (the embedded mode then prints a setup link)."""
        return not await self._repository.anyone_can_sign_in()

    async def setup_link_secret(self, ttl_seconds: float) -> str:
        """A fresh one-time setup secret; earlier unused ones stop working."""
        await self._links.discard(LinkKind.SETUP)
        secret, _grant = await self._links.create(LinkKind.SETUP, ttl_seconds)
        return secret

    async def set_up_owner(
        self, secret: str, email: str, password: str, display_name: str, workspace_slug: str
    ) -> UUID | Refused:
        """Create the first owner from the setup link (once): they own the default workspace."""
        normalised = normalise_email(email)
        if normalised is None:
            return Refused("INVALID_EMAIL", "Enter an email address such as ada@example.com.")
        problem = password_problem(password)
        if problem is not None:
            return problem
        if await self._links.peek(LinkKind.SETUP, secret) is None:
            return Refused("INVALID_LINK", "This setup link was used already, has expired or is wrong.")
        password_hash = await hash_password(password)
        if await self._links.use(LinkKind.SETUP, secret) is None:
            return Refused("INVALID_LINK", "This setup link was used already, has expired or is wrong.")
        workspace_id = await self._repository.ensure_workspace(workspace_slug, "Default workspace")
        name = display_name.strip()[:200] or normalised.partition("@")[0]
        user_id = await self._repository.claim_placeholder_owner(
            workspace_id, LOCAL_OWNER_EMAIL, normalised, name, password_hash
        )
        if user_id is None:
            user_id = await self._repository.create_user(normalised, name, password_hash)
            if user_id is None:
                return Refused("EMAIL_TAKEN", "An account with this email exists; sign in instead.")
            await self._repository.add_member(workspace_id, user_id, Role.OWNER)
        await self._audit.record(
            AuditAction.OWNER_SET_UP, Caller(user_id=user_id), workspace_id=workspace_id, target=normalised
        )
        return user_id

    # reading --------------------------------------------------------------------------------------

    async def viewer(self, principal: Principal) -> UserRecord | None:
        """The calling user."""
        return await self._repository.user(principal)

    async def account(self, caller: Caller) -> AccountRecord | None:
        """The calling person, whatever workspace they act in."""
        return await self._repository.account(caller.user_id)

    async def workspaces(self, caller: Caller) -> list[WorkspaceRecord]:
        """The workspaces the caller belongs to."""
        return await self._repository.workspaces(caller.user_id)
