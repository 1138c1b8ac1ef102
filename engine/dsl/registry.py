"""The node kinds: the `Node` union is the one registry, everything else is derived from it."""

import inspect
import typing
from dataclasses import dataclass
from types import MappingProxyType
from typing import Annotated

from pydantic import BaseModel, Field, JsonValue

from engine.dsl.kinds.condition import ConditionNode
from engine.dsl.kinds.embedding import EmbeddingNode
from engine.dsl.kinds.human import HumanNode
from engine.dsl.kinds.llm import LlmNode
from engine.dsl.kinds.output import OutputNode
from engine.dsl.kinds.retrieve import RetrieveNode
from engine.dsl.kinds.template import TemplateNode
from engine.dsl.kinds.tool import ToolNode
from engine.dsl.node_base import NodeBase

Node = Annotated[
    LlmNode | EmbeddingNode | RetrieveNode | ToolNode | ConditionNode | HumanNode | TemplateNode | OutputNode,
    Field(discriminator="type"),
]
"""A node of a workflow, told apart by `type`. Adding a kind means adding its class here."""

NODE_SPECS: tuple[type[NodeBase], ...] = typing.get_args(typing.get_args(Node)[0])
"""The node classes, in the order of the union (the palette's order)."""


def _kind_of(spec: type[NodeBase]) -> str:
    (kind,) = typing.get_args(spec.model_fields["type"].annotation)
    return str(kind)


_SPECS_BY_KIND: typing.Mapping[str, type[NodeBase]] = MappingProxyType(
    {_kind_of(spec): spec for spec in NODE_SPECS}
)


@dataclass(frozen=True)
class NodeKindInfo:
    """What the editor and API clients need to know about a node kind."""

    kind: str
    """The `type` of nodes of this kind."""
    title: str
    """Human name of the kind."""
    description: str
    """What a node of this kind does."""
    params_schema: dict[str, JsonValue]
    """JSON Schema of the kind's `params` (camelCase), with a description under every field."""
    settings_schema: dict[str, JsonValue]
    """JSON Schema of what a node of the kind has besides its id, place, type and params: label,
    retry, time limit and failure handling (camelCase)."""


def node_spec_class(kind: str) -> type[NodeBase]:
    """The model class of a node kind.

    Args:
        kind: A node `type`, e.g. `llm`.

    Returns:
        The class validating nodes of that kind.

    Raises:
        KeyError: No such kind.
    """
    return _SPECS_BY_KIND[kind]


def node_kind_names() -> tuple[str, ...]:
    """The `type` of every node kind, in the registry's order.

    Returns:
        The kind names.
    """
    return tuple(_SPECS_BY_KIND)


def params_model(spec: type[NodeBase]) -> type[BaseModel]:
    """The model of a node kind's `params`.

    Args:
        spec: A node class from the registry.

    Returns:
        The class of its `params` field.
    """
    annotation = spec.model_fields["params"].annotation
    if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
        raise TypeError(f"{spec.__name__}.params must be a model, not {annotation!r}")
    return annotation


def node_kinds() -> list[NodeKindInfo]:
    """Describe every node kind, for the `nodeKinds` query and the editor's forms.

    Returns:
        One entry per kind, in the registry's order.
    """
    return [
        NodeKindInfo(
            kind=kind,
            title=spec.title,
            description=inspect.cleandoc(spec.__doc__ or "").split("\n\n")[0],
            params_schema=params_model(spec).model_json_schema(by_alias=True),
            settings_schema=_settings_schema(spec),
        )
        for kind, spec in _SPECS_BY_KIND.items()
    ]


_NOT_SETTINGS = ("id", "position", "type", "params")
"""Fields the editor sets itself (identity, canvas place, kind) or shows in the params form."""


def _settings_schema(spec: type[NodeBase]) -> dict[str, JsonValue]:
    """The schema of a kind's common settings, derived from its model so the two cannot drift."""
    schema = spec.model_json_schema(by_alias=True, mode="validation")
    properties = schema["properties"]
    for name in _NOT_SETTINGS:
        properties.pop(name, None)
    schema.pop("required", None)
    schema["$defs"].pop("Position")  # only `position` referred to it
    schema["title"] = f"{spec.title} settings"
    schema.pop("description", None)
    return schema
