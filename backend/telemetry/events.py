"""Run metrics read off the committed events: each is published once, by the process that committed
it, so runs are counted once however many processes execute parts of them."""

from __future__ import annotations

from collections.abc import Sequence

from backend.telemetry import metrics
from engine.ports import EventSink
from engine.records import EventType, HumanTask, RunEvent, RunRecord

_FINAL = {
    EventType.RUN_SUCCEEDED: "SUCCEEDED",
    EventType.RUN_FAILED: "FAILED",
    EventType.RUN_CANCELLED: "CANCELLED",
}


class MeteredEventSink:
    """Counts finished runs and their durations, and the queue latency of started ones, then hands
    the events on."""

    def __init__(self, inner: EventSink) -> None:
        self._inner = inner

    async def publish(
        self, events: Sequence[RunEvent], *, run: RunRecord | None = None, tasks: Sequence[HumanTask] = ()
    ) -> None:
        """Observe, then publish (observing never fails a publish)."""
        for event in events:
            if event.type is EventType.RUN_STARTED and run is not None:
                metrics.QUEUE_LATENCY.observe(max(0.0, (event.at - run.created_at).total_seconds()))
                continue
            status = _FINAL.get(event.type)
            if status is None:
                continue
            metrics.RUNS_FINISHED.labels(status).inc()
            began = None if run is None else run.started_at or run.created_at
            if began is not None:
                metrics.RUN_DURATION.labels(status).observe(max(0.0, (event.at - began).total_seconds()))
        await self._inner.publish(events, run=run, tasks=tasks)
