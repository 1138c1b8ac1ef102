"""Tools an `llm` node offers its model: searching a collection, or calling an HTTP endpoint."""

from typing import Annotated, Literal

from pydantic import Field, JsonValue

from engine.dsl.base import CollectionName, DslModel
from engine.dsl.http import HttpMethod, UrlTemplate
from engine.dsl.slots import JSON_TEMPLATE, TEXT_TEMPLATE

ToolName = Annotated[str, Field(pattern=r"^[a-zA-Z_][a-zA-Z0-9_]{0,63}$")]
"""A tool name as model providers accept it: a letter or `_`, then up to 63 letters, digits or `_`."""


class RetrieveTool(DslModel):
    """Lets the model search a knowledge collection with a query it writes itself."""

    type: Literal["retrieve"]
    """The tool kind."""
    name: ToolName
    """The name the model calls the tool by; unique within the node."""
    description: Annotated[str, Field(min_length=1)]
    """Tells the model what the tool finds and when to use it."""
    collection: CollectionName
    """The collection searched."""
    top_k: Annotated[int, Field(ge=1, le=100)] = 5
    """How many chunks one search returns."""
    mode: Literal["semantic", "keyword", "hybrid"] = "semantic"
    """How the search ranks: by meaning, by keyword, or both fused (as the retrieve node's `mode`)."""


class HttpTool(DslModel):
    """Lets the model call an HTTP endpoint; the model supplies the arguments."""

    type: Literal["http"]
    """The tool kind."""
    name: ToolName
    """The name the model calls the tool by; unique within the node."""
    description: Annotated[str, Field(min_length=1)]
    """Tells the model what the endpoint does and when to call it."""
    url: Annotated[UrlTemplate, TEXT_TEMPLATE]
    """The endpoint (a template)."""
    method: HttpMethod = "GET"
    """The HTTP method."""
    headers: Annotated[dict[str, str], JSON_TEMPLATE] = Field(default_factory=dict)
    """Request headers; values are templates (e.g. a token from the run inputs)."""
    body: Annotated[JsonValue, JSON_TEMPLATE] = None
    """A fixed request body, or none; its strings are templates."""


LlmTool = Annotated[RetrieveTool | HttpTool, Field(discriminator="type")]
"""A tool of an `llm` node, told apart by `type`."""
