"""Who an OpenID sign-in signs in: match by (provider, subject), link by verified email, provision.

The rules (README, "Sign-in"):
1. a (provider, subject) already linked signs in its user;
2. else an account with the same email is linked only when the provider says the email is verified;
3. else a new account is made when the provider provisions just in time (into its configured
   workspace and role), or when an invitation waits for that verified email (invite-only: the person
   then accepts it);
4. anything else is refused with a code the sign-in page explains.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from backend.accounts.audit import AuditAction, AuditLog
from backend.accounts.digests import digest, new_secret
from backend.accounts.links import LinkRepository
from backend.accounts.oidc import OidcFlow, OidcIdentity
from backend.accounts.records import Caller
from backend.accounts.repository import AccountsRepository
from backend.accounts.roles import Role
from backend.accounts.tables import OidcFlow as OidcFlowRow
from backend.problems import Refused
from backend.settings import OidcProviderSettings

FLOW_SECONDS = 600
"""How long a sign-in may stay at the provider."""
FLOW_PREFIX = "flo_"


@dataclass(frozen=True)
class PendingFlow:
    """A sign-in in progress, as stored."""

    provider: str
    flow: OidcFlow
    next_path: str


class OidcFlowStore:
    """Sign-ins in progress, in PostgreSQL (any replica may receive the callback), each bound to the
    browser that began it by a cookie whose digest keys the row, and usable once."""

    async def save(self, provider: str, flow: OidcFlow, next_path: str) -> str:
        """Store a flow; returns the binding secret for the browser's cookie."""
        binding = new_secret(FLOW_PREFIX)
        await OidcFlowRow.raw(
            "DELETE FROM oidc_flows WHERE expires_at < now()"  # keep the table small as it goes
        ).run()
        await OidcFlowRow.raw(
            "INSERT INTO oidc_flows (provider, binding_hash, state, nonce, code_verifier, next_path, "
            "expires_at) VALUES ({}, {}, {}, {}, {}, {}, now() + make_interval(secs => {}))",
            provider,
            digest(binding),
            flow.state,
            flow.nonce,
            flow.code_verifier,
            next_path,
            FLOW_SECONDS,
        ).run()
        return binding

    async def take(self, binding: str | None) -> PendingFlow | None:
        """The flow bound to this cookie, removed so a second callback finds nothing."""
        if not binding or not binding.startswith(FLOW_PREFIX) or len(binding) > 256:
            return None
        rows = await OidcFlowRow.raw(
            "DELETE FROM oidc_flows WHERE binding_hash = {} AND expires_at > now() "
            "RETURNING provider, state, nonce, code_verifier, next_path",
            digest(binding),
        ).run()
        if not rows:
            return None
        row = rows[0]
        return PendingFlow(
            provider=row["provider"],
            flow=OidcFlow(state=row["state"], nonce=row["nonce"], code_verifier=row["code_verifier"]),
            next_path=row["next_path"],
        )


class OidcSignIn:
    """Turns a verified identity into a Flowloom user, by the rules of this module's docstring."""

    def __init__(self, repository: AccountsRepository, links: LinkRepository, audit: AuditLog) -> None:
        self._repository = repository
        self._links = links
        self._audit = audit

    async def user_for(
        self, provider: OidcProviderSettings, identity: OidcIdentity, address: str | None
    ) -> UUID | Refused:
        """The user this identity signs in as (linked or created now), or why not."""
        linked = await self._repository.user_for_identity(identity.provider, identity.subject)
        if linked is not None:
            return linked
        email = identity.email.strip() if identity.email else None
        if email is None or not identity.email_verified:
            return await self._refuse(
                "EMAIL_NOT_VERIFIED",
                f"{provider.name} did not vouch for an email address, so no account can be matched or made.",
                email,
                address,
            )
        existing = await self._repository.user_id(email)
        if existing is not None:
            await self._repository.link_identity(existing, identity.provider, identity.subject, email)
            return existing
        if provider.jit_workspace is None and not await self._links.invited(email):
            return await self._refuse(
                "NOT_INVITED",
                "There is no account for this email; ask an admin for an invitation.",
                email,
                address,
            )
        name = (identity.name or "").strip()[:200] or email.partition("@")[0]
        user_id = await self._repository.create_user(email, name, None)
        if user_id is None:  # made by a concurrent sign-in of the same person
            user_id = await self._repository.user_id(email)
            if user_id is None:
                return Refused("EMAIL_TAKEN", "This email's account changed while signing in; try again.")
        await self._repository.link_identity(user_id, identity.provider, identity.subject, email)
        if provider.jit_workspace is not None:
            await self._provision(provider, user_id, address)
        return user_id

    async def _provision(self, provider: OidcProviderSettings, user_id: UUID, address: str | None) -> None:
        workspace_id = await self._repository.workspace_id(provider.jit_workspace or "")
        role = Role.parse(provider.jit_role) or Role.VIEWER
        if workspace_id is not None and await self._repository.add_member(workspace_id, user_id, role):
            await self._audit.record(
                AuditAction.MEMBER_JOINED,
                Caller(user_id=user_id, address=address),
                workspace_id=workspace_id,
                details={"role": role.value, "via": provider.id},
            )

    async def _refuse(self, code: str, message: str, email: str | None, address: str | None) -> Refused:
        await self._audit.record(
            AuditAction.SIGN_IN_FAILED, None, email=email, address=address, details={"reason": code}
        )
        return Refused(code, message)
