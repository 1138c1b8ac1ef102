"""The `tool` node: one HTTP request."""

from typing import Annotated, ClassVar, Literal

from pydantic import Field, JsonValue

from engine.dsl.base import DslModel
from engine.dsl.http import HttpMethod, UrlTemplate
from engine.dsl.node_base import NodeBase
from engine.dsl.slots import JSON_TEMPLATE, TEXT_TEMPLATE


class ToolParams(DslModel):
    """Parameters of a `tool` node."""

    url: Annotated[UrlTemplate, TEXT_TEMPLATE]
    """The URL (a template); a literal one must be an absolute http(s) URL."""
    method: HttpMethod = "GET"
    """The HTTP method."""
    headers: Annotated[dict[str, str], JSON_TEMPLATE] = Field(default_factory=dict)
    """Request headers; values are templates."""
    body: Annotated[JsonValue, JSON_TEMPLATE] = None
    """The request body: a template string, or JSON whose strings are templates; none by default."""
    timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 30.0
    """Time limit of the request."""


class ToolNode(NodeBase):
    """Makes an HTTP request; private and metadata addresses are refused unless allowlisted."""

    title: ClassVar[str] = "HTTP request"

    type: Literal["tool"]
    """The node kind."""
    params: ToolParams
    """The request to make."""
