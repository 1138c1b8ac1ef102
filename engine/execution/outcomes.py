"""What submitting human input can come to: the result type of `Engine.submit`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Accepted:
    """The input was valid and is durably recorded; the run continues from the human node."""


@dataclass(frozen=True, slots=True)
class NoOpenTask:
    """Nothing waits for input from that node: never asked, already answered, or the run is not waiting."""

    message: str
    """Why the input was not taken, for the user."""


@dataclass(frozen=True, slots=True)
class InvalidInput:
    """The input does not match the task's JSON Schema; nothing changed and the task stays open."""

    message: str
    """A summary for the user."""
    errors: list[str] = field(default_factory=list)
    """Each schema violation as `<JSON path>: <message>`, sorted by path."""


SubmitOutcome = Accepted | NoOpenTask | InvalidInput
"""The outcome of `Engine.submit`."""
