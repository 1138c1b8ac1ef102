"""Problems every slice can answer with (errors as data)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NotFound:
    """No such thing in the caller's workspace (unknown, foreign and malformed ids alike)."""

    id: str
    message: str


@dataclass(frozen=True)
class Refused:
    """A request understood and refused by a rule (the last owner leaving, a role above yours, a
    weak password, a used link…): a stable `code` and a sentence saying what to do instead."""

    code: str
    message: str
