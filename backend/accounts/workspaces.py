"""Workspaces and their members: create, rename, delete; change roles, remove, leave.

Rules kept here, whoever calls (GraphQL, REST, CLI): a workspace always has an owner (the last one
can be neither demoted, removed nor leave; the check and the change run under the workspace's row
lock, so concurrent changes cannot both pass it); only owners make or unmake owners; ids of another
workspace's members behave exactly like unknown ids.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from backend.accounts.audit import AuditAction, AuditLog
from backend.accounts.members_repository import MembersRepository
from backend.accounts.records import Caller, MemberRecord, Principal, WorkspaceRecord
from backend.accounts.roles import Role, lower_role
from backend.accounts.service import AccountsService
from backend.pagination import MAX_PAGE_SIZE, Cursor, Page, PageRequest
from backend.problems import NotFound, Refused
from engine.records import RunRecord, RunStatus
from engine.value_policy import text_problem

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
"""What a workspace slug looks like (it travels in a header and in URLs)."""
MAX_NAME_LENGTH = 200
_FREED_SUFFIX = 17
"""Length of `-deleted-<8 hex>`, the suffix a deleted workspace's slug gets (slugs fit 64 characters)."""
_ACTIVE = (RunStatus.PENDING, RunStatus.RUNNING, RunStatus.WAITING)


def name_problem(name: str, what: str = "name") -> Refused | None:
    """Why `name` (a workspace's or a person's, already stripped) cannot be used, or None."""
    if not name or len(name) > MAX_NAME_LENGTH:
        return Refused("INVALID_NAME", f"The {what} must have 1 to {MAX_NAME_LENGTH} characters.")
    if text_problem(name) is not None or any(unicodedata.category(c) == "Cc" for c in name):
        return Refused("INVALID_NAME", f"The {what} contains control characters or invalid text.")
    return None


def parse_id(value: str) -> UUID | None:
    """A UUID from an API id, or None (then treated as not found)."""
    try:
        return UUID(value)
    except (ValueError, AttributeError):
        return None


class ActiveRuns(Protocol):
    """What deleting a workspace needs of the runs service: find its unfinished runs, cancel them."""

    async def page(
        self, principal: Principal, request: PageRequest, *, workflow_id: str | None, status: RunStatus | None
    ) -> Page[RunRecord]:
        """Runs of the principal's workspace, newest first."""
        ...

    async def cancel(self, principal: Principal, run_id: str) -> object:
        """Cancel one run."""
        ...


@dataclass(frozen=True)
class DeletedWorkspace:
    """A workspace just deleted, with the slug it had."""

    id: UUID
    slug: str
    cancelled_runs: int


