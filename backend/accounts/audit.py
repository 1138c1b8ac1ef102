"""The audit log: who did what, to what, when and from where."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from backend.accounts.records import Caller, Principal
from backend.accounts.tables import AuditEvent


class AuditAction(StrEnum):
    """Everything the audit log records."""

    SIGNED_IN = "signed_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGNED_OUT = "signed_out"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET_ISSUED = "password_reset_issued"
    PASSWORD_RESET = "password_reset"
    OWNER_SET_UP = "owner_set_up"
    TOKEN_CREATED = "token_created"
    TOKEN_REVOKED = "token_revoked"
    MEMBER_INVITED = "member_invited"
    INVITE_REVOKED = "invite_revoked"
    MEMBER_JOINED = "member_joined"
    ROLE_CHANGED = "role_changed"
    MEMBER_REMOVED = "member_removed"
    MEMBER_LEFT = "member_left"
    WORKSPACE_CREATED = "workspace_created"
    WORKSPACE_RENAMED = "workspace_renamed"
    WORKSPACE_DELETED = "workspace_deleted"
    CREDENTIAL_SET = "credential_set"
    CREDENTIAL_DELETED = "credential_deleted"
    TRIGGER_CREATED = "trigger_created"
    TRIGGER_SECRET_ROTATED = "trigger_secret_rotated"
    TRIGGER_DELETED = "trigger_deleted"


@dataclass(frozen=True)
class AuditRecord:
    """One entry of the audit log."""

    id: UUID
    action: AuditAction
    actor_user_id: UUID | None
    actor_token_id: UUID | None
    actor_email: str | None
    target: str | None
    address: str | None
    details: dict[str, Any]
    at: datetime


class AuditLog:
    """Writes audit entries (never a secret: callers pass names, ids and emails only)."""

    async def record(
        self,
        action: AuditAction,
        actor: Principal | Caller | None,
        *,
        workspace_id: UUID | None = None,
        target: str | None = None,
        email: str | None = None,
        address: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Append one entry; the workspace defaults to the actor's."""
        if workspace_id is None and isinstance(actor, Principal):
            workspace_id = actor.workspace_id
        await AuditEvent.raw(
            "INSERT INTO audit_events (workspace_id, actor_user_id, actor_token_id, actor_email, action, "
            "target, address, details, at) VALUES ({}, {}, {}, "
            "coalesce({}, (SELECT email FROM users WHERE id = {})), {}, {}, {}, {}::jsonb, now())",
            workspace_id,
            None if actor is None else actor.user_id,
            None if actor is None else actor.token_id,
            email,
            None if actor is None else actor.user_id,
            action.value,
            None if target is None else target[:400],
            (address or (None if actor is None else actor.address) or "")[:64] or None,
            json.dumps(details or {}),
        ).run()
