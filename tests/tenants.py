"""Per-test workspaces: tests share one database and stay isolated by workspace scoping."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import uuid4

from backend.accounts.records import Principal
from backend.services import Services


@dataclass(frozen=True)
class Tenant:
    """A workspace, its owner's principal and a bearer token of that owner."""

    slug: str
    principal: Principal
    token: str


async def new_tenant(services: Services) -> Tenant:
    """Create a workspace with an owner and a token."""
    slug = f"t-{uuid4().hex[:12]}"
    principal = await services.accounts.ensure_workspace(
        slug, f"Workspace {slug}", f"{slug}@test.local", "Owner"
    )
    token = (await services.accounts.create_token(slug, "test")).secret
    return Tenant(slug=slug, principal=principal, token=token)
