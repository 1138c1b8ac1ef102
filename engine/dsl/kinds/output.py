"""The `output` node: shapes the run's final output."""

from typing import Annotated, ClassVar, Literal

from pydantic import JsonValue

from engine.dsl.base import DslModel
from engine.dsl.node_base import NodeBase
from engine.dsl.slots import JSON_TEMPLATE


class OutputParams(DslModel):
    """Parameters of an `output` node."""

    value: Annotated[str | dict[str, JsonValue], JSON_TEMPLATE]
    """A template, or a mapping whose strings are templates; its rendering is the run's output."""


class OutputNode(NodeBase):
    """Shapes the run's output; without one, the output maps each leaf node id to its output."""

    title: ClassVar[str] = "Output"

    type: Literal["output"]
    """The node kind."""
    params: OutputParams
    """The value of the run's output."""
