"""GraphQL types of the audit log."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from backend.accounts.audit import AuditAction, AuditRecord

# The audit log's own enum is the GraphQL enum: an action added there appears here.
strawberry.enum(AuditAction, name="AuditAction", description="What an audit log entry records.")


@strawberry.type(description="Who did what, to what, when and from where (never a secret).")
class AuditEvent:
    id: strawberry.ID
    action: AuditAction
    actor_email: str | None = strawberry.field(
        description="Who acted (for a failed sign-in: the email tried); null for the system."
    )
    actor_token_id: strawberry.ID | None = strawberry.field(
        description="The API token they acted with, if any."
    )
    target: str | None = strawberry.field(description="What they acted on: a name or an email.")
    address: str | None = strawberry.field(description="The client's address.")
    details: JSON
    at: datetime

    @classmethod
    def of(cls, record: AuditRecord) -> AuditEvent:
        """Build from an audit record."""
        return cls(
            id=strawberry.ID(str(record.id)),
            action=record.action,
            actor_email=record.actor_email,
            actor_token_id=None
            if record.actor_token_id is None
            else strawberry.ID(str(record.actor_token_id)),
            target=record.target,
            address=record.address,
            details=JSON(record.details),
            at=record.at,
        )
