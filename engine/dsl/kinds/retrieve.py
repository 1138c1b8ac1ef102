"""The `retrieve` node: searches a knowledge collection."""

from typing import Annotated, ClassVar, Literal

from pydantic import Field, JsonValue

from engine.dsl.base import CollectionName, DslModel
from engine.dsl.node_base import NodeBase
from engine.dsl.slots import JSON_TEMPLATE, TEXT_TEMPLATE


class RetrieveParams(DslModel):
    """Parameters of a `retrieve` node."""

    collection: CollectionName
    """The collection searched."""
    query: Annotated[str, TEXT_TEMPLATE] = "{{input}}"
    """The search text (a template); by default the upstream node's output."""
    top_k: Annotated[int, Field(ge=1, le=100)] = 5
    """How many chunks to return, best first."""
    filter: Annotated[dict[str, JsonValue] | None, JSON_TEMPLATE] = None
    """Only chunks whose metadata matches: `{"lang": "en"}` (equality), `{"year": {"$gte": 2020}}`,
    `{"tag": {"$in": ["a", "b"]}}`, with `$eq $ne $gt $gte $lt $lte $in $nin $exists $and $or $not`;
    its strings are templates."""
    mode: Literal["semantic", "keyword", "hybrid"] = "semantic"
    """`semantic`: vector similarity (meaning); `keyword`: full-text match in the collection's
    language; `hybrid`: both, fused by reciprocal rank."""


class RetrieveNode(NodeBase):
    """Searches a knowledge collection; its output is the top-k chunks with their scores."""

    title: ClassVar[str] = "Retrieve"

    type: Literal["retrieve"]
    """The node kind."""
    params: RetrieveParams
    """What to search for, and where."""
