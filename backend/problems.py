"""Problems every slice can answer with (errors as data)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NotFound:
    """No such thing in the caller's workspace (unknown, foreign and malformed ids alike)."""

    id: str
    message: str
