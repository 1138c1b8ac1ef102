"""Keyset pagination shared by every list: opaque cursors over (created_at, id), newest first."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar
from uuid import UUID

T = TypeVar("T")

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


class InvalidPageError(Exception):
    """A page request the API cannot serve (bad cursor, size out of range); the message says why."""


@dataclass(frozen=True)
class Cursor:
    """A position in a list ordered by (created_at, id) descending."""

    created_at: datetime
    id: UUID

    def encode(self) -> str:
        """The opaque string clients pass back as `after`."""
        raw = json.dumps([self.created_at.isoformat(), str(self.id)], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> Cursor:
        """Parse a cursor made by `encode`; raises InvalidPageError for anything else."""
        try:
            padded = value + "=" * (-len(value) % 4)
            created_at, id_ = json.loads(base64.urlsafe_b64decode(padded.encode()))
            cursor = cls(created_at=datetime.fromisoformat(created_at), id=UUID(id_))
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
            raise InvalidPageError(f"invalid cursor {value[:40]!r}") from exc
        if cursor.created_at.tzinfo is None:
            raise InvalidPageError(f"invalid cursor {value[:40]!r}")
        return cursor


@dataclass(frozen=True)
class PageRequest:
    """A validated request for one page: at most `first` items after `after`."""

    first: int
    after: Cursor | None

    @classmethod
    def parse(cls, first: int | None, after: str | None) -> PageRequest:
        """Check the size against the hard cap and decode the cursor."""
        size = DEFAULT_PAGE_SIZE if first is None else first
        if not 0 <= size <= MAX_PAGE_SIZE:
            raise InvalidPageError(f"first must be between 0 and {MAX_PAGE_SIZE}, got {size}")
        return cls(first=size, after=None if after is None else Cursor.decode(after))


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, with the cursor of its last item."""

    items: tuple[T, ...]
    cursors: tuple[str, ...]
    has_next_page: bool

    @property
    def end_cursor(self) -> str | None:
        """The cursor to ask for the next page with."""
        return self.cursors[-1] if self.cursors else None
