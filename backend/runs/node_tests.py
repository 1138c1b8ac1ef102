"""Testing one node from the editor: execute it on its own with the workspace's credentials.

The test runs the node's executor exactly as a run would (see `engine.execution.single_node`) and is
recorded in `node_tests`, apart from the run history: no run, node run or event is written. A node
with side effects has them (a tool node calls its URL, an embedding node upserts its text), as in
Dify's single-step run and n8n's "execute step".
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

import anyio
from pydantic import JsonValue

from backend.accounts.records import Principal
from backend.credentials.service import CredentialService
from backend.problems import NotFound
from backend.runs.node_tests_repository import NodeTestRepository
from backend.runs.provider_check import missing_credentials
from backend.runs.records import (
    InvalidNodeTestInput,
    NodeTestRecord,
    NodeTestRequest,
    NodeTestResult,
)
from backend.runs.starting import storable_problems
from backend.workflows.records import InvalidWorkflow
from backend.workflows.service import WorkflowService, parse_id
from engine.execution import SingleNodeOutcome, run_single_node
from engine.graph import Problem
from engine.limits import RunLimits
from engine.nodes.base import NodeServices
from engine.records import NO_USAGE, NodeStatus
from engine.value_policy import text_problem

NODE_TEST_SECONDS = 120.0
"""A test stops after this long, whatever the node's own time limit (the person is waiting)."""


class NodeTestService:
    """Executes single nodes for the editor and lists the recent tests of a workflow."""

    def __init__(
        self,
        *,
        workflows: WorkflowService,
        repository: NodeTestRepository,
        credentials: CredentialService,
        node_services: NodeServices,
        limits: RunLimits,
        time_limit: float = NODE_TEST_SECONDS,
    ) -> None:
        self._workflows = workflows
        self._repository = repository
        self._credentials = credentials
        self._node_services = node_services
        self._limits = limits
        self._time_limit = time_limit

    async def test(self, principal: Principal, request: NodeTestRequest) -> NodeTestResult:
        """Execute `request.node_id` of `request.definition` once and record the outcome.

        Nothing executes when the workflow is unknown, the definition is invalid, the node is not in
        it, a value is refused by the value policy, or the node's provider has no credentials.
        """
        workflow = await self._workflows.get(principal, request.workflow_id)
        if workflow is None:
            return NotFound(id=request.workflow_id, message=f"no workflow {request.workflow_id}")
        refused = await self._value_problems(request)
        if refused:
            return InvalidNodeTestInput(problems=refused)
        checked = await self._workflows.compile(request.definition)
        if isinstance(checked, InvalidWorkflow):
            return checked
        graph = checked.graph
        spec = None if graph is None else graph.nodes.get(request.node_id)
        if graph is None or spec is None:
            return NotFound(id=request.node_id, message=f"the definition has no node {request.node_id}")
        missing = await missing_credentials(self._credentials, principal.workspace_id, [spec])
        if missing is not None:
            return missing
        started_at = datetime.now(UTC)
        record: NodeTestRecord | None = None
        with anyio.move_on_after(self._time_limit):
            outcome = await run_single_node(
                graph,
                spec.id,
                workspace_id=principal.workspace_id,
                value=request.input,
                inputs={} if request.inputs is None else request.inputs,
                upstream=request.upstream if isinstance(request.upstream, dict) else {},
                services=self._node_services,
            )
            record = _record(workflow.id, spec.id, spec.type, request.input, outcome)
        if record is None:
            message = f"the test was stopped after {self._time_limit:g} seconds"
            stopped = SingleNodeOutcome(
                NodeStatus.FAILED, None, message, None, NO_USAGE, started_at, datetime.now(UTC)
            )
            record = _record(workflow.id, spec.id, spec.type, request.input, stopped)
        await self._repository.add(principal.workspace_id, principal.user_id, record)
        return record

    async def recent(
        self, principal: Principal, workflow_id: str, node_id: str | None
    ) -> list[NodeTestRecord]:
        """The workflow's recent tests, newest first (of one node, or all); none for an unknown workflow."""
        uuid = parse_id(workflow_id)
        if uuid is None or (node_id is not None and text_problem(node_id) is not None):
            return []  # no node is called that: PostgreSQL could not even compare the text
        return await self._repository.recent(principal.workspace_id, uuid, node_id)

    async def _value_problems(self, request: NodeTestRequest) -> tuple[Problem, ...]:
        problems: list[Problem] = []
        for value, path in (
            (request.input, "input"),
            (request.inputs, "inputs"),
            (request.upstream, "upstream"),
        ):
            problems.extend(
                await storable_problems(
                    value, path, self._limits.max_input_bytes, self._limits.max_json_depth
                )
            )
        if request.upstream is not None and not isinstance(request.upstream, dict):
            message = "upstream must be an object of node outputs by node id"
            problems.append(Problem(code="INVALID_UPSTREAM", message=message, path="upstream", node_id=None))
        return tuple(problems)


def _record(
    workflow_id: UUID, node_id: str, kind: str, value: JsonValue, outcome: SingleNodeOutcome
) -> NodeTestRecord:
    return NodeTestRecord(
        id=uuid4(),
        workflow_id=workflow_id,
        node_id=node_id,
        kind=kind,
        status=outcome.status,
        input=value,
        output=outcome.output,
        error=outcome.error,
        branch=outcome.branch,
        usage=outcome.usage,
        started_at=outcome.started_at,
        finished_at=outcome.finished_at,
    )
