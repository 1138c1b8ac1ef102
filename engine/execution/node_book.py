"""What an execution writes down about its nodes: starts, results, waits, skips, and run failure.

Each method records one change of one node run (with its event) in the journal and keeps the
execution's view of the run current; deciding *when* to make the change is the scheduler's job.
Node runs are built positionally: this is the hot path of every node.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import JsonValue

from engine.dsl import ERROR_BRANCH
from engine.execution.human_input import closed_task
from engine.execution.jobs import Attempt, DueTimer, Job
from engine.execution.journal import Journal, usage_data
from engine.execution.output_refs import input_fields, output_fields
from engine.execution.plan import Plan
from engine.nodes.base import HumanWait
from engine.records import (
    NO_USAGE,
    EventType,
    HumanTask,
    NodeRun,
    NodeStatus,
    RunRecord,
    RunStatus,
    TaskStatus,
    Usage,
)

_RUNNING = NodeStatus.RUNNING
_SUCCEEDED = NodeStatus.SUCCEEDED
_NODE_STARTED = EventType.NODE_STARTED
_NODE_SUCCEEDED = EventType.NODE_SUCCEEDED


class NodeBook:
    """An execution's view of its nodes, and the records that change it."""

    def __init__(
        self,
        plan: Plan,
        run: RunRecord,
        *,
        journal: Journal,
        latest: dict[str, NodeRun],
        outputs: dict[str, JsonValue],
        waits: dict[str, HumanTask],
        inline_max: int = 0,
    ) -> None:
        """Continue from the recorded `latest` node runs, `outputs` and open `waits` of `run`;
        outputs larger than `inline_max` bytes are referenced from their events (`output_refs`)."""
        self.inline_max = inline_max
        self.plan = plan
        self.run = run
        self.journal = journal
        self.latest = latest
        """Each node's latest node run, as recorded or about to be."""
        self.outputs = outputs
        """Each node's latest output (what templates read as `nodes.X.output`)."""
        self.waits = waits
        """Nodes waiting for human input, with their open task."""
        self.busy: set[str] = set()
        """Started nodes: running, about to run, or backing off before a retry."""
        self.jobs: list[Job] = []
        """Work decided in this step, to launch once the step is committed."""
        self.stopped: RunStatus | None = None
        """Set once the execution ends: terminal, or WAITING with nothing left to run."""
        self.now: datetime = run.created_at
        """The time of the step being decided."""

    def _start(self, node_id: str, iteration: int, value: JsonValue, attempts: int, tries: int) -> None:
        limit = self.plan.limits.get(node_id)
        if limit is not None and iteration >= limit.iterations:
            self._fail(
                f"node {node_id} would run more than {limit.iterations} times"
                f" (maxIterations of the loop through {limit.condition})"
            )
            return
        now = self.now
        attempt = attempts + 1
        row = NodeRun(
            self.run.id, node_id, iteration, _RUNNING, attempt, value, None, None, None, NO_USAGE, now
        )
        self.journal.row(row)
        data: dict[str, JsonValue] = {"iteration": iteration, "attempt": attempt}
        data.update(input_fields(node_id, iteration, value, self.inline_max))
        self.journal.event(_NODE_STARTED, node_id, data, now)
        self.latest[node_id] = row
        self.busy.add(node_id)
        self.jobs.append(Attempt(node_id, iteration, attempt, tries, value))

    def _succeed(
        self,
        row: NodeRun,
        output: JsonValue,
        branch: str | None,
        usage: Usage,
        error: str | None,
        *,
        size: int | None = None,
    ) -> None:
        now = self.now
        node_id = row.node_id
        done = NodeRun(
            row.run_id, node_id, row.iteration, _SUCCEEDED, row.attempts, row.input,
            output, error, branch, usage, row.started_at, now,
        )  # fmt: skip
        self.journal.row(done)
        self.latest[node_id] = done
        self.outputs[node_id] = output
        data: dict[str, JsonValue] = {"iteration": row.iteration}
        data.update(output_fields(node_id, row.iteration, output, size, self.inline_max))
        if branch is not None:
            data["branch"] = branch
        if usage is not NO_USAGE and usage != NO_USAGE:
            data["usage"] = usage_data(usage)
            self.journal.usage += usage
        if error is not None:
            data["error"] = error
        self.journal.event(_NODE_SUCCEEDED, node_id, data, now)

    def _failed(self, row: NodeRun, error: str, branch: str | None) -> None:
        now = self.now
        failed = NodeRun(
            row.run_id, row.node_id, row.iteration, NodeStatus.FAILED, row.attempts, row.input,
            None, error, branch, NO_USAGE, row.started_at, now,
        )  # fmt: skip
        self.journal.row(failed)
        self.latest[row.node_id] = failed
        data: dict[str, JsonValue] = {"iteration": row.iteration, "attempt": row.attempts, "error": error}
        self.journal.event(EventType.NODE_FAILED, row.node_id, data, now)

    def _retrying(self, row: NodeRun, attempt: int, error: str, delay: float) -> None:
        # The node run stays RUNNING through the backoff; it carries the error that caused it.
        waiting = NodeRun(
            row.run_id, row.node_id, row.iteration, _RUNNING, row.attempts, row.input,
            None, error, None, NO_USAGE, row.started_at,
        )  # fmt: skip
        self.journal.row(waiting)
        self.latest[row.node_id] = waiting
        data: dict[str, JsonValue] = {"iteration": row.iteration, "attempt": attempt, "error": error}
        data["delaySeconds"] = delay
        self.journal.event(EventType.NODE_RETRYING, row.node_id, data, self.now)

    def _skip(self, node_id: str, iteration: int) -> None:
        now = self.now
        row = NodeRun(
            self.run.id,
            node_id,
            iteration,
            NodeStatus.SKIPPED,
            0,
            None,
            None,
            None,
            None,
            NO_USAGE,
            None,
            now,
        )
        self.journal.row(row)
        self.journal.event(EventType.NODE_SKIPPED, node_id, {"iteration": iteration}, now)
        self.latest[node_id] = row

    def _wait(self, row: NodeRun, wait: HumanWait) -> None:
        run, now, node_id = self.run, self.now, row.node_id
        task = HumanTask(
            run.id,
            run.workspace_id,
            node_id,
            row.iteration,
            wait.prompt,
            wait.schema,
            TaskStatus.OPEN,
            now,
            wait.due_at,
            budget=wait.budget,
        )
        waiting = NodeRun(
            row.run_id, node_id, row.iteration, NodeStatus.WAITING, row.attempts, row.input,
            None, None, None, NO_USAGE, row.started_at,
        )  # fmt: skip
        self.journal.row(waiting)
        self.journal.task(task)
        data: dict[str, JsonValue] = {
            "iteration": row.iteration,
            "prompt": wait.prompt,
            "schema": wait.schema,
        }
        self.journal.event(EventType.NODE_WAITING, node_id, data, now)
        self.latest[node_id] = waiting
        self.waits[node_id] = task
        if task.due_at is not None:
            self.jobs.append(DueTimer(task))

    def _answer(self, task: HumanTask, value: JsonValue, branch: str) -> None:
        del self.waits[task.node_id]
        self.journal.task(closed_task(task, value, self.now))
        self._succeed(self.latest[task.node_id], value, branch, NO_USAGE, None)

    def _close(self, row: NodeRun, reason: str, task: HumanTask | None) -> None:
        self._failed(row, reason, None)
        if task is not None:
            self.journal.task(closed_task(task, None, self.now))

    def _fail(self, message: str) -> None:
        # The run fails: whatever else was started or waiting is cancelled with it.
        for node_id in self.busy:
            self._close(self.latest[node_id], "cancelled", None)
        for node_id, task in self.waits.items():
            self._close(self.latest[node_id], "cancelled", task)
        self.busy.clear()
        self.waits.clear()
        self.jobs.clear()
        journal, now = self.journal, self.now
        journal.status = RunStatus.FAILED
        journal.error = message
        journal.finished_at = now
        journal.event(EventType.RUN_FAILED, None, {"error": message}, now)
        self.stopped = RunStatus.FAILED


def error_branch(on_error: str) -> str | None:
    """The branch a node's failure takes: `error` with `onError: errorEdge`, else none."""
    return ERROR_BRANCH if on_error == "errorEdge" else None
