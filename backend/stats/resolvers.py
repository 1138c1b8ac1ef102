"""GraphQL query of the dashboard's figures (anyone who may read the workspace's runs)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from backend.accounts.roles import Permission
from backend.gql.common import UserInputError
from backend.gql.context import Info, principal_of
from backend.gql.permissions import requires
from backend.stats.records import InvalidWindowError
from backend.stats.types import RunStats


@strawberry.type
class StatsQuery:
    @strawberry.field(
        description=(
            "Figures over your workspace's runs created in [since, until) (default: the last 24 hours; "
            "at most 90 days, longer windows are clamped), optionally of one workflow; hours and days "
            "are cut in `timeZone` (an IANA name)."
        ),
        extensions=requires(Permission.READ),
    )
    async def run_stats(
        self,
        info: Info,
        since: datetime | None = None,
        until: datetime | None = None,
        workflow_id: strawberry.ID | None = None,
        time_zone: str = "UTC",
    ) -> RunStats:
        try:
            stats = await info.context.services.stats.run_stats(
                principal_of(info), since=since, until=until, workflow_id=workflow_id, time_zone=time_zone
            )
        except InvalidWindowError as exc:
            raise UserInputError(str(exc)) from exc
        return RunStats.of(stats)
