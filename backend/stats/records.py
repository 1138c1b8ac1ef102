"""Plain data of the stats slice, crossing from the repository to the service and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from engine.records import RunStatus


class InvalidWindowError(ValueError):
    """The window cannot be read as asked (empty, reversed, naive or in an unknown time zone)."""


@dataclass(frozen=True)
class StatsWindow:
    """What the figures cover: runs of one workspace created in [since, until), maybe of one workflow."""

    workspace_id: UUID
    since: datetime
    until: datetime
    time_zone: str
    """The IANA zone whose hours and days the buckets follow (`UTC`, `Europe/Paris`)."""
    workflow_id: UUID | None = None


@dataclass(frozen=True)
class StatusCount:
    """How many runs created in one hour are in one status now."""

    hour: datetime
    """The hour's start, in the window's time zone."""
    status: RunStatus
    runs: int


@dataclass(frozen=True)
class Outcomes:
    """How the window's runs ended, and how long the finished ones took."""

    runs: int
    finished: int
    """Runs that succeeded, failed or were cancelled."""
    failed: int
    p50_seconds: float | None
    """Median duration (start to finish) of the finished runs that started; None without any."""
    p95_seconds: float | None

    @property
    def failure_rate(self) -> float | None:
        """Failed runs among finished ones; None when none finished."""
        return None if self.finished == 0 else self.failed / self.finished


@dataclass(frozen=True)
class DailyTokens:
    """Tokens the node runs of the runs created on one day spent."""

    day: datetime
    """The day's start, in the window's time zone."""
    input_tokens: int
    output_tokens: int
    requests: int


@dataclass(frozen=True)
class RunStats:
    """Every figure of one window."""

    window: StatsWindow
    per_hour: tuple[StatusCount, ...]
    """Only hours and statuses with runs, oldest first."""
    outcomes: Outcomes
    tokens_per_day: tuple[DailyTokens, ...]
    """Only days with usage, oldest first."""
