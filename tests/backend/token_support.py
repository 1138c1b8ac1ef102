"""Members with a role, their tokens and their passwords, in a test's workspace."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import uuid4

from backend.accounts.provisioning import Provisioning
from backend.accounts.records import Principal
from backend.accounts.repository import AccountsRepository
from backend.accounts.roles import Role
from backend.problems import Refused
from backend.services import Services
from tests.tenants import Tenant

PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Member:
    """A member of a test's workspace with a token of theirs (and, for `person`, a password)."""

    principal: Principal
    email: str
    token: str


async def member(services: Services, tenant: Tenant, role: Role, token_role: Role | None = None) -> Member:
    """A new member of the tenant's workspace with `role`, and a token of theirs (`token_role`)."""
    email = f"{role.value}-{uuid4().hex[:8]}@test.local"
    workspace_id = tenant.principal.workspace_id
    user_id = await AccountsRepository().ensure_member(workspace_id, email, role.value.title(), role)
    principal = Principal(user_id=user_id, workspace_id=workspace_id, role=role)
    issued = await services.accounts.issue_token(principal, f"{role.value} token", token_role or role)
    assert not isinstance(issued, Refused), issued
    return Member(principal=principal, email=email, token=issued.secret)


async def person(services: Services, tenant: Tenant, role: Role) -> Member:
    """A new member who signs in with `PASSWORD` (and has a token too)."""
    email = f"person-{uuid4().hex[:8]}@test.local"
    created = await Provisioning(AccountsRepository()).create_user(email, PASSWORD, "", tenant.slug, role)
    assert not isinstance(created, Refused), created
    principal = Principal(user_id=created, workspace_id=tenant.principal.workspace_id, role=role)
    issued = await services.accounts.issue_token(principal, "person token", role)
    assert not isinstance(issued, Refused), issued
    return Member(principal=principal, email=email, token=issued.secret)
