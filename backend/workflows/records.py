"""Plain data of the workflows slice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from backend.problems import NotFound
from engine.graph import Problem

__all__ = [
    "DeletedWorkflow",
    "InvalidWorkflow",
    "NotFound",
    "VersionConflict",
    "WorkflowRecord",
    "WorkflowVersionRecord",
]


@dataclass(frozen=True)
class WorkflowRecord:
    """A workflow at its current version."""

    id: UUID
    workspace_id: UUID
    name: str
    version: int
    definition: dict[str, Any]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class WorkflowVersionRecord:
    """One immutable saved definition."""

    workflow_id: UUID
    version: int
    definition: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class InvalidWorkflow:
    """The definition or name was rejected; nothing was stored."""

    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class VersionConflict:
    """The workflow changed since the version the caller edited."""

    expected_version: int
    current_version: int


@dataclass(frozen=True)
class DeletedWorkflow:
    """A workflow was deleted."""

    id: UUID
