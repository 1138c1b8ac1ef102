"""Cron expressions in a time zone: validation and the next tick (croniter).

Expressions have the five classic fields (minute resolution) or one of croniter's `@hourly`-style
aliases; the ticks are computed in the trigger's IANA zone, so `0 9 * * *` in Europe/Berlin stays
09:00 local across daylight-saving changes. Ticks are stored in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from croniter import croniter

from engine.graph import Problem

MAX_CRON_CHARS = 200
MAX_ZONE_CHARS = 64


def zone_problem(timezone: str) -> Problem | None:
    """Why `timezone` is not an IANA time zone name, or None."""
    message = f"{timezone!r} is not an IANA time zone (such as UTC or Europe/Berlin)"
    if not timezone or len(timezone) > MAX_ZONE_CHARS or timezone not in _zones():
        return Problem(code="INVALID_TIMEZONE", message=message, path="timezone")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return Problem(code="INVALID_TIMEZONE", message=message, path="timezone")
    return None


def cron_problem(expression: str) -> Problem | None:
    """Why `expression` is not a five-field cron expression (or an @alias), or None."""
    text = expression.strip()
    if not text or len(text) > MAX_CRON_CHARS:
        return Problem(code="INVALID_CRON", message="the cron expression is empty or too long", path="cron")
    if not text.startswith("@") and len(text.split()) != 5:
        return Problem(
            code="INVALID_CRON",
            message=f"{text!r} needs five fields: minute hour day-of-month month day-of-week",
            path="cron",
        )
    if not croniter.is_valid(text):
        return Problem(code="INVALID_CRON", message=f"{text!r} is not a valid cron expression", path="cron")
    return None


def next_tick(expression: str, timezone: str, after: datetime) -> datetime:
    """The first tick of `expression` in `timezone` strictly after `after`, in UTC."""
    local = after.astimezone(ZoneInfo(timezone))
    found: datetime = croniter(expression.strip(), local).get_next(datetime)
    return found.astimezone(UTC)


_ZONES: frozenset[str] | None = None


def _zones() -> frozenset[str]:
    global _ZONES  # noqa: PLW0603 - read once: listing the zone database takes milliseconds
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES
