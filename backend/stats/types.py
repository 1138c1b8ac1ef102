"""GraphQL types of the dashboard's figures, built from the stats records."""

from __future__ import annotations

from datetime import datetime

import strawberry

from backend.runs.types import RunStatus
from backend.stats import records


@strawberry.type(description="How many runs created in one hour are in one status now.")
class HourlyRunCount:
    hour: datetime = strawberry.field(description="The hour's start, in the requested time zone.")
    status: RunStatus
    runs: int


@strawberry.type(description="Tokens spent by the node runs of the runs created on one day.")
class DailyTokenUsage:
    day: datetime = strawberry.field(description="The day's start (midnight in the requested time zone).")
    input_tokens: int
    output_tokens: int
    requests: int


@strawberry.type(description="The dashboard's figures over the runs created in [since, until).")
class RunStats:
    since: datetime = strawberry.field(description="Where the window starts (clamped to 90 days).")
    until: datetime
    time_zone: str
    runs_per_hour: list[HourlyRunCount] = strawberry.field(
        description="Runs by creation hour and current status; hours without runs are left out."
    )
    runs: int
    finished: int = strawberry.field(description="Runs that succeeded, failed or were cancelled.")
    failed: int
    failure_rate: float | None = strawberry.field(
        description="Failed runs among finished ones (0 to 1); null when none finished."
    )
    p50_duration_seconds: float | None = strawberry.field(
        description="Median start-to-finish time of finished runs; null when none finished."
    )
    p95_duration_seconds: float | None = strawberry.field(
        description="95th percentile start-to-finish time of finished runs; null when none finished."
    )
    tokens_per_day: list[DailyTokenUsage] = strawberry.field(
        description="Token usage by the day its run was created; days without usage are left out."
    )

    @classmethod
    def of(cls, stats: records.RunStats) -> RunStats:
        """Build from the record."""
        outcomes = stats.outcomes
        return cls(
            since=stats.window.since,
            until=stats.window.until,
            time_zone=stats.window.time_zone,
            runs_per_hour=[
                HourlyRunCount(hour=count.hour, status=count.status, runs=count.runs)
                for count in stats.per_hour
            ],
            runs=outcomes.runs,
            finished=outcomes.finished,
            failed=outcomes.failed,
            failure_rate=outcomes.failure_rate,
            p50_duration_seconds=outcomes.p50_seconds,
            p95_duration_seconds=outcomes.p95_seconds,
            tokens_per_day=[
                DailyTokenUsage(
                    day=day.day,
                    input_tokens=day.input_tokens,
                    output_tokens=day.output_tokens,
                    requests=day.requests,
                )
                for day in stats.tokens_per_day
            ],
        )
