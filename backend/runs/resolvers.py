"""GraphQL queries and mutations of the runs slice."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from backend.accounts.roles import Permission
from backend.costs.records import InvalidBudgetError
from backend.gql.common import Connection, UserInputError, json_value
from backend.gql.context import Info, principal_of
from backend.gql.permissions import requires
from backend.pagination import InvalidPageError, Page, PageRequest
from backend.runs.node_test_types import NodeTest, NodeTestInput, TestNodeResult, node_test_result
from backend.runs.records import NodeTestRequest
from backend.runs.types import (
    CancelRunResult,
    HumanTask,
    HumanTaskStatus,
    RerunFromNodeResult,
    RetryRunResult,
    Run,
    RunStatus,
    StartRunResult,
    SubmitHumanInputResult,
    problem_type,
)
from engine import records

MAX_TASKS = 100


@strawberry.type
class RunQuery:
    @strawberry.field(description="A run of your workspace, or null.", extensions=requires(Permission.READ))
    async def run(self, info: Info, id: strawberry.ID) -> Run | None:
        found = await info.context.services.runs.get(principal_of(info), id)
        return None if found is None else Run.of(found)

    @strawberry.field(
        description="Runs newest first, optionally of one workflow and in one status.",
        extensions=requires(Permission.READ),
    )
    async def runs(
        self,
        info: Info,
        workflow_id: strawberry.ID | None = None,
        status: RunStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Run]:
        try:
            request = PageRequest.parse(first, after)
        except InvalidPageError as exc:
            raise UserInputError.from_invalid_page(exc) from exc
        page = await info.context.services.runs.page(
            principal_of(info), request, workflow_id=workflow_id, status=status
        )
        items = tuple(Run.of(run) for run in page.items)
        return Connection.of(Page(items=items, cursors=page.cursors, has_next_page=page.has_next_page))

    @strawberry.field(
        description="Human tasks of your workspace, newest first (at most 100).",
        extensions=requires(Permission.READ),
    )
    async def human_tasks(self, info: Info, status: HumanTaskStatus | None = None) -> list[HumanTask]:
        found = await info.context.services.runs.tasks(principal_of(info), status, MAX_TASKS)
        return [HumanTask.of(task) for task in found]

    @strawberry.field(
        description="A workflow's recent node tests, newest first (of one node, or all; at most 20).",
        extensions=requires(Permission.READ),
    )
    async def node_tests(
        self, info: Info, workflow_id: strawberry.ID, node_id: str | None = None
    ) -> list[NodeTest]:
        found = await info.context.services.node_tests.recent(principal_of(info), workflow_id, node_id)
        return [NodeTest.of(test) for test in found]


@strawberry.type
class RunMutation:
    @strawberry.mutation(
        description="Run a workflow's current version; the run executes in the background. "
        "`budgetUsd` gives the run a budget of its own: a model call that would exceed it waits for "
        "approval (a human task), like the workspace's and workflow's budgets.",
        extensions=requires(Permission.RUN),
    )
    async def start_run(
        self,
        info: Info,
        workflow_id: strawberry.ID,
        inputs: JSON | None = None,
        budget_usd: float | None = None,
    ) -> StartRunResult:
        services = info.context.services
        if budget_usd is None:
            result = await services.runs.start(principal_of(info), workflow_id, json_value(inputs))
        else:
            try:
                result = await services.costs.start_capped_run(
                    principal_of(info), workflow_id, json_value(inputs), budget_usd
                )
            except InvalidBudgetError as exc:
                raise UserInputError(str(exc)) from exc
        return Run.of(result) if isinstance(result, records.RunRecord) else problem_type(result)

    @strawberry.mutation(
        description="Stop a run; in-flight nodes are cancelled.", extensions=requires(Permission.RUN)
    )
    async def cancel_run(self, info: Info, id: strawberry.ID) -> CancelRunResult:
        result = await info.context.services.runs.cancel(principal_of(info), id)
        return Run.of(result) if isinstance(result, records.RunRecord) else problem_type(result)

    @strawberry.mutation(
        description="Answer a human task; the run resumes without re-running anything upstream.",
        extensions=requires(Permission.RUN),
    )
    async def submit_human_input(
        self, info: Info, run_id: strawberry.ID, node_id: str, input: JSON
    ) -> SubmitHumanInputResult:
        result = await info.context.services.runs.submit_human_input(
            principal_of(info), run_id, node_id, json_value(input)
        )
        return Run.of(result) if isinstance(result, records.RunRecord) else problem_type(result)

    @strawberry.mutation(
        description="Continue a FAILED run from its failed nodes, reusing every recorded output.",
        extensions=requires(Permission.RUN),
    )
    async def retry_run(self, info: Info, id: strawberry.ID) -> RetryRunResult:
        result = await info.context.services.runs.retry(principal_of(info), id)
        return Run.of(result) if isinstance(result, records.RunRecord) else problem_type(result)

    @strawberry.mutation(
        description="A new run of the same version: outputs upstream of `nodeId` are reused and `nodeId` "
        "runs with `input`.",
        extensions=requires(Permission.RUN),
    )
    async def rerun_from_node(
        self, info: Info, run_id: strawberry.ID, node_id: str, input: JSON
    ) -> RerunFromNodeResult:
        result = await info.context.services.runs.rerun_from_node(
            principal_of(info), run_id, node_id, json_value(input)
        )
        return Run.of(result) if isinstance(result, records.RunRecord) else problem_type(result)

    @strawberry.mutation(
        description="Execute one node of the definition being edited on its own, with this workspace's "
        "credentials, and keep the outcome apart from the run history.",
        extensions=requires(Permission.EDIT),
    )
    async def test_node(self, info: Info, input: NodeTestInput) -> TestNodeResult:
        request = NodeTestRequest(
            workflow_id=input.workflow_id,
            definition=json_value(input.definition),
            node_id=input.node_id,
            input=json_value(input.input),
            inputs=json_value(input.inputs),
            upstream=json_value(input.upstream),
        )
        return node_test_result(await info.context.services.node_tests.test(principal_of(info), request))
