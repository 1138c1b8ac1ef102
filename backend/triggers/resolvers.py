"""GraphQL queries and mutations of the triggers slice (viewers read, editors manage)."""

from __future__ import annotations

import strawberry

from backend.accounts.roles import Permission
from backend.gql.common import NotFound, json_value
from backend.gql.context import Info, principal_of
from backend.gql.permissions import requires
from backend.problems import NotFound as NotFoundRecord
from backend.triggers import records
from backend.triggers.types import (
    CreateTriggerInput,
    CreateTriggerResult,
    DeletedTrigger,
    DeleteTriggerResult,
    InvalidTrigger,
    RotateTriggerSecretResult,
    Trigger,
    TriggerWithSecret,
    UpdateTriggerInput,
    UpdateTriggerResult,
)


def _not_found(record: NotFoundRecord) -> NotFound:
    return NotFound(id=strawberry.ID(record.id), message=record.message)


def _with_secret(
    result: records.TriggerWithSecret | NotFoundRecord | records.InvalidTrigger,
) -> TriggerWithSecret | NotFound | InvalidTrigger:
    if isinstance(result, NotFoundRecord):
        return _not_found(result)
    if isinstance(result, records.InvalidTrigger):
        return InvalidTrigger.of(result)
    return TriggerWithSecret.of(result)


@strawberry.type
class TriggerQuery:
    @strawberry.field(
        description="A workflow's webhooks and schedules, oldest first.", extensions=requires(Permission.READ)
    )
    async def triggers(self, info: Info, workflow_id: strawberry.ID) -> list[Trigger]:
        found = await info.context.services.triggers.of_workflow(principal_of(info), workflow_id)
        return [Trigger.of(record) for record in found]


@strawberry.type
class TriggerMutation:
    @strawberry.mutation(
        description="Add a webhook (its secret is in the answer, and only there) or a schedule.",
        extensions=requires(Permission.EDIT),
    )
    async def create_trigger(self, info: Info, input: CreateTriggerInput) -> CreateTriggerResult:
        new = records.NewTrigger(
            workflow_id=input.workflow_id,
            kind=input.kind,
            name=input.name,
            enabled=input.enabled,
            require_signature=input.require_signature,
            cron=input.cron,
            timezone=input.timezone,
            inputs=json_value(input.inputs),
        )
        return _with_secret(await info.context.services.triggers.create(principal_of(info), new))

    @strawberry.mutation(
        description="Enable or disable a trigger, rename it, or change a schedule's cron, zone or inputs.",
        extensions=requires(Permission.EDIT),
    )
    async def update_trigger(
        self, info: Info, id: strawberry.ID, input: UpdateTriggerInput
    ) -> UpdateTriggerResult:
        update = records.TriggerUpdate(
            name=input.name,
            enabled=input.enabled,
            require_signature=input.require_signature,
            cron=input.cron,
            timezone=input.timezone,
            inputs=json_value(input.inputs),
        )
        result = await info.context.services.triggers.update(principal_of(info), id, update)
        if isinstance(result, NotFoundRecord):
            return _not_found(result)
        if isinstance(result, records.InvalidTrigger):
            return InvalidTrigger.of(result)
        return Trigger.of(result)

    @strawberry.mutation(
        description="Give a webhook a new secret (the old one stops working at once); shown only here.",
        extensions=requires(Permission.EDIT),
    )
    async def rotate_trigger_secret(self, info: Info, id: strawberry.ID) -> RotateTriggerSecretResult:
        return _with_secret(await info.context.services.triggers.rotate_secret(principal_of(info), id))

    @strawberry.mutation(
        description="Delete a trigger; the runs it started remain.", extensions=requires(Permission.EDIT)
    )
    async def delete_trigger(self, info: Info, id: strawberry.ID) -> DeleteTriggerResult:
        result = await info.context.services.triggers.delete(principal_of(info), id)
        if isinstance(result, NotFoundRecord):
            return _not_found(result)
        return DeletedTrigger(id=strawberry.ID(str(result)))
