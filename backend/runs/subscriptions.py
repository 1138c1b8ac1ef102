"""GraphQL subscriptions of the runs slice: live events, run changes and the human-task inbox."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from backend.accounts.roles import Permission
from backend.gql.common import UserInputError
from backend.gql.context import Info, principal_of
from backend.gql.permissions import requires
from backend.runs.types import HumanTask, HumanTaskStatus, Run, RunEvent


@strawberry.type
class RunSubscription:
    @strawberry.subscription(
        description="The run's events with seq > afterSeq (0: all), replayed then live, gap-free; "
        "completes after the run's terminal event. NODE_DELTA token chunks are live only.",
        extensions=requires(Permission.READ),
    )
    async def run_events(
        self, info: Info, run_id: strawberry.ID, after_seq: int | None = None
    ) -> AsyncGenerator[RunEvent, None]:
        principal = principal_of(info)
        run = await info.context.services.runs.get(principal, run_id)
        if run is None:
            raise UserInputError(f"no run {run_id}")
        async for event in info.context.services.live.run_events(principal, run.id, after_seq or 0):
            yield RunEvent.of(event)

    @strawberry.subscription(
        description="Runs of your workspace, each time their status changes: the run as it is when "
        "delivered, so changes closer together than a delivery arrive as one (the last state always "
        "arrives).",
        extensions=requires(Permission.READ),
    )
    async def run_updates(self, info: Info) -> AsyncGenerator[Run, None]:
        async for run in info.context.services.live.run_updates(principal_of(info)):
            yield Run.of(run)

    @strawberry.subscription(
        description="Human tasks of your workspace as they open (OPEN) and close (DONE): the task as it "
        "is when delivered, so a task answered at once may arrive DONE only.",
        extensions=requires(Permission.READ),
    )
    async def human_tasks(
        self, info: Info, status: HumanTaskStatus | None = None
    ) -> AsyncGenerator[HumanTask, None]:
        async for task in info.context.services.live.task_updates(principal_of(info)):
            if status is None or task.status is status:
                yield HumanTask.of(task)
