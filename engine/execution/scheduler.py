"""The decisions of one execution of a run: which node starts, skips, retries, waits or loops.

A synchronous state machine: the driver feeds it results and it records the consequences (through
`NodeBook`) and emits jobs; it never awaits, so every decision of a step lands in one transition.

A node is *resolved* once it is done for the current round of its loops (see `recovery`); it is
offered again whenever a parent resolves, and runs when every forward parent is resolved and at
least one edge into it is active, or is skipped when none is.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import JsonValue

from engine.budgets import approvals_of, approved, rejection
from engine.dsl import SUBMITTED_BRANCH, TIMEOUT_BRANCH, Edge
from engine.execution.edges import INACTIVE, Carried, carried
from engine.execution.human_input import closed_task, invalid_input, submission_errors
from engine.execution.jobs import (
    Attempt,
    Backoff,
    DueTimer,
    Failure,
    Job,
    Message,
    Submission,
    backoff_delay,
    failure,
)
from engine.execution.journal import Journal, usage_data
from engine.execution.node_book import NodeBook, error_branch
from engine.execution.outcomes import Accepted, NoOpenTask, SubmitOutcome
from engine.execution.output_refs import run_output_fields
from engine.execution.plan import Plan
from engine.execution.recovery import recover
from engine.execution.run_output import run_output
from engine.limits import RunLimits
from engine.nodes.base import NodeResult
from engine.records import NO_USAGE, EventType, HumanTask, NodeRun, NodeStatus, RunState, RunStatus
from engine.value_policy import json_size, value_problem

_PENDING = NodeStatus.PENDING
_SUCCEEDED = NodeStatus.SUCCEEDED


class Scheduler(NodeBook):
    """The scheduling state of one execution; `stopped` tells when and how it ended."""

    def __init__(
        self,
        plan: Plan,
        state: RunState,
        journal: Journal,
        outputs: dict[str, JsonValue],
        limits: RunLimits,
    ) -> None:
        """Take over the run recorded in `state`; `outputs` is shared with the attempts' templates."""
        self.limits = limits
        self.output_bytes = sum(json_size(row.output) for row in state.node_runs if row.status is _SUCCEEDED)
        """What the run's recorded node outputs add up to, against `limits.max_run_output_bytes`."""
        found = recover(plan, state)
        outputs.update(found.outputs)
        super().__init__(
            plan,
            state.run,
            journal=journal,
            latest=found.latest,
            outputs=outputs,
            waits=found.waits,
            inline_max=limits.max_event_output_bytes,
        )
        self.resolved = found.resolved
        self.approvals = approvals_of(state.tasks)
        """Approved budget holds of the run, by budget key (`engine.budgets`)."""
        self.stale: set[str] = set()
        """Busy or waiting nodes whose loop went round meanwhile: their result will not count."""
        self._found = found
        self._queue: list[str] = []

    def begin(self, now: datetime) -> None:
        """Decide the first step: start or resume the run, restart interrupted nodes, time out due tasks."""
        self.now = now
        run, journal, found = self.run, self.journal, self._found
        if run.status is RunStatus.PENDING:
            journal.status = RunStatus.RUNNING
            journal.started_at = now
            journal.event(EventType.RUN_STARTED, None, {"inputs": run.inputs}, now)
        for row, task in found.superseded:
            self._close(row, "superseded: its loop went round again", task)
        for row in found.restarts:
            self._start(row.node_id, row.iteration, row.input, row.attempts, 1)
        for node_id in found.looping:
            self._settled(node_id)
        for task in list(self.waits.values()):
            if task.due_at is None:
                continue
            if task.due_at <= now:
                self._answer(task, None, TIMEOUT_BRANCH)
                self._settled(task.node_id)
            else:
                self.jobs.append(DueTimer(task))
        # A fresh run can only start at nodes without forward parents; a resumed one anywhere.
        self._queue.extend(self.plan.entries if not self.latest else self.plan.order)
        self._drain()
        if run.status is RunStatus.WAITING:
            if not journal.pending:
                self.stopped = RunStatus.WAITING
                return
            journal.status = RunStatus.RUNNING
            journal.event_first(EventType.RUN_RESUMED, {}, now)
        self.settle()

    def deliver(self, message: Message, now: datetime) -> None:
        """Take in a finished job or a submission (its `outcome` is set here)."""
        self.now = now
        if type(message) is Attempt:
            result = message.result
            if self.stopped is None and message.node_id in self.busy:
                if type(result) is NodeResult:
                    self._on_result(message, result)
                elif isinstance(result, Failure):
                    self._on_failure(message, result)
        elif isinstance(message, Backoff):
            if self.stopped is None and message.node_id in self.busy:
                row = self.latest[message.node_id]
                self.busy.discard(message.node_id)
                self._start(message.node_id, row.iteration, row.input, row.attempts, message.tries + 1)
        elif isinstance(message, DueTimer):
            task = self.waits.get(message.task.node_id)
            if self.stopped is None and task is message.task:
                self._answer(task, None, TIMEOUT_BRANCH)
                self._settled(task.node_id)
        elif isinstance(message, Submission):
            message.outcome = self._on_submission(message)

    def settle(self) -> None:
        """End the execution when nothing is left to run: SUCCEEDED, or WAITING for input."""
        if self.stopped is not None or self.busy:
            return
        journal, now = self.journal, self.now
        if self.waits:
            journal.status = RunStatus.WAITING
            journal.event(EventType.RUN_WAITING, None, {"nodes": list(self.waits)}, now)
            self.stopped = RunStatus.WAITING
            return
        output = run_output(self.plan, self.latest)
        if len(self.plan.output_nodes) != 1:  # a single output node's output was checked as such
            limits = self.limits
            problem = value_problem(
                output,
                max_bytes=limits.max_output_bytes,
                max_depth=limits.max_json_depth,
                what="the run output",
            )
            if problem is not None:
                self._fail(problem.message)
                return
        journal.status = RunStatus.SUCCEEDED
        journal.output = output
        journal.finished_at = now
        data = run_output_fields(output, self.inline_max)
        data["usage"] = usage_data(journal.usage)
        journal.event(EventType.RUN_SUCCEEDED, None, data, now)
        self.stopped = RunStatus.SUCCEEDED

    def take_jobs(self) -> list[Job]:
        """The jobs decided since the last call; launch them only once the step is committed."""
        jobs = self.jobs
        if jobs:
            self.jobs = []
        return jobs

    def _on_result(self, job: Attempt, result: NodeResult) -> None:
        node_id = job.node_id
        total = self.output_bytes + job.output_bytes
        if total > self.limits.max_run_output_bytes:
            message = (
                f"the run's node outputs would add up to {total:,} bytes as JSON;"
                f" the limit is {self.limits.max_run_output_bytes:,}"
            )
            self._on_failure(job, failure(message, retryable=False))
            return
        self.output_bytes = total
        self.busy.discard(node_id)
        if result.wait is not None:
            self._wait(self.latest[node_id], result.wait)
            return
        self._succeed(
            self.latest[node_id], result.output, result.branch, result.usage, None, size=job.output_bytes
        )
        self._settled(node_id)

    def _on_failure(self, job: Attempt, failure: Failure) -> None:
        node_id = job.node_id
        spec = self.plan.nodes[node_id]
        row = self.latest[node_id]
        policy = spec.retry
        if failure.retryable and policy is not None and job.tries < policy.max_attempts:
            delay = backoff_delay(policy, job.tries)
            self._retrying(row, job.attempt, failure.message, delay)
            self.jobs.append(Backoff(node_id, delay, job.tries))
            return
        self.busy.discard(node_id)
        if spec.on_error == "default":
            self._succeed(row, spec.default_output, None, NO_USAGE, failure.message)
            self._settled(node_id)
            return
        branch = error_branch(spec.on_error)
        self._failed(row, failure.message, branch)
        if branch is None:
            self._fail(f"node {node_id} failed: {failure.message}")
        else:
            self._settled(node_id)

    def _on_submission(self, submission: Submission) -> SubmitOutcome:
        task = self.waits.get(submission.node_id) if self.stopped is None else None
        if task is None:
            return NoOpenTask(f"node '{submission.node_id}' is not waiting for input")
        errors = submission_errors(task.schema, submission.value, self.limits)
        if errors:
            return invalid_input(errors)
        if task.budget is not None:
            self._answer_hold(task, submission.value)
            return Accepted()
        self._answer(task, submission.value, SUBMITTED_BRANCH)
        self._settled(task.node_id)
        return Accepted()

    def _answer_hold(self, task: HumanTask, value: JsonValue) -> None:
        # A budget hold answered: approved, the node runs again (its model call goes ahead);
        # rejected, the run fails.
        node_id = task.node_id
        del self.waits[node_id]
        self.journal.task(closed_task(task, value, self.now))
        row = self.latest[node_id]
        if approved(value) and task.budget is not None:
            self.approvals[task.budget] = self.approvals.get(task.budget, 0) + 1
            # the held attempt never called the model: the approved call counts as that attempt
            self._start(node_id, row.iteration, row.input, max(row.attempts - 1, 0), 1)
            return
        message = rejection(task)
        self._failed(row, message, None)
        self._fail(message)

    def _settled(self, node_id: str) -> None:
        # A node finished: loop back, or resolve it and offer its children.
        if self.stale and node_id in self.stale:
            self.stale.discard(node_id)
            self._offer(node_id)
        elif not (self.plan.loopbacks[node_id] and self._loop_back(node_id)):
            self.resolved.add(node_id)
            for child in self.plan.outlets[node_id]:
                if self.stopped is None:
                    self._offer(child)
        if self._queue:
            self._drain()

    def _loop_back(self, node_id: str) -> bool:
        row = self.latest[node_id]
        entries: list[tuple[str, JsonValue]] = []
        for edge in self.plan.loopbacks[node_id]:
            value = carried(edge, row)
            if value is not INACTIVE:
                entries.append((edge.target, value))
        for target, _ in entries:
            self._rewind(target)
        for target, value in entries:
            if self.stopped is None:
                self._start(target, self.latest[target].iteration + 1, value, 0, 1)
        return bool(entries)

    def _rewind(self, entry: str) -> None:
        # A loop goes round: what it runs again is no longer done for the new round.
        resolved, stale, busy, waits = self.resolved, self.stale, self.busy, self.waits
        for node_id in self.plan.rewinds[entry]:
            if node_id in resolved:
                resolved.discard(node_id)
            elif node_id in busy or node_id in waits:
                stale.add(node_id)

    def _drain(self) -> None:
        queue = self._queue
        index = 0
        while index < len(queue) and self.stopped is None:
            self._offer(queue[index])
            index += 1
        queue.clear()

    def _offer(self, node_id: str) -> None:
        resolved = self.resolved
        if node_id in resolved or node_id in self.busy or node_id in self.waits:
            return
        inlets = self.plan.inlets[node_id]
        for edge in inlets:
            if edge.source not in resolved:
                return
        value = self._input(inlets) if inlets else self.run.inputs
        if len(inlets) > 1 and type(value) is dict and self._refused_join(node_id, value):
            return
        row = self.latest.get(node_id)
        if row is None:
            iteration, attempts = 0, 0
        elif row.status is _PENDING:
            iteration, attempts = row.iteration, row.attempts
        else:
            iteration, attempts = row.iteration + 1, 0
        if value is INACTIVE:
            self._skip(node_id, iteration)
            resolved.add(node_id)
            self._queue.extend(self.plan.outlets[node_id])
        else:
            self._start(node_id, iteration, value, attempts, 1)

    def _refused_join(self, node_id: str, value: dict[str, JsonValue]) -> bool:
        # A join's input maps each parent to its output: each was bounded, their sum may not be.
        limits = self.limits
        problem = value_problem(
            value, max_bytes=limits.max_output_bytes, max_depth=limits.max_json_depth, what="the input"
        )
        if problem is None:
            return False
        row = self.latest.get(node_id)
        iteration = 0 if row is None else row.iteration + (row.status is not _PENDING)
        attempt = 1 if row is None or row.status is not _PENDING else row.attempts + 1
        self.latest[node_id] = NodeRun(
            self.run.id,
            node_id,
            iteration,
            NodeStatus.RUNNING,
            attempt,
            None,
            None,
            None,
            None,
            NO_USAGE,
            self.now,
        )
        self.busy.add(node_id)
        self._on_failure(
            Attempt(node_id, iteration, attempt, 1, None), failure(problem.message, retryable=False)
        )
        return True

    def _input(self, inlets: tuple[Edge, ...]) -> Carried:
        # `{{input}}`: one active edge passes its value; several make a mapping by source.
        latest = self.latest
        if len(inlets) == 1:
            edge = inlets[0]
            return carried(edge, latest[edge.source])
        value: Carried = INACTIVE
        joined: dict[str, JsonValue] | None = None
        first = ""
        for edge in inlets:
            passed = carried(edge, latest[edge.source])
            if passed is INACTIVE:
                continue
            if value is INACTIVE:
                value, first = passed, edge.source
            else:
                if joined is None:
                    joined = {first: value}
                joined[edge.source] = passed
        return value if joined is None else joined
