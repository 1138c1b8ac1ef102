"""GraphQL queries and mutations of workspace management: workspaces, members, invitations, passwords.

Mutations act in the workspace the request acts in (the token's, or the `X-Flowloom-Workspace`
header's for a browser session); none takes a workspace id from the client.
"""

from __future__ import annotations

import strawberry

from backend.accounts.live_links import link_base
from backend.accounts.records import Caller
from backend.accounts.roles import Permission, Role
from backend.accounts.types import Workspace
from backend.accounts.workspace_types import (
    AcceptInviteResult,
    ChangeMemberRoleResult,
    ChangePasswordResult,
    CreatePasswordResetResult,
    CreateWorkspaceResult,
    DeletedWorkspace,
    DeleteWorkspaceResult,
    Invite,
    InviteMemberResult,
    IssuedInvite,
    LeaveWorkspaceResult,
    Member,
    PasswordChanged,
    PasswordResetLink,
    RemovedMember,
    RemoveMemberResult,
    RenameWorkspaceResult,
    RevokedInvite,
    RevokeInviteResult,
)
from backend.gql.common import NotFound, Refused
from backend.gql.context import Info, NotAuthenticatedError, principal_of
from backend.gql.permissions import requires
from backend.problems import NotFound as NotFoundRecord
from backend.problems import Refused as RefusedRecord


def caller_of(info: Info) -> Caller:
    """The calling person (a field's permission has made sure there is one)."""
    caller = info.context.caller
    if caller is None:
        raise NotAuthenticatedError("authentication required")
    return caller


def base_url(info: Info) -> str:
    """Where links made by this request point: the public URL, else the URL the request came to."""
    connection = info.context.request or info.context.websocket
    request_base = "" if connection is None else str(connection.base_url)
    return link_base(info.context.services.settings.public_url, request_base)


def problem(found: RefusedRecord | NotFoundRecord) -> Refused | NotFound:
    """The GraphQL form of a service's problem."""
    if isinstance(found, RefusedRecord):
        return Refused.of(found)
    return NotFound(id=strawberry.ID(found.id), message=found.message)


@strawberry.type
class WorkspaceQuery:
    @strawberry.field(
        description="Your workspaces, with your role in each (a token: only its own).",
        extensions=requires(Permission.SIGNED_IN),
    )
    async def workspaces(self, info: Info) -> list[Workspace]:
        found = await info.context.services.workspaces.workspaces(caller_of(info), info.context.principal)
        return [Workspace.from_record(record) for record in found]

    @strawberry.field(description="The members of this workspace.", extensions=requires(Permission.READ))
    async def members(self, info: Info) -> list[Member]:
        found = await info.context.services.workspaces.members(principal_of(info))
        return [Member.from_record(record) for record in found]

    @strawberry.field(
        description="This workspace's pending invitations.", extensions=requires(Permission.MANAGE)
    )
    async def invites(self, info: Info) -> list[Invite]:
        found = await info.context.services.invitations.invites(principal_of(info))
        return [Invite.from_record(record) for record in found]


