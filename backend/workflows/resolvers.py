"""GraphQL queries and mutations of the workflows slice."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from backend.accounts.roles import Permission
from backend.gql.common import Connection, NotFound, Problem, UserInputError
from backend.gql.context import Info, principal_of
from backend.gql.permissions import requires
from backend.pagination import InvalidPageError, Page, PageRequest
from backend.workflows import records
from backend.workflows.types import (
    CreateWorkflowInput,
    CreateWorkflowResult,
    DeletedWorkflow,
    DeleteWorkflowResult,
    InvalidWorkflow,
    NodeKind,
    UpdateWorkflowInput,
    UpdateWorkflowResult,
    ValidationResult,
    VersionConflict,
    Workflow,
    present,
)
from engine.dsl import node_kinds

_NODE_KINDS = [NodeKind.from_info(info) for info in node_kinds()]


async def _workflow_or_problem(
    info: Info,
    result: records.WorkflowRecord | records.InvalidWorkflow | records.NotFound | records.VersionConflict,
) -> Workflow | InvalidWorkflow | NotFound | VersionConflict:
    if isinstance(result, records.InvalidWorkflow):
        return InvalidWorkflow.from_record(result)
    if isinstance(result, records.NotFound):
        return NotFound(id=strawberry.ID(result.id), message=result.message)
    if isinstance(result, records.VersionConflict):
        return VersionConflict(
            expected_version=result.expected_version, current_version=result.current_version
        )
    return (await present(info, [result]))[0]


@strawberry.type
class WorkflowQuery:
    @strawberry.field(
        description="The workspace's workflows, newest first (at most 100 per page).",
        extensions=requires(Permission.READ),
    )
    async def workflows(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Workflow]:
        try:
            request = PageRequest.parse(first, after)
        except InvalidPageError as exc:
            raise UserInputError.from_invalid_page(exc) from exc
        page = await info.context.services.workflows.page(principal_of(info), request)
        items = tuple(await present(info, page.items))
        return Connection.of(Page(items=items, cursors=page.cursors, has_next_page=page.has_next_page))

    @strawberry.field(
        description="A workflow of your workspace, or null.", extensions=requires(Permission.READ)
    )
    async def workflow(self, info: Info, id: strawberry.ID) -> Workflow | None:
        record = await info.context.services.workflows.get(principal_of(info), id)
        return None if record is None else (await present(info, [record]))[0]

    @strawberry.field(
        description="Every node kind with the JSON Schema of its params (the editor's forms).",
        extensions=requires(Permission.READ),
    )
    def node_kinds(self) -> list[NodeKind]:
        return _NODE_KINDS


@strawberry.type
class WorkflowMutation:
    @strawberry.mutation(
        description="Store a new workflow at version 1, or say everything wrong with it.",
        extensions=requires(Permission.EDIT),
    )
    async def create_workflow(self, info: Info, input: CreateWorkflowInput) -> CreateWorkflowResult:
        result = await info.context.services.workflows.create(
            principal_of(info), input.name, input.definition
        )
        if isinstance(result, records.InvalidWorkflow):
            return InvalidWorkflow.from_record(result)
        return (await present(info, [result]))[0]

    @strawberry.mutation(
        description="Rename a workflow and/or save a new immutable version of it.",
        extensions=requires(Permission.EDIT),
    )
    async def update_workflow(
        self,
        info: Info,
        id: strawberry.ID,
        input: UpdateWorkflowInput,
    ) -> UpdateWorkflowResult:
        result = await info.context.services.workflows.update(
            principal_of(info),
            id,
            name=input.name,
            definition=input.definition,
            expected_version=input.expected_version,
        )
        return await _workflow_or_problem(info, result)

    @strawberry.mutation(
        description="Delete a workflow; its runs stay readable.", extensions=requires(Permission.EDIT)
    )
    async def delete_workflow(self, info: Info, id: strawberry.ID) -> DeleteWorkflowResult:
        result = await info.context.services.workflows.delete(principal_of(info), id)
        if isinstance(result, records.NotFound):
            return NotFound(id=strawberry.ID(result.id), message=result.message)
        return DeletedWorkflow(id=strawberry.ID(str(result.id)))

    @strawberry.mutation(
        description="Check a definition without storing anything.", extensions=requires(Permission.EDIT)
    )
    async def validate_workflow(self, info: Info, definition: JSON) -> ValidationResult:
        principal_of(info)
        problems = await info.context.services.workflows.validate(definition)
        return ValidationResult(valid=not problems, problems=[Problem.from_record(p) for p in problems])
