"""GraphQL types of the runs slice, built from the engine's records."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, overload
from uuid import UUID

import strawberry
from strawberry.scalars import JSON

from backend.gql.common import NotFound, Problem
from backend.gql.context import Info, loaders_of, principal_of
from backend.runs import records as problems
from backend.triggers.types import TriggerRef
from backend.workflows.types import Workflow
from engine import records

# The engine's enums are the GraphQL enums: registering them keeps one source of truth.
strawberry.enum(records.RunStatus, name="RunStatus")
strawberry.enum(records.NodeStatus, name="NodeStatus")
strawberry.enum(records.EventType, name="RunEventType")
strawberry.enum(records.TaskStatus, name="HumanTaskStatus")
RunStatus = records.RunStatus
NodeStatus = records.NodeStatus
RunEventType = records.EventType
HumanTaskStatus = records.TaskStatus


@strawberry.type(description="Tokens and model requests spent.")
class Usage:
    input_tokens: int
    output_tokens: int
    requests: int

    @classmethod
    def of(cls, usage: records.Usage) -> Usage | None:
        """None when nothing was spent."""
        if usage == records.NO_USAGE:
            return None
        return cls(
            input_tokens=usage.input_tokens, output_tokens=usage.output_tokens, requests=usage.requests
        )


@strawberry.type(description="What tokens cost, in USD, by the model price table (engine.pricing).")
class Cost:
    usd: float
    priced: bool = strawberry.field(
        description="False when some tokens are of a model the price table does not know (counted at 0)."
    )

    @classmethod
    def of(cls, usage: records.Usage) -> Cost:
        """The cost of `usage` (0 and priced when nothing was spent)."""
        return cls(usd=usage.cost_usd, priced=not usage.unpriced)


@strawberry.type(description="One iteration of one node in a run.")
class NodeRun:
    node_id: str
    status: NodeStatus
    iteration: int
    attempts: int
    input: JSON | None
    output: JSON | None
    error: str | None
    branch: str | None
    usage: Usage | None
    cost: Cost = strawberry.field(description="What the node run's model calls cost.")
    started_at: datetime | None
    finished_at: datetime | None
    _run_id: strawberry.Private[UUID]

    @strawberry.field(
        description="When retention pruned this node run's input and output (both null since); "
        "null while they are kept."
    )
    async def pruned_at(self, info: Info) -> datetime | None:
        retention = await loaders_of(info).retention.load(self._run_id)
        return retention.pruned_node_runs.get((self.node_id, self.iteration))

    @classmethod
    def of(cls, node: records.NodeRun) -> NodeRun:
        """Build from the engine's node run."""
        return cls(
            _run_id=node.run_id,
            node_id=node.node_id,
            status=node.status,
            iteration=node.iteration,
            attempts=node.attempts,
            input=JSON(node.input),
            output=JSON(node.output),
            error=node.error,
            branch=node.branch,
            usage=Usage.of(node.usage),
            cost=Cost.of(node.usage),
            started_at=node.started_at,
            finished_at=node.finished_at,
        )


@strawberry.type(description="Something that happened in a run; persisted events have a gap-free seq from 1.")
class RunEvent:
    run_id: strawberry.ID
    seq: int
    type: RunEventType
    node_id: str | None
    at: datetime
    data: JSON | None

    @classmethod
    def of(cls, event: records.RunEvent) -> RunEvent:
        """Build from the engine's event."""
        return cls(
            run_id=strawberry.ID(str(event.run_id)),
            seq=event.seq,
            type=event.type,
            node_id=event.node_id,
            at=event.at,
            data=JSON(event.data),
        )


