"""GraphQL types of workspace management: members, invitations, reset links, and the mutations' results."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from backend.accounts.invitations import IssuedInvite as IssuedInviteRecord
from backend.accounts.password_resets import IssuedReset
from backend.accounts.records import InviteRecord, MemberRecord
from backend.accounts.roles import Role
from backend.accounts.types import Workspace
from backend.gql.common import NotFound, Refused


@strawberry.type(description="A member of the workspace the request acts in.")
class Member:
    user_id: strawberry.ID
    email: str
    display_name: str
    role: Role
    joined_at: datetime

    @classmethod
    def from_record(cls, record: MemberRecord) -> Member:
        """Build from a member record."""
        return cls(
            user_id=strawberry.ID(str(record.user_id)),
            email=record.email,
            display_name=record.display_name,
            role=record.role,
            joined_at=record.joined_at,
        )


@strawberry.type(description="A pending invitation (its link was shown once, when it was created).")
class Invite:
    id: strawberry.ID
    email: str
    role: Role
    invited_by: str | None = strawberry.field(description="Email of the member who invited.")
    created_at: datetime
    expires_at: datetime

    @classmethod
    def from_record(cls, record: InviteRecord) -> Invite:
        """Build from an invitation record."""
        return cls(
            id=strawberry.ID(str(record.id)),
            email=record.email,
            role=record.role,
            invited_by=record.invited_by,
            created_at=record.created_at,
            expires_at=record.expires_at,
        )


@strawberry.type(description="An invitation just created.")
class IssuedInvite:
    invite: Invite
    url: str = strawberry.field(description="The one-time link to hand to the invitee; shown only now.")
    mailed: bool = strawberry.field(description="Whether the link was also mailed to the invitee.")

    @classmethod
    def from_record(cls, record: IssuedInviteRecord) -> IssuedInvite:
        """Build from the service's record."""
        return cls(invite=Invite.from_record(record.invite), url=record.url, mailed=record.mailed)


@strawberry.type(description="A one-time link with which a member sets a new password.")
class PasswordResetLink:
    user_id: strawberry.ID
    email: str
    url: str = strawberry.field(description="The one-time link to hand to the member; shown only now.")
    expires_at: datetime
    mailed: bool = strawberry.field(description="Whether the link was also mailed to the member.")

    @classmethod
    def from_record(cls, record: IssuedReset) -> PasswordResetLink:
        """Build from the service's record."""
        return cls(
            user_id=strawberry.ID(str(record.user_id)),
            email=record.email,
            url=record.url,
            expires_at=record.expires_at,
            mailed=record.mailed,
        )


@strawberry.type(description="A workspace just deleted; its slug is free again.")
class DeletedWorkspace:
    id: strawberry.ID
    slug: str
    cancelled_runs: int = strawberry.field(description="Unfinished runs that were cancelled.")


@strawberry.type(description="A member no longer in the workspace (removed, or who left).")
class RemovedMember:
    user_id: strawberry.ID
    email: str


@strawberry.type(description="An invitation withdrawn: its link no longer works.")
class RevokedInvite:
    id: strawberry.ID


@strawberry.type(description="Your password was changed; your other sessions ended.")
class PasswordChanged:
    user_id: strawberry.ID


CreateWorkspaceResult = Annotated[Workspace | Refused, strawberry.union("CreateWorkspaceResult")]
RenameWorkspaceResult = Annotated[Workspace | Refused, strawberry.union("RenameWorkspaceResult")]
DeleteWorkspaceResult = Annotated[DeletedWorkspace | Refused, strawberry.union("DeleteWorkspaceResult")]
InviteMemberResult = Annotated[IssuedInvite | Refused, strawberry.union("InviteMemberResult")]
RevokeInviteResult = Annotated[RevokedInvite | NotFound, strawberry.union("RevokeInviteResult")]
AcceptInviteResult = Annotated[Workspace | Refused, strawberry.union("AcceptInviteResult")]
ChangeMemberRoleResult = Annotated[Member | NotFound | Refused, strawberry.union("ChangeMemberRoleResult")]
RemoveMemberResult = Annotated[RemovedMember | NotFound | Refused, strawberry.union("RemoveMemberResult")]
LeaveWorkspaceResult = Annotated[RemovedMember | Refused, strawberry.union("LeaveWorkspaceResult")]
ChangePasswordResult = Annotated[PasswordChanged | Refused, strawberry.union("ChangePasswordResult")]
CreatePasswordResetResult = Annotated[
    PasswordResetLink | NotFound | Refused, strawberry.union("CreatePasswordResetResult")
]
