"""A workflow definition: nodes, and the edges between them."""

from typing import Annotated

from pydantic import Field

from engine.dsl.base import DslModel
from engine.dsl.json_schema import JsonSchema
from engine.dsl.registry import Node


class Edge(DslModel):
    """A dependency: `to` runs after `from`, and its `input` is `from`'s output."""

    source: Annotated[str, Field(alias="from", min_length=1)]
    """The id of the node the edge leaves."""
    target: Annotated[str, Field(alias="to", min_length=1)]
    """The id of the node the edge enters."""
    branch: Annotated[str | None, Field(min_length=1)] = None
    """The output of the source the edge leaves from: a branch of a `condition`, `submitted` or
    `timeout` of a `human`, or `error` (taken when the source fails and has `onError: errorEdge`)."""


class WorkflowDefinition(DslModel):
    """A workflow as it is saved and versioned.

    A model instance is structurally valid; the graph rules (unique ids, known edge ends, no
    unbounded cycle, templates naming upstream nodes) are checked by
    `engine.graph.validate_definition`, which is how definitions should be read.
    """

    version: int | None = None
    """The version this definition was saved as, when known."""
    inputs: JsonSchema | None = None
    """JSON Schema of the run inputs; runs are started only with inputs valid against it."""
    nodes: list[Node]
    """The nodes, in the order the editor lists them."""
    edges: list[Edge] = Field(default_factory=list)
    """The edges between the nodes."""