@strawberry.type(description="One execution of a pinned workflow version.")
class Run:
    id: strawberry.ID
    status: RunStatus
    version: int = strawberry.field(description="The workflow version this run executes.")
    inputs: JSON | None
    output: JSON | None
    error: str | None
    usage: Usage | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    _record: strawberry.Private[records.RunRecord]

    @strawberry.field(description="What the run's model calls have cost so far (the sum of its node runs').")
    def cost(self) -> Cost:
        return Cost.of(self._record.usage)

    @strawberry.field(description="The workflow, as it is now (its `version` may be newer than the run's).")
    async def workflow(self, info: Info) -> Workflow:
        record = await loaders_of(info).workflows.load(self._record.workflow_id)
        if record is None:  # runs cascade-delete with their workflow; soft-deleted ones still load
            raise LookupError(f"run {self._record.id} has no workflow {self._record.workflow_id}")
        return Workflow.from_record(record)

    @strawberry.field(description="The definition of the workflow version this run executes (its graph).")
    async def definition(self, info: Info) -> JSON:
        record = self._record
        found = await loaders_of(info).definitions.load((record.workflow_id, record.version))
        if found is None:  # versions are immutable and never deleted while their workflow's runs exist
            raise LookupError(f"run {record.id} has no version {record.version} of {record.workflow_id}")
        return JSON(found)

    @strawberry.field(
        description="The webhook or schedule that started this run; null when a person or token started it."
    )
    async def trigger(self, info: Info) -> TriggerRef | None:
        found = await loaders_of(info).run_triggers.load(self._record.id)
        return None if found is None else TriggerRef.of(found)

    @strawberry.field(description="Every node run so far, in the order they started.")
    async def node_runs(self, info: Info) -> list[NodeRun]:
        return [NodeRun.of(node) for node in await loaders_of(info).node_runs.load(self._record.id)]

    @strawberry.field(
        description="The node run of `nodeId` at `iteration` (default: its latest), e.g. for the "
        "output a NODE_SUCCEEDED event (or the input a NODE_STARTED event) only references "
        "(`outputRef`, `inputRef`: too large to copy into events)."
    )
    async def node_run(self, info: Info, node_id: str, iteration: int | None = None) -> NodeRun | None:
        found = [
            node
            for node in await loaders_of(info).node_runs.load(self._record.id)
            if node.node_id == node_id and (iteration is None or node.iteration == iteration)
        ]
        return NodeRun.of(max(found, key=lambda node: node.iteration)) if found else None

    @strawberry.field(
        description="When retention deleted this run's events (those up to the seq it had then); "
        "null while they are kept. `events` and `runEvents` return what is left."
    )
    async def events_pruned_at(self, info: Info) -> datetime | None:
        return (await loaders_of(info).retention.load(self._record.id)).events_pruned_at

    @strawberry.field(
        description="When retention pruned its node runs' inputs and outputs (see NodeRun.prunedAt); "
        "such a run can no longer be retried or re-run from a node."
    )
    async def node_data_pruned_at(self, info: Info) -> datetime | None:
        return (await loaders_of(info).retention.load(self._record.id)).node_data_pruned_at

    @strawberry.field(description="Persisted events with seq > afterSeq, in order.")
    async def events(self, info: Info, after_seq: int = 0) -> list[RunEvent]:
        found = await info.context.services.runs.events(principal_of(info), self._record.id, after_seq)
        return [RunEvent.of(event) for event in found]

    @classmethod
    def of(cls, run: records.RunRecord) -> Run:
        """Build from the engine's run record."""
        return cls(
            id=strawberry.ID(str(run.id)),
            status=run.status,
            version=run.version,
            inputs=JSON(run.inputs),
            output=JSON(run.output),
            error=run.error,
            usage=Usage.of(run.usage),
            created_at=run.created_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            _record=run,
        )


