"""Channel names and message encodings of the live broker."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec


def run_channel(run_id: UUID) -> str:
    """Every event of one run, in seq order (token deltas included)."""
    return f"run:{run_id}"


def workspace_channel(workspace_id: UUID) -> str:
    """Run status changes and human tasks opening and closing, for one workspace."""
    return f"workspace:{workspace_id}"


def control_channel(owner: UUID) -> str:
    """Commands (cancel, human input) for the process holding run leases as `owner`."""
    return f"control:{owner}"


class WireEvent(msgspec.Struct, frozen=True):
    """A run event as it travels through the broker."""

    run_id: UUID
    seq: int
    type: str
    at: str
    node_id: str | None = None
    data: Any = None


def collection_channel(collection_id: UUID) -> str:
    """Ingestion progress of one knowledge collection's documents."""
    return f"collection:{collection_id}"
