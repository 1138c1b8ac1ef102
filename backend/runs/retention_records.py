"""What retention has taken from a run, as readers see it (see `backend.runs.retention`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class RunRetention:
    """When a run's events and node data were pruned (None: kept), and which node runs were."""

    events_pruned_at: datetime | None = None
    events_pruned_seq: int = 0
    """Events with a seq up to this one were deleted."""
    node_data_pruned_at: datetime | None = None
    pruned_node_runs: Mapping[tuple[str, int], datetime] = field(default_factory=dict)
    """When each pruned node run (node id, iteration) lost its input and output."""


KEPT = RunRetention()
"""A run retention has taken nothing from."""


@dataclass(frozen=True, slots=True)
class EventFloor:
    """Where a replay of a run's events starts and whether it can end at once."""

    finished: bool
    last_seq: int
    pruned_seq: int
    """Events up to this seq were pruned: a replay starts after it."""
