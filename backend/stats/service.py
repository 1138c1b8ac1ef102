"""The dashboard's figures for a principal's workspace, over a bounded window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from backend.accounts.records import Principal
from backend.stats.records import InvalidWindowError, RunStats, StatsWindow
from backend.stats.repository import StatsRepository
from backend.workflows.service import parse_id

MAX_WINDOW = timedelta(days=90)
"""The longest window one request covers: a longer one is clamped to the 90 days before `until`."""
DEFAULT_WINDOW = timedelta(hours=24)
"""The window when the caller gives no `since`."""
MAX_TIME_ZONE_LENGTH = 64
NO_WORKFLOW = UUID(int=0)
"""What a workflow id that is not a UUID filters by: the nil UUID, which no workflow has."""


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None:
        raise InvalidWindowError(f"`{name}` needs a time zone offset (e.g. 2026-12-01T00:00:00Z)")
    return value


def _time_zone(name: str) -> str:
    if len(name) > MAX_TIME_ZONE_LENGTH:
        raise InvalidWindowError("`timeZone` is not an IANA time zone name")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidWindowError(
            f"unknown time zone {name!r} (use an IANA name such as Europe/Paris)"
        ) from exc
    return name


def utc_now() -> datetime:
    """The current time, aware (the default clock)."""
    return datetime.now(UTC)


class StatsService:
    """Aggregates of a workspace's runs: what the dashboard draws."""

    def __init__(self, repository: StatsRepository, clock: Callable[[], datetime] = utc_now) -> None:
        self._repository = repository
        self._clock = clock

    def window(
        self,
        principal: Principal,
        *,
        since: datetime | None,
        until: datetime | None,
        workflow_id: str | None,
        time_zone: str,
    ) -> StatsWindow:
        """The window a request asks for, bounded.

        `until` defaults to now and `since` to 24 hours before `until`; a window longer than
        `MAX_WINDOW` is clamped to its last 90 days (the answer says which window it covers). A
        workflow id that is not a UUID names no workflow, like another workspace's: no runs.
        """
        end = self._clock() if until is None else _aware(until, "until")
        start = end - DEFAULT_WINDOW if since is None else _aware(since, "since")
        if start >= end:
            raise InvalidWindowError("`since` must be before `until`")
        workflow = None if workflow_id is None else (parse_id(workflow_id) or NO_WORKFLOW)
        return StatsWindow(
            workspace_id=principal.workspace_id,
            since=max(start, end - MAX_WINDOW),
            until=end,
            time_zone=_time_zone(time_zone),
            workflow_id=workflow,
        )

    async def run_stats(
        self,
        principal: Principal,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        workflow_id: str | None = None,
        time_zone: str = "UTC",
    ) -> RunStats:
        """The figures of the principal's workspace over the window asked for (see `window`)."""
        window = self.window(
            principal, since=since, until=until, workflow_id=workflow_id, time_zone=time_zone
        )
        return await self._repository.run_stats(window)
