"""What a webhook delivery comes to: a started run, or why not (plain data, for the route)."""

from __future__ import annotations

from dataclasses import dataclass

from backend.runs.records import MissingCredentials
from engine.graph import Problem
from engine.records import RunRecord

MAX_WAIT_SECONDS = 30.0
"""The longest a delivery may wait for its run's output (`?wait=`)."""


@dataclass(frozen=True)
class HookNotFound:
    """No enabled webhook has this id (unknown, disabled and malformed ids look the same)."""


@dataclass(frozen=True)
class BadSignature:
    """The delivery is unsigned while the webhook requires it, or its signature is wrong."""

    message: str


@dataclass(frozen=True)
class InvalidDelivery:
    """The body or headers were refused: not JSON, or not the workflow's inputs; no run started."""

    code: str
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class Started:
    """The run of a delivery; `replayed` when the delivery id had started it before."""

    run: RunRecord
    replayed: bool


Delivered = Started | HookNotFound | BadSignature | InvalidDelivery | MissingCredentials
"""What `Deliveries.deliver` answers."""
