"""The engine's EventSink over the broker: committed transitions fan out to every process."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from backend.live.broker import Broker
from backend.live.channels import WireEvent, run_channel, workspace_channel
from engine.records import EventType, HumanTask, RunEvent, RunRecord

_RUN_STATUS_EVENTS = frozenset(
    {
        EventType.RUN_STARTED,
        EventType.RUN_WAITING,
        EventType.RUN_RESUMED,
        EventType.RUN_SUCCEEDED,
        EventType.RUN_FAILED,
        EventType.RUN_CANCELLED,
    }
)


class WorkspaceMessage(msgspec.Struct, frozen=True):
    """What a workspace channel carries: runs whose status changed, tasks that opened or closed."""

    runs: list[str] = []
    tasks: list[tuple[str, str, int]] = []


class BrokerEventSink:
    """Publishes each batch of events as one message on its run's channel, and what changed of the
    run and its human tasks on the workspace's channel. Never raises: the events are already durable."""

    def __init__(self, broker: Broker) -> None:
        self._broker = broker

    async def publish(
        self, events: Sequence[RunEvent], *, run: RunRecord | None = None, tasks: Sequence[HumanTask] = ()
    ) -> None:
        """Fan the events out (after they were committed)."""
        if not events:
            return
        wire = [WireEvent(e.run_id, e.seq, e.type.value, e.at.isoformat(), e.node_id, e.data) for e in events]
        await self._broker.publish(msgspec.json.encode(wire), [run_channel(events[0].run_id)])
        if run is None:
            return
        changed = WorkspaceMessage(
            runs=[str(run.id)] if any(event.type in _RUN_STATUS_EVENTS for event in events) else [],
            tasks=[(str(task.run_id), task.node_id, task.iteration) for task in tasks],
        )
        if changed.runs or changed.tasks:
            await self._broker.publish(msgspec.json.encode(changed), [workspace_channel(run.workspace_id)])