class WorkspaceService:
    """Workspaces and memberships, for the people who belong to them."""

    def __init__(
        self,
        *,
        accounts: AccountsService,
        members: MembersRepository,
        audit: AuditLog,
        runs: ActiveRuns,
        default_workspace: str,
    ) -> None:
        self._accounts = accounts
        self._members = members
        self._audit = audit
        self._runs = runs
        self._default_workspace = default_workspace

    async def _revoked(self, ids: list[UUID]) -> None:
        # AccountsService.on_revoked is looked up at each call: whoever closes the revoked tokens'
        # websockets may set it after this service was built
        if ids:
            await self._accounts.on_revoked(ids)

    async def _access_changed(self, workspace_id: UUID, user_ids: list[UUID]) -> None:
        if user_ids:
            await self._accounts.on_access_changed([(user_id, workspace_id) for user_id in user_ids])

    # workspaces -----------------------------------------------------------------------------------

    async def workspaces(self, caller: Caller, principal: Principal | None) -> list[WorkspaceRecord]:
        """The caller's workspaces with their role; a token sees only its own workspace."""
        if caller.token_id is None:
            return await self._accounts.workspaces(caller)
        if principal is None:
            return []
        found = await self._members.workspace(principal.workspace_id, principal.role)
        return [] if found is None else [found]

    async def create(self, caller: Caller, name: str, slug: str) -> WorkspaceRecord | Refused:
        """A new workspace; the caller becomes its owner."""
        name = name.strip()
        if not SLUG.fullmatch(slug):
            return Refused(
                "INVALID_SLUG",
                "A slug has 2 to 63 lower-case letters, digits and hyphens, and starts with a letter "
                "or digit.",
            )
        problem = name_problem(name)
        if problem is not None:
            return problem
        async with self._members.transaction():
            created = await self._members.create_workspace(slug, name, caller.user_id)
            if created is None:
                return Refused("SLUG_TAKEN", f"The slug {slug} is taken; choose another.")
            await self._audit.record(
                AuditAction.WORKSPACE_CREATED, caller, workspace_id=created.id, target=slug
            )
        return created

    async def rename(self, principal: Principal, name: str) -> WorkspaceRecord | Refused:
        """Rename the principal's workspace."""
        name = name.strip()
        problem = name_problem(name)
        if problem is not None:
            return problem
        previous = await self._members.rename_workspace(principal.workspace_id, name)
        found = await self._members.workspace(principal.workspace_id, principal.role)
        if previous is None or found is None:
            return Refused("NO_WORKSPACE", "This workspace was deleted.")
        await self._audit.record(
            AuditAction.WORKSPACE_RENAMED,
            principal,
            target=found.slug,
            details={"from": previous, "to": name},
        )
        return found

    async def delete(self, principal: Principal, confirm_slug: str) -> DeletedWorkspace | Refused:
        """Delete the principal's workspace (softly: its rows stay for the audit trail) and free its slug.

        Access ends first, in one transaction (the workspace disappears from every lookup, its tokens
        are revoked, its pending links withdrawn), then its unfinished runs are cancelled: done in
        this order, no run can be started in between and escape the cancelling.
        """
        found = await self._members.workspace(principal.workspace_id, principal.role)
        if found is None:
            return Refused("NO_WORKSPACE", "This workspace was deleted already.")
        if confirm_slug != found.slug:
            return Refused("CONFIRMATION_MISMATCH", f"Type the workspace's slug, {found.slug}, to confirm.")
        if found.slug == self._default_workspace:
            return Refused(
                "DEFAULT_WORKSPACE",
                "The default workspace cannot be deleted: Flowloom creates it again at every start.",
            )
        freed = f"{found.slug[: 63 - _FREED_SUFFIX]}-deleted-{secrets.token_hex(4)}"
        everyone = [member.user_id for member in await self._members.members(found.id)]
        async with self._members.transaction():
            if not await self._members.delete_workspace(found.id, freed):
                return Refused("NO_WORKSPACE", "This workspace was deleted already.")
            revoked = await self._members.revoke_tokens(found.id)
            await self._members.withdraw_links(found.id)
            await self._audit.record(
                AuditAction.WORKSPACE_DELETED, principal, target=found.slug, details={"freedSlug": freed}
            )
        await self._revoked(revoked)
        await self._access_changed(found.id, everyone)
        cancelled = await self._cancel_unfinished_runs(principal)
        return DeletedWorkspace(id=found.id, slug=found.slug, cancelled_runs=cancelled)

    async def _cancel_unfinished_runs(self, principal: Principal) -> int:
        cancelled = 0
        for status in _ACTIVE:
            request = PageRequest(first=MAX_PAGE_SIZE, after=None)
            while True:
                page = await self._runs.page(principal, request, workflow_id=None, status=status)
                for run in page.items:
                    result = await self._runs.cancel(principal, str(run.id))
                    if isinstance(result, RunRecord) and result.status is RunStatus.CANCELLED:
                        cancelled += 1
                if not page.has_next_page or page.end_cursor is None:
                    break
                request = PageRequest(first=MAX_PAGE_SIZE, after=Cursor.decode(page.end_cursor))
        return cancelled

    # members --------------------------------------------------------------------------------------

    async def members(self, principal: Principal) -> list[MemberRecord]:
        """The members of the principal's workspace."""
        return await self._members.members(principal.workspace_id)

    async def change_role(
        self, principal: Principal, user_id: str, role: Role
    ) -> MemberRecord | NotFound | Refused:
        """Give a member another role (only owners make or unmake owners; never the last owner)."""
        target = parse_id(user_id)
        if target is None:
            return NotFound(id=user_id, message=f"no member {user_id}")
        async with self._members.transaction():
            checked = await self._checked_change(principal, target, user_id, role)
            if not isinstance(checked, MemberRecord):
                return checked
            if checked.role is role:
                return checked
            await self._members.set_role(principal.workspace_id, target, role)
            await self._audit.record(
                AuditAction.ROLE_CHANGED,
                principal,
                target=checked.email,
                details={"userId": str(target), "from": checked.role.value, "to": role.value},
            )
        await self._access_changed(principal.workspace_id, [target])
        return MemberRecord(
            user_id=checked.user_id,
            email=checked.email,
            display_name=checked.display_name,
            role=role,
            joined_at=checked.joined_at,
        )

    async def remove(self, principal: Principal, user_id: str) -> MemberRecord | NotFound | Refused:
        """Remove a member (same owner rules as role changes); their tokens of this workspace end."""
        target = parse_id(user_id)
        if target is None:
            return NotFound(id=user_id, message=f"no member {user_id}")
        return await self._end_membership(principal, target, user_id, AuditAction.MEMBER_REMOVED)

    async def leave(self, principal: Principal | None) -> MemberRecord | Refused:
        """The caller leaves the workspace they act in (unless they are its last owner)."""
        if principal is None:
            return Refused("NOT_A_MEMBER", "You are not a member of this workspace.")
        left = await self._end_membership(
            principal, principal.user_id, str(principal.user_id), AuditAction.MEMBER_LEFT
        )
        if isinstance(left, NotFound):
            return Refused("NOT_A_MEMBER", "You are not a member of this workspace.")
        return left

    async def _end_membership(
        self, principal: Principal, target: UUID, user_id: str, action: AuditAction
    ) -> MemberRecord | NotFound | Refused:
        async with self._members.transaction():
            # a member who is removed or leaves loses everything: checked as a change to "no role"
            checked = await self._checked_change(principal, target, user_id, None)
            if not isinstance(checked, MemberRecord):
                return checked
            await self._members.remove(principal.workspace_id, target)
            revoked = await self._members.revoke_tokens(principal.workspace_id, target)
            await self._audit.record(
                action, principal, target=checked.email, details={"userId": str(target), "role": checked.role}
            )
        await self._revoked(revoked)
        await self._access_changed(principal.workspace_id, [target])
        return checked

    async def _checked_change(
        self, principal: Principal, target: UUID, user_id: str, role: Role | None
    ) -> MemberRecord | NotFound | Refused:
        """The member about to get `role` (None: about to go), if the rules allow it; in a transaction."""
        if not await self._members.lock_workspace(principal.workspace_id):
            return NotFound(id=user_id, message=f"no member {user_id}")
        member = await self._members.member(principal.workspace_id, target)
        if member is None:
            return NotFound(id=user_id, message=f"no member {user_id}")
        # the actor's role as it is now, under the lock: one just demoted by a concurrent change
        # acts with their new role, not the one their request started with
        actor = await self._members.member(principal.workspace_id, principal.user_id)
        current = Role.VIEWER if actor is None else lower_role(actor.role, principal.role)
        leaving = target == principal.user_id and role is None
        if Role.OWNER in (member.role, role) and current is not Role.OWNER and not leaving:
            return Refused("OWNER_REQUIRED", "Only an owner can make, unmake or remove an owner.")
        if not leaving and not current.at_least(Role.ADMIN):
            return Refused("ROLE_TOO_LOW", "Only admins and owners can change members.")
        if (
            member.role is Role.OWNER
            and role is not Role.OWNER
            and await self._members.owners(principal.workspace_id) <= 1
        ):
            return Refused(
                "LAST_OWNER", "A workspace needs an owner: make someone else owner first, or delete it."
            )
        return member