@strawberry.type(description="A human node waiting for (or answered with) input.")
class HumanTask:
    run_id: strawberry.ID
    node_id: str
    iteration: int
    prompt: str
    schema: JSON = strawberry.field(description="JSON Schema the input must match.")
    status: HumanTaskStatus
    input: JSON | None
    created_at: datetime
    due_at: datetime | None
    closed_at: datetime | None
    budget_hold: bool = strawberry.field(
        description="True when a budget holds the node's model call: approving lets it go ahead, "
        "rejecting fails the run."
    )
    _run_id: strawberry.Private[UUID]

    @classmethod
    def of(cls, task: records.HumanTask) -> HumanTask:
        """Build from the engine's task."""
        return cls(
            run_id=strawberry.ID(str(task.run_id)),
            node_id=task.node_id,
            iteration=task.iteration,
            prompt=task.prompt,
            schema=JSON(task.schema),
            status=task.status,
            input=JSON(task.input),
            created_at=task.created_at,
            due_at=task.due_at,
            closed_at=task.closed_at,
            budget_hold=task.budget is not None,
            _run_id=task.run_id,
        )


@strawberry.type(description="The run inputs do not match the workflow's inputs schema; no run was created.")
class InvalidRunInputs:
    problems: list[Problem]


@strawberry.type(description="A node needs provider credentials this workspace lacks; no run was created.")
class MissingCredentials:
    provider: str
    message: str


@strawberry.type(description="The run already ended.")
class RunNotCancellable:
    status: RunStatus
    message: str


@strawberry.type(description="Only FAILED runs can be retried.")
class RunNotRetryable:
    status: RunStatus
    message: str


@strawberry.type(description="The run is not waiting for input on that node; nothing changed.")
class NoOpenTask:
    message: str


@strawberry.type(description="The input does not match the task's schema; the run keeps waiting.")
class InvalidHumanInput:
    message: str
    errors: list[str]


StartRunResult = Annotated[
    Run | NotFound | InvalidRunInputs | MissingCredentials, strawberry.union("StartRunResult")
]
CancelRunResult = Annotated[Run | NotFound | RunNotCancellable, strawberry.union("CancelRunResult")]
SubmitHumanInputResult = Annotated[
    Run | NotFound | NoOpenTask | InvalidHumanInput, strawberry.union("SubmitHumanInputResult")
]
RetryRunResult = Annotated[Run | NotFound | RunNotRetryable, strawberry.union("RetryRunResult")]
RerunFromNodeResult = Annotated[Run | NotFound | InvalidRunInputs, strawberry.union("RerunFromNodeResult")]

ProblemType = (
    NotFound
    | InvalidRunInputs
    | MissingCredentials
    | RunNotCancellable
    | RunNotRetryable
    | NoOpenTask
    | InvalidHumanInput
)


@overload
def problem_type(problem: problems.NotFound) -> NotFound: ...
@overload
def problem_type(problem: problems.InvalidRunInputs) -> InvalidRunInputs: ...
@overload
def problem_type(problem: problems.MissingCredentials) -> MissingCredentials: ...
@overload
def problem_type(problem: problems.RunNotCancellable) -> RunNotCancellable: ...
@overload
def problem_type(problem: problems.RunNotRetryable) -> RunNotRetryable: ...
@overload
def problem_type(problem: problems.NoOpenTask) -> NoOpenTask: ...
@overload
def problem_type(problem: problems.InvalidHumanInput) -> InvalidHumanInput: ...
def problem_type(problem: object) -> ProblemType:  # noqa: PLR0911 - one return per problem type
    """The GraphQL member of a run mutation's union for a service problem (typed per problem)."""
    match problem:
        case problems.NotFound(id=id_, message=message):
            return NotFound(id=strawberry.ID(id_), message=message)
        case problems.InvalidRunInputs(problems=found):
            return InvalidRunInputs(problems=[Problem.from_record(item) for item in found])
        case problems.MissingCredentials(provider=provider, message=message):
            return MissingCredentials(provider=provider, message=message)
        case problems.RunNotCancellable(status=status, message=message):
            return RunNotCancellable(status=records.RunStatus(status), message=message)
        case problems.RunNotRetryable(status=status, message=message):
            return RunNotRetryable(status=records.RunStatus(status), message=message)
        case problems.NoOpenTask(message=message):
            return NoOpenTask(message=message)
        case problems.InvalidHumanInput(message=message, errors=errors):
            return InvalidHumanInput(message=message, errors=list(errors))
    raise TypeError(f"not a run problem: {problem!r}")
