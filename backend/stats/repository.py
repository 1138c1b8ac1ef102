"""The dashboard's aggregates, computed in PostgreSQL (raw SQL through asyncpg, like knowledge/).

Every statement reads the runs of one workspace created in a window, through the `runs_listing`
index (workspace_id, created_at); node runs are reached by their run (`node_runs_run`). Buckets are
cut by `date_trunc(…, zone)`, so hours and days are the caller's, not the server's.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from backend.stats.records import (
    DailyTokens,
    InvalidWindowError,
    Outcomes,
    RunStats,
    StatsWindow,
    StatusCount,
)
from engine.records import RunStatus

_WINDOW = (
    "r.workspace_id = $1 AND r.created_at >= $2 AND r.created_at < $3 "
    "AND ($4::uuid IS NULL OR r.workflow_id = $4)"
)
"""The runs a window covers ($1–$4); the bucketing statements take the time zone as $5."""

_PER_HOUR_SQL = f"""
SELECT date_trunc('hour', r.created_at, $5) AS hour, r.status, count(*) AS runs
FROM runs r WHERE {_WINDOW}
GROUP BY 1, 2 ORDER BY 1, 2
"""  # noqa: S608 - module constants; every value is a bind parameter

_FINISHED = "r.status IN ('SUCCEEDED', 'FAILED', 'CANCELLED')"
_DURATION = "extract(epoch FROM r.finished_at - r.started_at)"
_TIMED = f"{_FINISHED} AND r.started_at IS NOT NULL AND r.finished_at IS NOT NULL"

_OUTCOMES_SQL = f"""
SELECT count(*) AS runs,
       count(*) FILTER (WHERE {_FINISHED}) AS finished,
       count(*) FILTER (WHERE r.status = 'FAILED') AS failed,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY {_DURATION}) FILTER (WHERE {_TIMED}) AS p50,
       percentile_cont(0.95) WITHIN GROUP (ORDER BY {_DURATION}) FILTER (WHERE {_TIMED}) AS p95
FROM runs r WHERE {_WINDOW}
"""  # noqa: S608 - module constants; every value is a bind parameter

_TOKENS_SQL = f"""
SELECT date_trunc('day', r.created_at, $5) AS day,
       sum(coalesce((n.usage ->> 'input_tokens')::bigint, 0)) AS input_tokens,
       sum(coalesce((n.usage ->> 'output_tokens')::bigint, 0)) AS output_tokens,
       sum(coalesce((n.usage ->> 'requests')::bigint, 0)) AS requests
FROM runs r JOIN node_runs n ON n.run_id = r.id
WHERE {_WINDOW} AND n.usage IS NOT NULL
GROUP BY 1 ORDER BY 1
"""  # noqa: S608 - module constants; every value is a bind parameter


class StatsRepository:
    """Reads the aggregates of a window from `runs` and `node_runs`."""

    def __init__(self, pool: asyncpg.Pool[Any]) -> None:
        self._pool = pool

    async def run_stats(self, window: StatsWindow) -> RunStats:
        """Every figure of `window`, read in one repeatable-read snapshot (the three agree)."""
        args = (window.workspace_id, window.since, window.until, window.workflow_id, window.time_zone)
        try:
            async with (
                self._pool.acquire() as connection,
                connection.transaction(isolation="repeatable_read", readonly=True),
            ):
                hours = await connection.fetch(_PER_HOUR_SQL, *args)
                outcome = await connection.fetchrow(_OUTCOMES_SQL, *args[:4])
                days = await connection.fetch(_TOKENS_SQL, *args)
        except asyncpg.InvalidParameterValueError as exc:
            # a zone Python's tz database knows and the server's does not (they ship apart)
            raise InvalidWindowError(f"unknown time zone {window.time_zone!r}") from exc
        if outcome is None:  # an aggregate without GROUP BY always answers one row
            raise RuntimeError("the outcomes aggregate returned no row")
        return RunStats(
            window=window,
            per_hour=tuple(
                StatusCount(hour=row["hour"], status=RunStatus(row["status"]), runs=row["runs"])
                for row in hours
            ),
            outcomes=Outcomes(
                runs=outcome["runs"],
                finished=outcome["finished"],
                failed=outcome["failed"],
                p50_seconds=outcome["p50"],
                p95_seconds=outcome["p95"],
            ),
            tokens_per_day=tuple(
                DailyTokens(
                    day=row["day"],
                    input_tokens=row["input_tokens"],
                    output_tokens=row["output_tokens"],
                    requests=row["requests"],
                )
                for row in days
            ),
        )
