"""Starting a run: the one path from "run this workflow with these inputs" to a queued run.

`startRun`, webhook deliveries and schedule ticks all go through `RunStarter`: the inputs pass the
value policy and the workflow's `inputs` schema, the providers its nodes need must have credentials,
the run is created (recording what started it) and its workspace is admitted to the queue.
Creating can join a caller's transaction, so that a schedule's claimed tick and the run it starts
are committed together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

from jsonschema import Draft202012Validator
from pydantic import JsonValue

from backend.credentials.service import CredentialService
from backend.problems import NotFound
from backend.runs.admission import Admission
from backend.runs.graphs import GraphCache
from backend.runs.provider_check import missing_credentials
from backend.runs.records import InvalidRunInputs, MissingCredentials
from backend.runs.store import Connection, PostgresRunStore, RunOrigin
from backend.telemetry import metrics
from backend.telemetry.runs import RunTraces
from backend.workflows.repository import WorkflowRepository
from backend.workflows.service import parse_id
from engine.graph import Problem, json_path
from engine.limits import RunLimits
from engine.records import RunRecord, RunStatus
from engine.value_policy import check_value

__all__ = ["RunOrigin", "RunStarter", "StartProblem", "storable_problems"]

StartProblem = NotFound | InvalidRunInputs | MissingCredentials
"""Why a run was not started (nothing was created)."""


async def storable_problems(
    value: JsonValue, path: str, max_bytes: int, max_depth: int
) -> tuple[Problem, ...]:
    """The value policy's verdict on an input, as a problem located under `path`."""
    problem, _ = await check_value(value, max_bytes=max_bytes, max_depth=max_depth, what=path)
    if problem is None:
        return ()
    located = json_path((path, *problem.location))
    return (Problem(code=problem.code, message=problem.message, path=located, node_id=None),)


def input_problems(schema: JsonValue, inputs: JsonValue) -> tuple[Problem, ...]:
    """Where `inputs` breaks the workflow's `inputs` JSON Schema (none without a schema)."""
    if not isinstance(schema, dict):
        return ()
    errors = sorted(Draft202012Validator(schema).iter_errors(inputs), key=lambda error: list(error.path))
    return tuple(
        Problem(
            code="INVALID_INPUT",
            message=error.message,
            path=".".join(["inputs", *(str(part) for part in error.path)]),
            node_id=None,
        )
        for error in errors
    )


@dataclass
class RunStarter:
    """Validates, creates and admits new runs of a workflow's current version."""

    store: PostgresRunStore
    workflows: WorkflowRepository
    graphs: GraphCache
    admission: Admission
    credentials: CredentialService
    limits: RunLimits
    traces: RunTraces | None = None
    """Begins each new run's trace (None: runs are not traced, as in tests of this class alone)."""

    async def prepare(
        self, workspace_id: UUID, workflow_id: str, inputs: JsonValue
    ) -> RunRecord | StartProblem:
        """A new PENDING run of the workflow's current version (not yet stored), or why not."""
        uuid = parse_id(workflow_id)
        workflow = None if uuid is None else await self.workflows.get(workspace_id, uuid)
        if workflow is None:
            return NotFound(id=workflow_id, message=f"no workflow {workflow_id}")
        inputs = {} if inputs is None else inputs
        problems = await storable_problems(
            inputs, "inputs", self.limits.max_input_bytes, self.limits.max_json_depth
        )
        if problems:
            return InvalidRunInputs(problems=problems)
        pinned = await self.graphs.get(workflow.id, workflow.version)
        problems = input_problems(pinned.definition.inputs, inputs)
        if problems:
            return InvalidRunInputs(problems=problems)
        missing = await missing_credentials(self.credentials, workspace_id, pinned.graph.nodes.values())
        if missing is not None:
            return missing
        return RunRecord(
            id=uuid4(),
            workspace_id=workspace_id,
            workflow_id=workflow.id,
            version=workflow.version,
            status=RunStatus.PENDING,
            inputs=inputs,
            created_at=datetime.now(UTC),
        )

    async def create(
        self,
        run: RunRecord,
        *,
        origin: RunOrigin | None = None,
        connection: Connection | None = None,
    ) -> None:
        """Store a prepared run (in `connection`'s transaction when given); `admit` queues it."""
        await self.store.create(run, origin=origin, connection=connection)
        metrics.RUNS_STARTED.labels("api" if origin is None else origin.trigger_kind).inc()
        if self.traces is not None:
            trigger = "startRun" if origin is None else origin.trigger_kind
            await self.traces.begin(run, trigger, connection=connection)

    async def admit(self, workspace_id: UUID) -> None:
        """Queue the workspace's executable runs while it has room."""
        await self.admission.admit(workspace_id)

    async def start(
        self, workspace_id: UUID, workflow_id: str, inputs: JsonValue, origin: RunOrigin | None = None
    ) -> RunRecord | StartProblem:
        """Prepare, create and admit a run in one call."""
        run = await self.prepare(workspace_id, workflow_id, inputs)
        if not isinstance(run, RunRecord):
            return run
        await self.create(run, origin=origin)
        await self.admit(workspace_id)
        return run
