"""Trigger use cases: manage a workflow's webhooks and schedules (scoped to the caller's workspace).

Deliveries and schedule ticks start runs through the runs slice's `RunStarter`, the path startRun
takes; see `deliveries.py` and `scheduler.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pydantic import JsonValue

from backend.accounts.audit import AuditAction, AuditLog
from backend.accounts.records import Principal
from backend.credentials.crypto import SecretBox
from backend.problems import NotFound
from backend.runs.starting import RunStarter, input_problems, storable_problems
from backend.triggers.records import (
    InvalidTrigger,
    NewTrigger,
    TriggerKind,
    TriggerOfRun,
    TriggerRecord,
    TriggerUpdate,
    TriggerWithSecret,
)
from backend.triggers.repository import TriggerRepository, stored_inputs
from backend.triggers.schedule import cron_problem, next_tick, zone_problem
from backend.triggers.signatures import new_webhook_secret
from backend.workflows.records import WorkflowRecord
from backend.workflows.service import parse_id
from engine.graph import Problem
from engine.value_policy import text_problem

MAX_NAME = 128
DEFAULT_TIMEZONE = "UTC"


def _name_problems(name: str) -> list[Problem]:
    unstorable = text_problem(name)
    if unstorable is not None:
        return [Problem(code="UNSTORABLE_TEXT", message=f"name {unstorable}", path="name")]
    if not name.strip():
        return [Problem(code="INVALID_VALUE", message="name must not be blank", path="name")]
    if len(name) > MAX_NAME:
        return [Problem(code="VALUE_TOO_LARGE", message=f"name is longer than {MAX_NAME}", path="name")]
    return []


def _schedule_problems(cron: str | None, timezone: str | None) -> list[Problem]:
    problems: list[Problem] = []
    if cron is None:
        problems.append(
            Problem(code="INVALID_CRON", message="a schedule needs a cron expression", path="cron")
        )
    else:
        problems.extend(found for found in [cron_problem(cron)] if found is not None)
    if timezone is not None:
        problems.extend(found for found in [zone_problem(timezone)] if found is not None)
    return problems


class TriggerService:
    """Create, change, list and delete triggers; secrets are encrypted at rest and shown once."""

    def __init__(
        self, repository: TriggerRepository, box: SecretBox, starter: RunStarter, audit: AuditLog
    ) -> None:
        self._repository = repository
        self._box = box
        self._starter = starter
        self._audit = audit

    async def of_workflow(self, principal: Principal, workflow_id: str) -> list[TriggerRecord]:
        """A workflow's triggers, oldest first (none for an unknown workflow)."""
        uuid = parse_id(workflow_id)
        return [] if uuid is None else await self._repository.of_workflow(principal.workspace_id, uuid)

    async def get(self, principal: Principal, trigger_id: str) -> TriggerRecord | None:
        """A trigger of the workspace, or None."""
        uuid = parse_id(trigger_id)
        return None if uuid is None else await self._repository.get(principal.workspace_id, uuid)

    async def of_runs(self, principal: Principal, run_ids: Sequence[UUID]) -> list[TriggerOfRun | None]:
        """What started each run, None for runs no trigger started (a DataLoader batch)."""
        found = await self._repository.of_runs(principal.workspace_id, run_ids)
        return [found.get(run_id) for run_id in run_ids]

    async def create(
        self, principal: Principal, new: NewTrigger
    ) -> TriggerWithSecret | NotFound | InvalidTrigger:
        """A webhook (with a fresh secret, shown this once) or a schedule of the workflow."""
        workflow = await self._workflow(principal, new.workflow_id)
        if workflow is None:
            return NotFound(id=new.workflow_id, message=f"no workflow {new.workflow_id}")
        name = new.name if new.name is not None else new.kind.value.capitalize()
        problems = _name_problems(name)
        timezone = None
        inputs: JsonValue = None
        if new.kind is TriggerKind.SCHEDULE:
            timezone = new.timezone or DEFAULT_TIMEZONE
            problems += _schedule_problems(new.cron, timezone)
            inputs = stored_inputs(new.inputs)
            problems += await self._input_problems(workflow, inputs)
        if problems:
            return InvalidTrigger(problems=tuple(problems))
        secret = new_webhook_secret() if new.kind is TriggerKind.WEBHOOK else None
        values: dict[str, Any] = {
            "name": name,
            "enabled": new.enabled,
            "require_signature": new.require_signature,
            "cron": None if new.cron is None or timezone is None else new.cron.strip(),
            "timezone": timezone,
            "inputs": inputs,
            "next_fire_at": None,
        }
        if values["cron"] is not None and timezone is not None:
            values["next_fire_at"] = next_tick(values["cron"], timezone, datetime.now(UTC))
        record = await self._repository.insert(
            principal.workspace_id,
            workflow.id,
            new.kind,
            values,
            secret=None if secret is None else self._box.encrypt(secret),
            created_by=principal.user_id,
        )
        await self._audit_change(AuditAction.TRIGGER_CREATED, principal, record)
        return TriggerWithSecret(trigger=record, secret=secret)

    async def update(
        self, principal: Principal, trigger_id: str, update: TriggerUpdate
    ) -> TriggerRecord | NotFound | InvalidTrigger:
        """Change a trigger's settings; a schedule whose timing changes, or that is enabled again,
        next fires at its first tick from now (ticks missed while disabled are not caught up)."""
        current = await self.get(principal, trigger_id)
        if current is None:
            return NotFound(id=trigger_id, message=f"no trigger {trigger_id}")
        values: dict[str, Any] = {}
        problems: list[Problem] = []
        if update.name is not None:
            problems += _name_problems(update.name)
            values["name"] = update.name
        if update.enabled is not None:
            values["enabled"] = update.enabled
        if update.require_signature is not None:
            values["require_signature"] = update.require_signature
        if current.kind is TriggerKind.SCHEDULE:
            cron = current.cron if update.cron is None else update.cron.strip()
            timezone = current.timezone if update.timezone is None else update.timezone
            problems += _schedule_problems(cron, timezone or DEFAULT_TIMEZONE)
            if update.inputs is not None:
                values["inputs"] = stored_inputs(update.inputs)
                workflow = await self._workflow(principal, str(current.workflow_id))
                if workflow is not None:
                    problems += await self._input_problems(workflow, values["inputs"])
            retimed = update.cron is not None or update.timezone is not None
            enabled_again = update.enabled is True and not current.enabled
            if not problems and cron is not None and (retimed or enabled_again):
                values.update(cron=cron, timezone=timezone or DEFAULT_TIMEZONE)
                values["next_fire_at"] = next_tick(cron, values["timezone"], datetime.now(UTC))
        elif update.cron is not None or update.timezone is not None or update.inputs is not None:
            problems.append(
                Problem(
                    code="NOT_A_SCHEDULE",
                    message="a webhook has no cron, time zone or inputs (its deliveries bring inputs)",
                    path=None,
                )
            )
        if problems:
            return InvalidTrigger(problems=tuple(problems))
        updated = await self._repository.update(principal.workspace_id, current.id, values)
        return NotFound(id=trigger_id, message=f"no trigger {trigger_id}") if updated is None else updated

    async def rotate_secret(
        self, principal: Principal, trigger_id: str
    ) -> TriggerWithSecret | NotFound | InvalidTrigger:
        """Give a webhook a new secret (the old one stops working at once), shown this once."""
        current = await self.get(principal, trigger_id)
        if current is None:
            return NotFound(id=trigger_id, message=f"no trigger {trigger_id}")
        if current.kind is not TriggerKind.WEBHOOK:
            problem = Problem(code="NOT_A_WEBHOOK", message="only webhooks have a secret", path=None)
            return InvalidTrigger(problems=(problem,))
        secret = new_webhook_secret()
        updated = await self._repository.set_secret(
            principal.workspace_id, current.id, self._box.encrypt(secret)
        )
        if updated is None:
            return NotFound(id=trigger_id, message=f"no trigger {trigger_id}")
        await self._audit_change(AuditAction.TRIGGER_SECRET_ROTATED, principal, updated)
        return TriggerWithSecret(trigger=updated, secret=secret)

    async def delete(self, principal: Principal, trigger_id: str) -> UUID | NotFound:
        """Delete a trigger; the runs it started stay and still say what started them."""
        current = await self.get(principal, trigger_id)
        if current is None or not await self._repository.delete(principal.workspace_id, current.id):
            return NotFound(id=trigger_id, message=f"no trigger {trigger_id}")
        await self._audit_change(AuditAction.TRIGGER_DELETED, principal, current)
        return current.id

    async def _audit_change(self, action: AuditAction, principal: Principal, trigger: TriggerRecord) -> None:
        # names and ids only: never the secret
        details = {
            "trigger_id": str(trigger.id),
            "kind": trigger.kind.value,
            "workflow_id": str(trigger.workflow_id),
        }
        await self._audit.record(action, principal, target=trigger.name, details=details)

    async def _workflow(self, principal: Principal, workflow_id: str) -> WorkflowRecord | None:
        uuid = parse_id(workflow_id)
        return None if uuid is None else await self._starter.workflows.get(principal.workspace_id, uuid)

    async def _input_problems(self, workflow: WorkflowRecord, inputs: JsonValue) -> list[Problem]:
        limits = self._starter.limits
        problems = await storable_problems(inputs, "inputs", limits.max_input_bytes, limits.max_json_depth)
        if problems:
            return list(problems)
        pinned = await self._starter.graphs.get(workflow.id, workflow.version)
        return list(input_problems(pinned.definition.inputs, inputs))
