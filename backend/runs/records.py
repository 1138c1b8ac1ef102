"""Plain data of the runs slice: the problems run mutations answer with.

Runs, node runs, events and human tasks themselves are the engine's records (`engine.records`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from pydantic import JsonValue

from backend.problems import NotFound
from backend.workflows.records import InvalidWorkflow
from engine.graph import Problem
from engine.records import NodeStatus, Usage

__all__ = [
    "InvalidHumanInput",
    "InvalidNodeTestInput",
    "InvalidRunInputs",
    "MissingCredentials",
    "NoOpenTask",
    "NodeTestRecord",
    "NodeTestRequest",
    "NotFound",
    "RunNotCancellable",
    "RunNotRetryable",
]


@dataclass(frozen=True)
class InvalidRunInputs:
    """The run inputs do not match the workflow's `inputs` schema; no run was created."""

    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class MissingCredentials:
    """A node needs a provider the workspace has no credentials for; no run was created."""

    provider: str
    message: str


@dataclass(frozen=True)
class RunNotCancellable:
    """The run already finished."""

    status: str
    message: str


@dataclass(frozen=True)
class RunNotRetryable:
    """Only FAILED runs can be retried."""

    status: str
    message: str


@dataclass(frozen=True)
class NoOpenTask:
    """The run is not waiting for input on that node (never asked, already answered, or finished)."""

    message: str


@dataclass(frozen=True)
class InvalidHumanInput:
    """The input does not match the task's schema; the run keeps waiting."""

    message: str
    errors: tuple[str, ...]


@dataclass(frozen=True)
class NodeTestRequest:
    """One node of a (possibly unsaved) definition to execute on its own."""

    workflow_id: str
    """The workflow being edited: the test is recorded against it."""
    definition: JsonValue
    node_id: str
    input: JsonValue
    """The node's `{{input}}`."""
    inputs: JsonValue
    """The run inputs its templates may name (`{{inputs.x}}`)."""
    upstream: JsonValue
    """Outputs of other nodes by id (`{{nodes.X.output}}`): a JSON object, or null."""


@dataclass(frozen=True)
class InvalidNodeTestInput:
    """The test's input, run inputs or upstream outputs were refused; nothing was executed."""

    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class NodeTestRecord:
    """A node executed on its own, as recorded apart from the run history."""

    id: UUID
    workflow_id: UUID
    node_id: str
    kind: str
    status: NodeStatus
    """SUCCEEDED, FAILED, or WAITING for a human node (its output is the task it would open)."""
    input: JsonValue
    output: JsonValue
    error: str | None
    branch: str | None
    usage: Usage
    started_at: datetime
    finished_at: datetime


NodeTestResult = NodeTestRecord | NotFound | InvalidWorkflow | InvalidNodeTestInput | MissingCredentials
"""What testing one node answers (`NodeTestService.test`)."""
