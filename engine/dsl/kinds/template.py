"""The `template` node: renders a template."""

from typing import Annotated, ClassVar, Literal

from engine.dsl.base import DslModel
from engine.dsl.node_base import NodeBase
from engine.dsl.slots import TEXT_TEMPLATE


class TemplateParams(DslModel):
    """Parameters of a `template` node."""

    template: Annotated[str, TEXT_TEMPLATE]
    """The template rendered; the output is the text, or the JSON value when the text parses as JSON."""


class TemplateNode(NodeBase):
    """Renders a template into text, or into JSON when the text parses as JSON."""

    title: ClassVar[str] = "Template"

    type: Literal["template"]
    """The node kind."""
    params: TemplateParams
    """The template."""
