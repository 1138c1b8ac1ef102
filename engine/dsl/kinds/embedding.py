"""The `embedding` node: embeds a text and stores it in a knowledge collection."""

from typing import Annotated, ClassVar, Literal

from pydantic import Field, JsonValue

from engine.dsl.base import CollectionName, DslModel
from engine.dsl.node_base import NodeBase
from engine.dsl.slots import JSON_TEMPLATE, TEXT_TEMPLATE


class EmbeddingParams(DslModel):
    """Parameters of an `embedding` node."""

    store: Literal["pgvector"] = "pgvector"
    """The vector store; PostgreSQL with pgvector is the only one."""
    collection: CollectionName
    """The collection the text is added to."""
    text: Annotated[str, TEXT_TEMPLATE] = "{{input}}"
    """The text to embed (a template); by default the upstream node's output."""
    metadata: Annotated[dict[str, JsonValue], JSON_TEMPLATE] = Field(default_factory=dict)
    """Metadata stored with the text, for filtering searches; its strings are templates."""
    model: Annotated[str | None, Field(min_length=1)] = None
    """The embedding model; the workspace default when unset."""


class EmbeddingNode(NodeBase):
    """Embeds its input text and upserts it into a knowledge collection."""

    title: ClassVar[str] = "Embedding"

    type: Literal["embedding"]
    """The node kind."""
    params: EmbeddingParams
    """What to embed, and where to store it."""
