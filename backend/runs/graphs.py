"""Compiled graphs of pinned workflow versions, cached: a version never changes once saved."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from uuid import UUID

import anyio

from backend.workflows.repository import WorkflowRepository
from engine.dsl import WorkflowDefinition
from engine.graph import CompiledGraph, validate_definition

MAX_CACHED = 512


class UnrunnableVersionError(Exception):
    """A stored version no longer validates (e.g. the DSL tightened); its runs cannot continue."""


@dataclass(frozen=True)
class PinnedWorkflow:
    """A workflow version ready to run: its definition and compiled graph."""

    definition: WorkflowDefinition
    graph: CompiledGraph


class GraphCache:
    """Loads and compiles `(workflow, version)` once per process."""

    def __init__(self, workflows: WorkflowRepository) -> None:
        self._workflows = workflows
        self._graphs: OrderedDict[tuple[UUID, int], PinnedWorkflow] = OrderedDict()

    async def get(self, workflow_id: UUID, version: int) -> PinnedWorkflow:
        """A workflow version's definition and compiled graph.

        Raises:
            UnrunnableVersionError: the version does not exist or no longer validates.
        """
        key = (workflow_id, version)
        pinned = self._graphs.get(key)
        if pinned is not None:
            self._graphs.move_to_end(key)
            return pinned
        definition = await self._workflows.definition_at(workflow_id, version)
        if definition is None:
            raise UnrunnableVersionError(f"workflow {workflow_id} has no version {version}")
        # Off the event loop: compiling a large definition's templates takes seconds (see WorkflowService).
        validation = await anyio.to_thread.run_sync(validate_definition, definition)
        if validation.graph is None or validation.definition is None:
            codes = ", ".join(problem.code for problem in validation.problems)
            raise UnrunnableVersionError(f"workflow {workflow_id} version {version} is invalid: {codes}")
        pinned = PinnedWorkflow(definition=validation.definition, graph=validation.graph)
        self._graphs[key] = pinned
        if len(self._graphs) > MAX_CACHED:
            self._graphs.popitem(last=False)
        return pinned
