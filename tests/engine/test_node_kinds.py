"""The node kind registry: one union, from which the API's `nodeKinds` and the editor's forms come."""

import typing
from collections.abc import Iterator
from typing import Any

import pytest

from engine.dsl import (
    NODE_SPECS,
    Node,
    NodeBase,
    NodeKindInfo,
    node_kind_names,
    node_kinds,
    node_spec_class,
)
from tests.json_values import at, obj

KINDS = ["llm", "embedding", "retrieve", "tool", "condition", "human", "template", "output"]


def _properties(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    yield from schema.get("properties", {}).items()
    for definition in schema.get("$defs", {}).values():
        yield from _properties(definition)


def test_every_kind_of_the_design_is_registered_in_palette_order() -> None:
    assert [info.kind for info in node_kinds()] == KINDS


def test_the_registry_is_exactly_the_members_of_the_node_union() -> None:
    (union, *_) = typing.get_args(Node)

    assert set(NODE_SPECS) == set(typing.get_args(union))
    assert [node_spec_class(kind) for kind in node_kind_names()] == list(NODE_SPECS)


def test_each_kind_class_validates_its_own_type_only() -> None:
    for kind in KINDS:
        spec = node_spec_class(kind)
        assert issubclass(spec, NodeBase)
        assert typing.get_args(spec.model_fields["type"].annotation) == (kind,)


def test_an_unknown_kind_has_no_class() -> None:
    with pytest.raises(KeyError):
        node_spec_class("javascript")


@pytest.mark.parametrize("info", node_kinds(), ids=lambda info: info.kind)
def test_every_kind_has_a_title_and_a_description(info: NodeKindInfo) -> None:
    assert info.title
    assert info.description.endswith(".")


@pytest.mark.parametrize("info", node_kinds(), ids=lambda info: info.kind)
def test_every_param_of_every_kind_has_a_description_from_its_docstring(info: NodeKindInfo) -> None:
    undocumented = [name for name, prop in _properties(info.params_schema) if not prop.get("description")]

    assert info.params_schema["type"] == "object"
    assert undocumented == []


def test_params_schemas_use_the_json_names() -> None:
    schemas = {info.kind: info.params_schema for info in node_kinds()}

    assert "maxTokens" in obj(schemas["llm"]["properties"])
    assert "topK" in obj(schemas["retrieve"]["properties"])
    assert "schema" in obj(schemas["human"]["properties"])
    assert "maxIterations" in obj(schemas["condition"]["properties"])


def test_params_schemas_mark_the_templated_fields_for_the_editor() -> None:
    llm = next(info for info in node_kinds() if info.kind == "llm").params_schema

    assert at(llm, "properties", "prompt", "x-template") == "text"
    assert at(llm, "properties", "system", "x-template") == "text"
    assert "x-template" not in obj(at(llm, "properties", "model"))


def test_params_schemas_forbid_unknown_fields() -> None:
    assert all(info.params_schema["additionalProperties"] is False for info in node_kinds())


@pytest.mark.parametrize("info", node_kinds(), ids=lambda info: info.kind)
def test_settings_schemas_hold_the_common_fields_the_node_accepts(info: NodeKindInfo) -> None:
    settings = obj(info.settings_schema["properties"])
    aliases = {field.alias or name for name, field in node_spec_class(info.kind).model_fields.items()}

    assert set(settings) == {"label", "retry", "timeoutSeconds", "onError", "defaultOutput"}
    assert set(settings) <= aliases
    assert info.settings_schema["additionalProperties"] is False
    assert all(obj(prop).get("description") for prop in settings.values())
