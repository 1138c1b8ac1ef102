"""Plain data of the runs slice: the problems run mutations answer with.

Runs, node runs, events and human tasks themselves are the engine's records (`engine.records`).
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.problems import NotFound
from engine.graph import Problem

__all__ = [
    "InvalidHumanInput",
    "InvalidRunInputs",
    "MissingCredentials",
    "NoOpenTask",
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
