"""Live views for subscribers: a run's events, a workspace's run changes and human tasks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

import msgspec

from backend.accounts.records import Principal
from backend.live.broker import Broker
from backend.live.channels import workspace_channel
from backend.live.sink import WorkspaceMessage
from backend.live.streams import run_events
from backend.runs.repository import RunRepository
from engine.records import HumanTask, RunEvent, RunRecord

_decode_workspace = msgspec.json.Decoder(WorkspaceMessage).decode
IDLE_SECONDS = 60.0


class LiveService:
    """Streams for subscriptions; every stream is scoped to the caller's workspace."""

    def __init__(self, broker: Broker, runs: RunRepository) -> None:
        self._broker = broker
        self._runs = runs

    async def run_events(self, principal: Principal, run_id: UUID, after_seq: int) -> AsyncIterator[RunEvent]:
        """The run's events after `after_seq`, replayed then live, until it ends (the caller checked
        that the run is the workspace's).

        Retention may have deleted a finished run's events: the replay starts after the last seq
        pruned and returns what is left, and ends at once when nothing is left of a finished run.
        """
        floor = await self._runs.event_floor(principal.workspace_id, run_id)
        if floor is not None:
            after_seq = max(after_seq, floor.pruned_seq)
            if floor.finished and after_seq >= floor.last_seq:
                return

        async def stored(after: int) -> list[RunEvent]:
            return await self._runs.events(principal.workspace_id, run_id, after)

        async for event in run_events(self._broker, run_id, after_seq, stored):
            yield event

    async def run_updates(self, principal: Principal) -> AsyncIterator[RunRecord]:
        """Runs of the workspace, each time their status changes."""
        async for message in self._workspace_messages(principal):
            for run_id in message.runs:
                run = await self._runs.get(principal.workspace_id, UUID(run_id))
                if run is not None:
                    yield run

    async def task_updates(self, principal: Principal) -> AsyncIterator[HumanTask]:
        """Human tasks of the workspace as they open and close."""
        async for message in self._workspace_messages(principal):
            for run_id, node_id, iteration in message.tasks:
                task = await self._runs.task(principal.workspace_id, UUID(run_id), node_id, iteration)
                if task is not None:
                    yield task

    async def _workspace_messages(self, principal: Principal) -> AsyncIterator[WorkspaceMessage]:
        async with self._broker.subscribe([workspace_channel(principal.workspace_id)]) as live:
            while True:
                message = await live.next(IDLE_SECONDS)
                if message is not None:
                    yield _decode_workspace(message)
