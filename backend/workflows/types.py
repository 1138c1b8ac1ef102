"""GraphQL types of the workflows slice, built from its records."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from backend.gql.common import NotFound, Problem, selects
from backend.gql.context import Info, loaders_of
from backend.workflows import records
from engine.dsl import NodeKindInfo

if TYPE_CHECKING:
    # The run module imports this one (a run names its workflow): strawberry.lazy resolves the
    # annotation when the schema is built, and `last_run` imports the class when it first resolves.
    from backend.runs.types import Run


@strawberry.type(description="One immutable saved definition of a workflow.")
class WorkflowVersion:
    version: int
    definition: JSON
    created_at: datetime

    @classmethod
    def from_record(cls, record: records.WorkflowVersionRecord) -> WorkflowVersion:
        """Build from a version record."""
        return cls(version=record.version, definition=JSON(record.definition), created_at=record.created_at)


@strawberry.type(description="A workflow at its current version.")
class Workflow:
    id: strawberry.ID
    name: str
    version: int = strawberry.field(description="The current version number; every save adds one.")
    definition: JSON = strawberry.field(description="The current version's definition (the workflow DSL).")
    created_at: datetime
    updated_at: datetime

    _record: strawberry.Private[records.WorkflowRecord]
    _versions: strawberry.Private[list[WorkflowVersion] | None]
    """Loaded with a whole page of workflows when the query selects them (see `present`)."""

    @strawberry.field(description="Every saved version, newest first.", graphql_type=list[WorkflowVersion])
    def versions(self, info: Info) -> list[WorkflowVersion] | Awaitable[list[WorkflowVersion]]:
        # Whoever built this object, the answer is the workflow's versions: taken from the page's
        # batch when `present` loaded it, from this request's DataLoader otherwise (a sync resolver
        # may return an awaitable; graphql-core awaits it).
        if self._versions is not None:
            return self._versions
        return self._load_versions(info)

    @strawberry.field(description="The workflow's newest run, or null when it never ran.")
    async def last_run(self, info: Info) -> Annotated[Run, strawberry.lazy("backend.runs.types")] | None:
        # A run names its workflow and a workflow its last run: two GraphQL types that refer to each
        # other, not a layering cycle. The run module is loaded with the schema, so this costs nothing.
        from backend.runs.types import Run  # noqa: PLC0415

        found = await loaders_of(info).last_runs.load(self._record.id)
        return None if found is None else Run.of(found)

    async def _load_versions(self, info: Info) -> list[WorkflowVersion]:
        found = await loaders_of(info).workflow_versions.load(self._record.id)
        return [WorkflowVersion.from_record(version) for version in found]

    @classmethod
    def from_record(
        cls, record: records.WorkflowRecord, versions: Sequence[records.WorkflowVersionRecord] | None = None
    ) -> Workflow:
        """Build from a workflow record and, when they were loaded already, its versions."""
        return cls(
            id=strawberry.ID(str(record.id)),
            name=record.name,
            version=record.version,
            definition=JSON(record.definition),
            created_at=record.created_at,
            updated_at=record.updated_at,
            _record=record,
            _versions=None if versions is None else [WorkflowVersion.from_record(v) for v in versions],
        )


async def present(info: Info, found: Sequence[records.WorkflowRecord]) -> list[Workflow]:
    """GraphQL workflows for `found`, their versions batch-loaded when the query selects them.

    Loading versions here, once for the whole list, rather than in an async `versions` resolver
    per workflow keeps the statement count constant and spares graphql-core an awaited field per
    item (a quarter of a 50-item page's execution time).
    """
    if not selects(info, "versions"):
        return [Workflow.from_record(record) for record in found]
    versions = await loaders_of(info).workflow_versions.load_many([record.id for record in found])
    return [
        Workflow.from_record(record, record_versions)
        for record, record_versions in zip(found, versions, strict=True)
    ]


@strawberry.type(description="The definition or name was rejected; nothing was stored.")
class InvalidWorkflow:
    problems: list[Problem]

    @classmethod
    def from_record(cls, record: records.InvalidWorkflow) -> InvalidWorkflow:
        """Build from the service's rejection."""
        return cls(problems=[Problem.from_record(problem) for problem in record.problems])


@strawberry.type(description="The workflow changed since the version you edited; reload and retry.")
class VersionConflict:
    expected_version: int
    current_version: int


@strawberry.type(description="A workflow was deleted.")
class DeletedWorkflow:
    id: strawberry.ID


@strawberry.type(description="Whether a definition is valid, with every problem found.")
class ValidationResult:
    valid: bool
    problems: list[Problem]


@strawberry.type(description="A node kind the engine can run, with the JSON Schema of its params.")
class NodeKind:
    kind: str
    title: str
    description: str
    params_schema: JSON
    settings_schema: JSON = strawberry.field(
        description="JSON Schema of what every node of the kind has besides its params: label, retry, "
        "time limit and failure handling."
    )

    @classmethod
    def from_info(cls, info: NodeKindInfo) -> NodeKind:
        """Build from the engine's description of a kind."""
        return cls(
            kind=info.kind,
            title=info.title,
            description=info.description,
            params_schema=JSON(info.params_schema),
            settings_schema=JSON(info.settings_schema),
        )


@strawberry.input
class CreateWorkflowInput:
    name: str
    definition: JSON


@strawberry.input
class UpdateWorkflowInput:
    name: str | None = None
    definition: JSON | None = strawberry.field(default=None, description="Saves a new version when given.")
    expected_version: int | None = strawberry.field(
        default=None,
        description="Refuse the update (VersionConflict) unless this is still the current version.",
    )


CreateWorkflowResult = Annotated[Workflow | InvalidWorkflow, strawberry.union("CreateWorkflowResult")]
UpdateWorkflowResult = Annotated[
    Workflow | InvalidWorkflow | NotFound | VersionConflict, strawberry.union("UpdateWorkflowResult")
]
DeleteWorkflowResult = Annotated[DeletedWorkflow | NotFound, strawberry.union("DeleteWorkflowResult")]
