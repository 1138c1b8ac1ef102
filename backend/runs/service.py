"""Runs: start, cancel, answer human tasks, retry, re-run from a node, and read them back."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import TypeVar
from uuid import UUID, uuid4

from pydantic import JsonValue

from backend.accounts.records import Principal
from backend.credentials.service import CredentialService
from backend.live.control import Answer, Command, RunControl, answer_for
from backend.pagination import Page, PageRequest
from backend.problems import NotFound
from backend.runs.admission import Admission
from backend.runs.graphs import GraphCache
from backend.runs.leases import Leases
from backend.runs.records import (
    InvalidHumanInput,
    InvalidRunInputs,
    MissingCredentials,
    NoOpenTask,
    RunNotCancellable,
    RunNotRetryable,
)
from backend.runs.repository import RunRepository
from backend.runs.retention import PRUNED_MESSAGE, pruned_problem
from backend.runs.retention_records import KEPT, RunRetention
from backend.runs.starting import RunStarter, storable_problems
from backend.runs.store import PostgresRunStore
from backend.telemetry.runs import RunTraces
from backend.workflows.repository import WorkflowRepository
from backend.workflows.service import parse_id
from engine.execution import Engine, SubmitOutcome
from engine.limits import RunLimits
from engine.records import (
    HumanTask,
    NodeRun,
    NodeStatus,
    RunEvent,
    RunRecord,
    RunState,
    RunStatus,
    TaskStatus,
)

_T = TypeVar("_T")


class RunService:
    """Run use cases; every call is scoped to the caller's workspace."""

    def __init__(
        self,
        *,
        runs: RunRepository,
        store: PostgresRunStore,
        workflows: WorkflowRepository,
        graphs: GraphCache,
        engine: Engine,
        leases: Leases,
        admission: Admission,
        credentials: CredentialService,
        control: RunControl,
        limits: RunLimits,
        traces: RunTraces | None = None,
        cancel_wait_seconds: float = 2.0,
    ) -> None:
        self._runs = runs
        self._limits = limits
        self._store = store
        self._workflows = workflows
        self._graphs = graphs
        self._engine = engine
        self._leases = leases
        self._admission = admission
        self._credentials = credentials
        self._control = control
        self._cancel_wait = cancel_wait_seconds
        self.starter = RunStarter(
            store=store,
            workflows=workflows,
            graphs=graphs,
            admission=admission,
            credentials=credentials,
            limits=limits,
            traces=traces,
        )
        """How every run is started (startRun, webhooks, schedules): validate, create, admit."""

    async def get(self, principal: Principal, run_id: str) -> RunRecord | None:
        """A run of the workspace, or None."""
        uuid = parse_id(run_id)
        return None if uuid is None else await self._runs.get(principal.workspace_id, uuid)

    async def page(
        self, principal: Principal, request: PageRequest, *, workflow_id: str | None, status: RunStatus | None
    ) -> Page[RunRecord]:
        """Runs newest first, optionally of one workflow and in one status."""
        workflow_uuid = None if workflow_id is None else parse_id(workflow_id)
        if workflow_id is not None and workflow_uuid is None:
            return Page(items=(), cursors=(), has_next_page=False)
        return await self._runs.page(
            principal.workspace_id, request, workflow_id=workflow_uuid, status=status
        )

    async def node_runs(self, principal: Principal, run_ids: Sequence[UUID]) -> list[list[NodeRun]]:
        """The node runs of each run, in the order asked (a DataLoader batch)."""
        found = await self._runs.node_runs(principal.workspace_id, run_ids)
        return [found.get(run_id, []) for run_id in run_ids]

    async def retention(self, principal: Principal, run_ids: Sequence[UUID]) -> list[RunRetention]:
        """What retention took from each run, in the order asked (a DataLoader batch)."""
        found = await self._runs.retention(principal.workspace_id, run_ids)
        return [found.get(run_id, KEPT) for run_id in run_ids]

    async def latest(self, principal: Principal, workflow_ids: Sequence[UUID]) -> list[RunRecord | None]:
        """The newest run of each workflow in the order asked, None for one never run (a DataLoader batch)."""
        found = await self._runs.latest(principal.workspace_id, workflow_ids)
        return [found.get(workflow_id) for workflow_id in workflow_ids]

    async def events(self, principal: Principal, run_id: UUID, after_seq: int) -> list[RunEvent]:
        """The run's persisted events after `after_seq`."""
        return await self._runs.events(principal.workspace_id, run_id, after_seq)

    async def tasks(
        self, principal: Principal, status: TaskStatus | None, limit: int = 100
    ) -> list[HumanTask]:
        """The workspace's human tasks, newest first."""
        return await self._runs.tasks(principal.workspace_id, status, limit)

    async def start(
        self, principal: Principal, workflow_id: str, inputs: JsonValue
    ) -> RunRecord | NotFound | InvalidRunInputs | MissingCredentials:
        """Create a run of the workflow's current version and execute it in the background."""
        return await self.starter.start(principal.workspace_id, workflow_id, inputs)

    async def cancel(self, principal: Principal, run_id: str) -> RunRecord | NotFound | RunNotCancellable:
        """Stop a run: in-flight nodes are cancelled and the run ends CANCELLED.

        The request is recorded first, so that whoever executes the run next honours it even if
        its executor dies now; the executor (this process, or the one holding the lease) then
        records CANCELLED. When the executor is gone, the run shows CANCELLED once its lease expires.
        """
        run = await self.get(principal, run_id)
        if run is None:
            return NotFound(id=run_id, message=f"no run {run_id}")
        if run.status.terminal or not await self._runs.request_cancel(run.workspace_id, run.id):
            current = await self._reload(run)
            return RunNotCancellable(
                status=current.status.value, message=f"the run already ended {current.status.value}"
            )
        command = Command("cancel", run.id, RunControl.reply_channel())
        await self._change(run, lambda: self._engine.cancel(run.id), command, within=self._cancel_wait)
        return await self._reload(run)

    async def submit_human_input(
        self, principal: Principal, run_id: str, node_id: str, value: JsonValue
    ) -> RunRecord | NotFound | NoOpenTask | InvalidHumanInput:
        """Answer a human task: validated against its schema, then the run resumes on any executor."""
        run = await self.get(principal, run_id)
        if run is None:
            return NotFound(id=run_id, message=f"no run {run_id}")
        refused = await storable_problems(
            value, "input", self._limits.max_human_input_bytes, self._limits.max_json_depth
        )
        if refused:
            return InvalidHumanInput(message=refused[0].message, errors=(refused[0].message,))
        pinned = await self._graphs.get(run.workflow_id, run.version)

        async def submit() -> SubmitOutcome:
            return await self._engine.submit(run.id, node_id, value, pinned.graph)

        command = Command("submit", run.id, RunControl.reply_channel(), node_id, value)
        outcome = await self._change(run, submit, command, within=self._leases.seconds + 2)
        if outcome is None:
            return NoOpenTask(message="the process executing the run did not answer; try again")
        return await self._answered(run, outcome if isinstance(outcome, Answer) else answer_for(outcome))

    async def retry(self, principal: Principal, run_id: str) -> RunRecord | NotFound | RunNotRetryable:
        """Continue a FAILED run from its failed nodes, reusing every recorded output."""
        run = await self.get(principal, run_id)
        if run is None:
            return NotFound(id=run_id, message=f"no run {run_id}")

        async def retry() -> bool:
            if await self._runs.node_data_pruned(run.id):  # under the lease: pruning skips held runs
                return False
            await self._runs.forget_cancel(run.id)
            return await self._engine.retry(run.id)

        retried = run.status is RunStatus.FAILED and await self._change(
            run, retry, None, within=self._leases.seconds + 2
        )
        if not retried:
            message = f"only FAILED runs can be retried, not {run.status.value}"
            if run.status is RunStatus.FAILED and await self._runs.node_data_pruned(run.id):
                message = f"the run cannot be retried: {PRUNED_MESSAGE}"
            return RunNotRetryable(status=run.status.value, message=message)
        return await self._reload(run)

    async def rerun_from_node(
        self, principal: Principal, run_id: str, node_id: str, value: JsonValue
    ) -> RunRecord | NotFound | InvalidRunInputs:
        """A new run of the same version: outputs upstream of `node_id` are reused, `node_id` runs
        again with `value` as its input, and everything after it runs afresh.

        Like `start`, it refuses to start a run of a deleted workflow. The new run and the node runs
        it starts from are created in one transaction: either the whole re-run exists, or nothing.
        """
        source = await self.get(principal, run_id)
        if source is None:
            return NotFound(id=run_id, message=f"no run {run_id}")
        if await self._workflows.get(principal.workspace_id, source.workflow_id) is None:
            return NotFound(id=run_id, message=f"the workflow of run {run_id} was deleted")
        pinned = await self._graphs.get(source.workflow_id, source.version)
        if node_id not in pinned.graph.nodes:
            return NotFound(id=node_id, message=f"the workflow has no node {node_id}")
        problems = await storable_problems(
            value, "input", self._limits.max_input_bytes, self._limits.max_json_depth
        )
        if problems:
            return InvalidRunInputs(problems=problems)
        state = await self._reusable(source.id, run_id)
        if not isinstance(state, RunState):
            return state
        run = RunRecord(
            id=uuid4(),
            workspace_id=source.workspace_id,
            workflow_id=source.workflow_id,
            version=source.version,
            status=RunStatus.PENDING,
            inputs=source.inputs,
            created_at=datetime.now(UTC),
        )
        upstream = pinned.graph.ancestors(node_id) - {node_id}
        reused = tuple(
            node._replace(run_id=run.id)
            for node in state.node_runs
            if node.node_id in upstream and node.status in {NodeStatus.SUCCEEDED, NodeStatus.SKIPPED}
        )
        start_here = NodeRun(
            run_id=run.id, node_id=node_id, iteration=0, status=NodeStatus.PENDING, input=value
        )
        await self._store.create(run, (*reused, start_here))
        await self._admission.admit(run.workspace_id)
        return run

    async def _reusable(self, source_id: UUID, run_id: str) -> RunState | NotFound | InvalidRunInputs:
        """The state of a run to re-run from, unless it was deleted or its node data pruned."""
        state = await self._store.load(source_id)
        if state is None:  # deleted between the two reads
            return NotFound(id=run_id, message=f"no run {run_id}")
        # checked after loading: pruning marks a run before it nulls anything, so a run unmarked
        # now had whole outputs when they were loaded
        if await self._runs.node_data_pruned(source_id):
            return InvalidRunInputs(problems=(pruned_problem(),))
        return state

    async def _answered(self, run: RunRecord, answer: Answer) -> RunRecord | NoOpenTask | InvalidHumanInput:
        if answer.outcome == "invalid":
            return InvalidHumanInput(message=answer.message, errors=tuple(answer.errors))
        if answer.outcome != "accepted":
            return NoOpenTask(message=answer.message)
        return await self._reload(run)

    async def _change(
        self, run: RunRecord, change: Callable[[], Awaitable[_T]], command: Command | None, *, within: float
    ) -> _T | Answer | None:
        """Make a change of the run under its lease, or have the lease holder make it.

        When this process can take the lease (nobody executes the run, or this process does), it
        makes the change itself, releases the lease and admits the run's workspace (an answered run
        is executable again). Otherwise the `command` goes to the holder; a holder that is gone
        or no longer executes the run means trying again until its lease expires. None when
        nothing was decided `within` seconds.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        pause = 0.02
        while True:
            lease = await self._leases.acquire(run.id)
            if lease is not None:
                try:
                    result = await change()
                finally:
                    # a lease taken over from a dead executor: its queue entry is gone with it
                    await self._leases.release(run.id, undispatch=lease.took_over)
                await self._admission.admit(run.workspace_id)
                return result
            owner = await self._runs.lease_owner(run.id)
            if owner is not None and command is not None:
                answer = await self._control.ask(owner, command)
                if answer is not None:
                    return answer
            if loop.time() + pause > deadline:
                return None
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.5)

    async def _reload(self, run: RunRecord) -> RunRecord:
        return await self._runs.get(run.workspace_id, run.id) or run
