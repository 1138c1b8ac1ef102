"""Accounts: the default workspace, API tokens and authentication."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from backend.accounts.records import IssuedToken, Principal, UserRecord
from backend.accounts.repository import AccountsRepository

TOKEN_PREFIX = "flt_"  # noqa: S105 - a marker that makes leaked tokens greppable, not a secret
LOCAL_OWNER_EMAIL = "owner@localhost"
# Writing last_used_at on every request would add a statement to each one; a minute is precise enough.
TOUCH_INTERVAL = timedelta(minutes=1)


class UnknownWorkspaceError(Exception):
    """No workspace has the given slug."""


def digest(secret: str) -> str:
    """The stored form of a token: its SHA-256, hex-encoded."""
    return hashlib.sha256(secret.encode()).hexdigest()


class AccountsService:
    """Workspaces, users and the tokens that authenticate them."""

    def __init__(self, repository: AccountsRepository) -> None:
        self._repository = repository

    async def ensure_default_workspace(self, slug: str) -> Principal:
        """Create the default workspace and its local owner on first start; idempotent."""
        return await self.ensure_workspace(slug, "Default workspace", LOCAL_OWNER_EMAIL, "Local owner")

    async def ensure_workspace(self, slug: str, name: str, owner_email: str, owner_name: str) -> Principal:
        """The owner of workspace `slug`, creating the workspace, the user and the membership as needed."""
        workspace_id = await self._repository.ensure_workspace(slug, name)
        user_id = await self._repository.ensure_member(workspace_id, owner_email, owner_name, "owner")
        return Principal(user_id=user_id, workspace_id=workspace_id, role="owner")

    async def create_token(self, workspace_slug: str, name: str = "cli") -> IssuedToken:
        """Issue a bearer token for the owner of `workspace_slug`."""
        workspace_id = await self._repository.workspace_id(workspace_slug)
        if workspace_id is None:
            raise UnknownWorkspaceError(f"no workspace named {workspace_slug!r}")
        owner = await self._repository.first_owner(workspace_id)
        if owner is None:
            raise UnknownWorkspaceError(f"workspace {workspace_slug!r} has no owner")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token_id = await self._repository.insert_token(
            workspace_id, owner, name, digest(secret), secret[: len(TOKEN_PREFIX) + 6]
        )
        return IssuedToken(id=token_id, name=name, secret=secret, workspace_slug=workspace_slug)

    async def authenticate(self, bearer: str | None) -> Principal | None:
        """The principal a bearer token stands for; None for a missing, malformed or unknown token."""
        if not bearer or not bearer.startswith(TOKEN_PREFIX) or len(bearer) > 256:
            return None
        token_hash = digest(bearer)
        found = await self._repository.principal_for_token(token_hash)
        if found is None:
            return None
        principal, last_used = found
        if last_used is None or datetime.now(UTC) - last_used > TOUCH_INTERVAL:
            await self._repository.touch_token(token_hash)
        return principal

    async def viewer(self, principal: Principal) -> UserRecord | None:
        """The calling user."""
        return await self._repository.user(principal)
