"""Column helpers shared by every slice's Piccolo tables."""

from __future__ import annotations

from datetime import UTC, datetime

from piccolo.columns import UUID, ForeignKey, Timestamptz
from piccolo.columns.base import OnDelete
from piccolo.table import Table


def utc_now() -> datetime:
    """The current time, timezone-aware (Piccolo calls it for `auto_update` columns)."""
    return datetime.now(UTC)


def uuid_pk() -> UUID:
    """A UUID primary key, generated client-side and defaulting to gen_random_uuid() in SQL."""
    return UUID(primary_key=True)


def created_at() -> Timestamptz:
    """When the row was inserted."""
    return Timestamptz(index=False)


def updated_at() -> Timestamptz:
    """When the row last changed; Piccolo refreshes it on every update."""
    return Timestamptz(auto_update=utc_now)


def workspace_fk(workspace: type[Table]) -> ForeignKey[Table]:
    """The owning workspace of a row; every read and write is scoped by it."""
    return ForeignKey(references=workspace, on_delete=OnDelete.cascade, null=False, index=True)
