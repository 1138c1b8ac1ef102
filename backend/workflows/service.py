"""Workflows: create, version, list and validate definitions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import anyio

from backend.accounts.records import Principal
from backend.pagination import Page, PageRequest
from backend.workflows.records import (
    DeletedWorkflow,
    InvalidWorkflow,
    NotFound,
    VersionConflict,
    WorkflowRecord,
    WorkflowVersionRecord,
)
from backend.workflows.repository import WorkflowRepository
from engine.dsl.limits import MAX_NAME_LENGTH
from engine.graph import Problem, Validation, validate_definition
from engine.value_policy import text_problem

VALIDATION_THREADS = 2
"""Definitions validated at once; more wait (without blocking the event loop) for a thread."""


def parse_id(value: str) -> UUID | None:
    """A UUID from an API id, or None when it is not one (treated as not found)."""
    try:
        return UUID(value)
    except (ValueError, AttributeError):
        return None


def check_definition(definition: object) -> Validation | InvalidWorkflow:
    """Validate a definition (the value policy, size limit included, first), returning every problem."""
    validation = validate_definition(definition)
    return validation if validation.valid else InvalidWorkflow(problems=validation.problems)


def _name_problems(name: str) -> tuple[Problem, ...]:
    unstorable = text_problem(name)
    if unstorable is not None:
        return (Problem(code="UNSTORABLE_TEXT", message=f"the name {unstorable}", path="name", node_id=None),)
    stripped = name.strip()
    if not stripped:
        return (
            Problem(code="NAME_REQUIRED", message="the name must not be blank", path="name", node_id=None),
        )
    if len(name) > MAX_NAME_LENGTH:
        message = f"the name has {len(name)} characters; the limit is {MAX_NAME_LENGTH}"
        return (Problem(code="NAME_TOO_LONG", message=message, path="name", node_id=None),)
    return ()


class WorkflowService:
    """Workflow use cases; every call is scoped to the caller's workspace."""

    def __init__(self, repository: WorkflowRepository) -> None:
        self._repository = repository
        self._validations = anyio.CapacityLimiter(VALIDATION_THREADS)

    async def _check(self, definition: object) -> Validation | InvalidWorkflow:
        # Parsing and compiling every template of a definition under MAX_DEFINITION_BYTES takes up to
        # seconds of CPU (measured: 6 s for one 900 kB template, 4 s for 500 nodes of nested loops),
        # so it never runs on the event loop.
        return await anyio.to_thread.run_sync(check_definition, definition, limiter=self._validations)

    async def page(self, principal: Principal, page: PageRequest) -> Page[WorkflowRecord]:
        """A page of the workspace's workflows, newest first."""
        return await self._repository.page(principal.workspace_id, page)

    async def get(self, principal: Principal, workflow_id: str) -> WorkflowRecord | None:
        """A workflow by id, or None when it is unknown, foreign or deleted."""
        uuid = parse_id(workflow_id)
        return None if uuid is None else await self._repository.get(principal.workspace_id, uuid)

    async def many(self, principal: Principal, workflow_ids: Sequence[UUID]) -> list[WorkflowRecord | None]:
        """Workflows by id in the order asked, deleted ones included (a DataLoader batch)."""
        found = await self._repository.many(principal.workspace_id, workflow_ids)
        return [found.get(workflow_id) for workflow_id in workflow_ids]

    async def versions(
        self, principal: Principal, workflow_ids: Sequence[UUID]
    ) -> list[list[WorkflowVersionRecord]]:
        """The versions of each workflow, in the order asked (a DataLoader batch)."""
        found = await self._repository.versions(principal.workspace_id, workflow_ids)
        return [found.get(workflow_id, []) for workflow_id in workflow_ids]

    async def definitions(
        self, principal: Principal, keys: Sequence[tuple[UUID, int]]
    ) -> list[dict[str, Any] | None]:
        """The definitions of (workflow, version) pairs in the order asked (a DataLoader batch)."""
        found = await self._repository.definitions(principal.workspace_id, keys)
        return [found.get(key) for key in keys]

    async def create(
        self, principal: Principal, name: str, definition: Any
    ) -> WorkflowRecord | InvalidWorkflow:
        """Store a new workflow at version 1, or report every problem and store nothing."""
        checked = await self._check(definition)
        problems = _name_problems(name) + (checked.problems if isinstance(checked, InvalidWorkflow) else ())
        if problems:
            return InvalidWorkflow(problems=problems)
        return await self._repository.create(principal.workspace_id, name.strip(), definition)

    async def update(
        self,
        principal: Principal,
        workflow_id: str,
        *,
        name: str | None = None,
        definition: Any = None,
        expected_version: int | None = None,
    ) -> WorkflowRecord | InvalidWorkflow | NotFound | VersionConflict:
        """Rename and/or save a new immutable version of a workflow."""
        problems: tuple[Problem, ...] = () if name is None else _name_problems(name)
        if definition is not None:
            checked = await self._check(definition)
            problems += checked.problems if isinstance(checked, InvalidWorkflow) else ()
        if problems:
            return InvalidWorkflow(problems=problems)
        uuid = parse_id(workflow_id)
        result = None
        if uuid is not None:
            result = await self._repository.update(
                principal.workspace_id,
                uuid,
                name=None if name is None else name.strip(),
                definition=definition,
                expected_version=expected_version,
            )
        if result is None:
            return NotFound(id=workflow_id, message=f"no workflow {workflow_id}")
        if isinstance(result, int):  # the repository reports a conflict only when a version was expected
            return VersionConflict(expected_version=expected_version or 0, current_version=result)
        return result

    async def delete(self, principal: Principal, workflow_id: str) -> DeletedWorkflow | NotFound:
        """Delete a workflow (its runs stay readable)."""
        uuid = parse_id(workflow_id)
        if uuid is not None and await self._repository.soft_delete(principal.workspace_id, uuid):
            return DeletedWorkflow(id=uuid)
        return NotFound(id=workflow_id, message=f"no workflow {workflow_id}")

    async def compile(self, definition: Any) -> Validation | InvalidWorkflow:
        """A valid definition parsed and compiled, or every problem with it. Stores nothing."""
        return await self._check(definition)

    async def validate(self, definition: Any) -> tuple[Problem, ...]:
        """Every problem of a definition; empty when it is valid. Stores nothing."""
        checked = await self._check(definition)
        return checked.problems if isinstance(checked, InvalidWorkflow) else ()