@strawberry.type
class WorkspaceMutation:
    @strawberry.mutation(
        description="Create a workspace; you become its owner. Slugs: 2-63 of a-z, 0-9 and '-'.",
        extensions=requires(Permission.ACCOUNT),
    )
    async def create_workspace(self, info: Info, name: str, slug: str) -> CreateWorkspaceResult:
        result = await info.context.services.workspaces.create(caller_of(info), name, slug)
        return Refused.of(result) if isinstance(result, RefusedRecord) else Workspace.from_record(result)

    @strawberry.mutation(description="Rename this workspace.", extensions=requires(Permission.MANAGE))
    async def rename_workspace(self, info: Info, name: str) -> RenameWorkspaceResult:
        result = await info.context.services.workspaces.rename(principal_of(info), name)
        return Refused.of(result) if isinstance(result, RefusedRecord) else Workspace.from_record(result)

    @strawberry.mutation(
        description="Delete this workspace: its unfinished runs are cancelled, its tokens stop working "
        "and its slug is freed. `confirmSlug` must be its slug.",
        extensions=requires(Permission.OWN),
    )
    async def delete_workspace(self, info: Info, confirm_slug: str) -> DeleteWorkspaceResult:
        result = await info.context.services.workspaces.delete(principal_of(info), confirm_slug)
        if isinstance(result, RefusedRecord):
            return Refused.of(result)
        return DeletedWorkspace(
            id=strawberry.ID(str(result.id)), slug=result.slug, cancelled_runs=result.cancelled_runs
        )

    @strawberry.mutation(
        description="Invite someone by email; the one-time link is in the answer (and mailed when "
        "the server can send mail). Only owners invite owners.",
        extensions=requires(Permission.MANAGE),
    )
    async def invite_member(self, info: Info, email: str, role: Role) -> InviteMemberResult:
        result = await info.context.services.invitations.invite(
            principal_of(info), email, role, base_url(info)
        )
        return Refused.of(result) if isinstance(result, RefusedRecord) else IssuedInvite.from_record(result)

    @strawberry.mutation(description="Withdraw a pending invitation.", extensions=requires(Permission.MANAGE))
    async def revoke_invite(self, info: Info, id: strawberry.ID) -> RevokeInviteResult:
        result = await info.context.services.invitations.withdraw(principal_of(info), id)
        if isinstance(result, NotFoundRecord):
            return NotFound(id=strawberry.ID(result.id), message=result.message)
        return RevokedInvite(id=strawberry.ID(str(result)))

    @strawberry.mutation(
        description="Accept an invitation sent to your email address (`token` from its link).",
        extensions=requires(Permission.ACCOUNT),
    )
    async def accept_invite(self, info: Info, token: str) -> AcceptInviteResult:
        result = await info.context.services.invitations.accept(caller_of(info), token)
        return Refused.of(result) if isinstance(result, RefusedRecord) else Workspace.from_record(result)

    @strawberry.mutation(
        description="Give a member another role. Only owners make or unmake owners; the last owner "
        "stays owner.",
        extensions=requires(Permission.MANAGE),
    )
    async def change_member_role(
        self, info: Info, user_id: strawberry.ID, role: Role
    ) -> ChangeMemberRoleResult:
        result = await info.context.services.workspaces.change_role(principal_of(info), user_id, role)
        if isinstance(result, RefusedRecord | NotFoundRecord):
            return problem(result)
        return Member.from_record(result)

    @strawberry.mutation(
        description="Remove a member (and end their tokens of this workspace); owner rules as for roles.",
        extensions=requires(Permission.MANAGE),
    )
    async def remove_member(self, info: Info, user_id: strawberry.ID) -> RemoveMemberResult:
        result = await info.context.services.workspaces.remove(principal_of(info), user_id)
        if isinstance(result, RefusedRecord | NotFoundRecord):
            return problem(result)
        return RemovedMember(user_id=strawberry.ID(str(result.user_id)), email=result.email)

    @strawberry.mutation(
        description="Leave this workspace (the last owner cannot).", extensions=requires(Permission.ACCOUNT)
    )
    async def leave_workspace(self, info: Info) -> LeaveWorkspaceResult:
        result = await info.context.services.workspaces.leave(info.context.principal)
        if isinstance(result, RefusedRecord):
            return Refused.of(result)
        return RemovedMember(user_id=strawberry.ID(str(result.user_id)), email=result.email)

    @strawberry.mutation(
        description="Change your password; your other sessions end.", extensions=requires(Permission.ACCOUNT)
    )
    async def change_password(self, info: Info, current: str, new: str) -> ChangePasswordResult:
        caller = caller_of(info)
        result = await info.context.services.passwords.change_password(caller, current, new)
        if result is not None:
            return Refused.of(result)
        return PasswordChanged(user_id=strawberry.ID(str(caller.user_id)))

    @strawberry.mutation(
        description="A one-time link with which a member of this workspace sets a new password "
        "(an owner's only from an owner).",
        extensions=requires(Permission.MANAGE),
    )
    async def create_password_reset(self, info: Info, user_id: strawberry.ID) -> CreatePasswordResetResult:
        result = await info.context.services.passwords.issue_reset(
            principal_of(info), user_id, base_url(info)
        )
        if isinstance(result, RefusedRecord | NotFoundRecord):
            return problem(result)
        return PasswordResetLink.from_record(result)
