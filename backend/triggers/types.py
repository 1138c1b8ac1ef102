"""GraphQL types of the triggers slice, built from its records."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from backend.gql.common import NotFound, Problem
from backend.triggers import records

# The slice's enum is the GraphQL enum: one source of truth.
strawberry.enum(records.TriggerKind, name="TriggerKind", description="What fires a trigger.")
TriggerKind = records.TriggerKind


@strawberry.type(description="A webhook or a schedule that starts runs of a workflow.")
class Trigger:
    id: strawberry.ID
    workflow_id: strawberry.ID
    kind: TriggerKind
    name: str
    enabled: bool = strawberry.field(description="A disabled webhook answers 404; a disabled schedule waits.")
    require_signature: bool = strawberry.field(
        description="Webhook deliveries must carry X-Flowloom-Signature: sha256=<HMAC of the body>."
    )
    cron: str | None = strawberry.field(description="A schedule's five-field cron expression.")
    timezone: str | None = strawberry.field(description="The IANA time zone a schedule's ticks are in.")
    inputs: JSON | None = strawberry.field(description="A schedule's run inputs.")
    next_fire_at: datetime | None = strawberry.field(description="A schedule's next tick.")
    last_fired_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, record: records.TriggerRecord) -> Trigger:
        """Build from a trigger record."""
        return cls(
            id=strawberry.ID(str(record.id)),
            workflow_id=strawberry.ID(str(record.workflow_id)),
            kind=record.kind,
            name=record.name,
            enabled=record.enabled,
            require_signature=record.require_signature,
            cron=record.cron,
            timezone=record.timezone,
            inputs=None if record.kind is TriggerKind.WEBHOOK else JSON(record.inputs),
            next_fire_at=record.next_fire_at if record.enabled else None,
            last_fired_at=record.last_fired_at,
            created_at=record.created_at,
            updated_at=record.updated_at,
        )

    @strawberry.field(description="Where a webhook receives deliveries (POST), relative to the server.")
    def webhook_path(self) -> str | None:
        return f"/hooks/{self.id}" if self.kind is TriggerKind.WEBHOOK else None


@strawberry.type(
    description="A trigger with its secret: shown when a webhook is created or rotated, never again."
)
class TriggerWithSecret:
    trigger: Trigger
    secret: str | None = strawberry.field(description="The webhook's signing secret (null for a schedule).")

    @classmethod
    def of(cls, record: records.TriggerWithSecret) -> TriggerWithSecret:
        """Build from the record."""
        return cls(trigger=Trigger.of(record.trigger), secret=record.secret)


@strawberry.type(description="What started a run: a trigger (its name is null once it was deleted).")
class TriggerRef:
    id: strawberry.ID
    kind: TriggerKind
    name: str | None

    @classmethod
    def of(cls, record: records.TriggerOfRun) -> TriggerRef:
        """Build from the record."""
        return cls(id=strawberry.ID(str(record.id)), kind=record.kind, name=record.name)


@strawberry.type(
    description="The trigger's settings were refused (cron, time zone, inputs, name); nothing changed."
)
class InvalidTrigger:
    problems: list[Problem]

    @classmethod
    def of(cls, record: records.InvalidTrigger) -> InvalidTrigger:
        """Build from the record."""
        return cls(problems=[Problem.from_record(problem) for problem in record.problems])


@strawberry.type(description="The trigger was deleted; the runs it started remain.")
class DeletedTrigger:
    id: strawberry.ID


@strawberry.input(description="A new webhook or schedule of a workflow.")
class CreateTriggerInput:
    workflow_id: strawberry.ID
    kind: TriggerKind
    name: str | None = strawberry.field(default=None, description="Default: Webhook or Schedule.")
    enabled: bool = True
    require_signature: bool = strawberry.field(
        default=False, description="Webhooks: refuse deliveries without a valid signature (401)."
    )
    cron: str | None = strawberry.field(
        default=None, description="Schedules: minute hour day-of-month month day-of-week, or @daily etc."
    )
    timezone: str | None = strawberry.field(default=None, description="Schedules: an IANA zone; default UTC.")
    inputs: JSON | None = strawberry.field(
        default=None, description="Schedules: the run inputs, checked against the workflow's inputs schema."
    )


@strawberry.input(description="Changes to a trigger; omitted fields stay as they are.")
class UpdateTriggerInput:
    name: str | None = None
    enabled: bool | None = None
    require_signature: bool | None = None
    cron: str | None = None
    timezone: str | None = None
    inputs: JSON | None = strawberry.field(default=None, description="Schedules only; {} empties them.")


CreateTriggerResult = Annotated[
    TriggerWithSecret | NotFound | InvalidTrigger, strawberry.union("CreateTriggerResult")
]
UpdateTriggerResult = Annotated[Trigger | NotFound | InvalidTrigger, strawberry.union("UpdateTriggerResult")]
RotateTriggerSecretResult = Annotated[
    TriggerWithSecret | NotFound | InvalidTrigger, strawberry.union("RotateTriggerSecretResult")
]
DeleteTriggerResult = Annotated[DeletedTrigger | NotFound, strawberry.union("DeleteTriggerResult")]
