"""Accounts an operator creates from the command line (with DATABASE_URL there is no setup link)."""

from __future__ import annotations

from uuid import UUID

from backend.accounts.audit import AuditAction, AuditLog
from backend.accounts.passwords import hash_password, password_problem
from backend.accounts.repository import AccountsRepository
from backend.accounts.roles import Role
from backend.accounts.service import LOCAL_OWNER_EMAIL, UnknownWorkspaceError, normalise_email
from backend.problems import Refused


class Provisioning:
    """Creates accounts with a password, as members of a workspace."""

    def __init__(self, repository: AccountsRepository, audit: AuditLog | None = None) -> None:
        self._repository = repository
        self._audit = audit or AuditLog()

    async def create_user(
        self, email: str, password: str, display_name: str, workspace_slug: str, role: Role
    ) -> UUID | Refused:
        """A new account with a password, made a member of `workspace_slug` with `role`.

        An owner of a workspace that still has the passwordless placeholder owner takes its place,
        as the setup link's owner does, so that the tokens the command line issued before keep
        working, now in a real person's name.

        Raises:
            UnknownWorkspaceError: No live workspace has that slug.
        """
        normalised = normalise_email(email)
        if normalised is None:
            return Refused("INVALID_EMAIL", "Enter an email address such as ada@example.com.")
        problem = password_problem(password)
        if problem is not None:
            return problem
        workspace_id = await self._repository.workspace_id(workspace_slug)
        if workspace_id is None:
            raise UnknownWorkspaceError(f"no workspace named {workspace_slug!r}")
        password_hash = await hash_password(password)
        name = display_name.strip()[:200] or normalised.partition("@")[0]
        user_id = None
        if role is Role.OWNER:
            user_id = await self._repository.claim_placeholder_owner(
                workspace_id, LOCAL_OWNER_EMAIL, normalised, name, password_hash
            )
        if user_id is None:
            user_id = await self._repository.create_user(normalised, name, password_hash)
            if user_id is None:
                return Refused("EMAIL_TAKEN", f"An account with the email {normalised} exists already.")
            await self._repository.add_member(workspace_id, user_id, role)
        await self._audit.record(
            AuditAction.MEMBER_JOINED,
            None,
            workspace_id=workspace_id,
            target=normalised,
            details={"role": role.value, "via": "command line"},
        )
        return user_id
