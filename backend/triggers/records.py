"""Plain data of the triggers slice: triggers, what creating or changing one asks, and its problems."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from pydantic import JsonValue

from engine.graph import Problem


class TriggerKind(StrEnum):
    """What fires a trigger."""

    WEBHOOK = "webhook"
    """An HTTP POST to /hooks/{trigger id}."""
    SCHEDULE = "schedule"
    """The ticks of a cron expression in a time zone."""


@dataclass(frozen=True)
class TriggerRecord:
    """A trigger as stored (its secret stays encrypted, and out of this record)."""

    id: UUID
    workspace_id: UUID
    workflow_id: UUID
    kind: TriggerKind
    name: str
    enabled: bool
    require_signature: bool
    cron: str | None
    timezone: str | None
    inputs: JsonValue
    """A schedule's run inputs (a webhook's come with each delivery)."""
    next_fire_at: datetime | None
    last_fired_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class NewTrigger:
    """What createTrigger asks for."""

    workflow_id: str
    kind: TriggerKind
    name: str | None = None
    enabled: bool = True
    require_signature: bool = False
    cron: str | None = None
    timezone: str | None = None
    inputs: JsonValue = None


@dataclass(frozen=True)
class TriggerUpdate:
    """What updateTrigger changes; None leaves a setting as it is."""

    name: str | None = None
    enabled: bool | None = None
    require_signature: bool | None = None
    cron: str | None = None
    timezone: str | None = None
    inputs: JsonValue = None
    """A schedule's new inputs; None keeps them (`{}` empties them)."""


@dataclass(frozen=True)
class TriggerWithSecret:
    """A webhook just created or given a new secret: the only time its secret is shown."""

    trigger: TriggerRecord
    secret: str | None
    """None for a schedule."""


@dataclass(frozen=True)
class InvalidTrigger:
    """The trigger's settings were refused; nothing changed."""

    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class TriggerOfRun:
    """What started a run: the trigger's id and kind, and its name while it exists."""

    id: UUID
    kind: TriggerKind
    name: str | None
    """None once the trigger was deleted."""
