"""Secret inputs: marked once in the schema, their values kept out of every log line.

Mark an input field or an argument with `metadata=SECRET` (`strawberry.field(..., metadata=SECRET)`,
`strawberry.argument(..., metadata=SECRET)`). `secret_values` then finds, in any operation, the
values given at those positions, literally in the document or through variables, so that log lines
can be redacted by field rather than by pattern.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    GraphQLArgument,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    ListValueNode,
    ObjectFieldNode,
    ObjectValueNode,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    ValueNode,
    VariableNode,
    Visitor,
    get_named_type,
    is_input_type,
    type_from_ast,
    visit,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter

_MARK = "flowloom.secret"
SECRET: Mapping[str, bool] = MappingProxyType({_MARK: True})
"""Field or argument metadata that marks its value as secret."""

REDACTED = "[secret]"


def is_secret(position: GraphQLArgument | GraphQLInputField) -> bool:
    """Whether the Strawberry definition behind an argument or input field carries the mark."""
    definition = (position.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    metadata = getattr(definition, "metadata", None) or {}
    return bool(metadata.get(_MARK))


def _leaves(value: object) -> Iterator[str]:
    """Every string and number inside a JSON-like value, as text (iteratively: values may be deep)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, Mapping):
            pending.extend(item.values())
        elif isinstance(item, (list, tuple)):
            pending.extend(item)
        elif isinstance(item, str | int | float) and not isinstance(item, bool):
            yield str(item)


def _literal_leaves(node: ValueNode) -> tuple[list[str], list[str]]:
    """The literal strings and numbers inside a value node, and the variables it refers to."""
    texts: list[str] = []
    variables: list[str] = []
    pending = [node]
    while pending:
        item = pending.pop()
        if isinstance(item, VariableNode):
            variables.append(item.name.value)
        elif isinstance(item, ListValueNode):
            pending.extend(item.values)
        elif isinstance(item, ObjectValueNode):
            pending.extend(field.value for field in item.fields)
        elif isinstance(value := getattr(item, "value", None), str):
            texts.append(value)
    return texts, variables


class _SecretPositions(Visitor):
    """Collects what a document puts at secret positions: literals, and the variables used there."""

    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.texts: list[str] = []
        self.variables: set[str] = set()

    def _take(self, node: ValueNode) -> None:
        texts, variables = _literal_leaves(node)
        self.texts.extend(texts)
        self.variables.update(variables)

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
        argument = self.type_info.get_argument()
        if argument is not None and is_secret(argument):
            self._take(node.value)

    def enter_object_field(self, node: ObjectFieldNode, *_args: Any) -> None:
        parent = get_named_type(self.type_info.get_parent_input_type())
        if isinstance(parent, GraphQLInputObjectType):
            field = parent.fields.get(node.name.value)
            if field is not None and is_secret(field):
                self._take(node.value)


def _typed_leaves(value: object, type_: GraphQLInputType) -> Iterator[str]:
    """The texts inside a variable value that sit in secret input fields of its type."""
    pending: list[tuple[object, GraphQLInputType]] = [(value, type_)]
    while pending:
        item, item_type = pending.pop()
        if isinstance(item_type, GraphQLNonNull):
            pending.append((item, item_type.of_type))
        elif isinstance(item_type, GraphQLList) and isinstance(item, list):
            pending.extend((element, item_type.of_type) for element in item)
        elif isinstance(item_type, GraphQLInputObjectType) and isinstance(item, Mapping):
            for name, field in item_type.fields.items():
                if name not in item:
                    continue
                if is_secret(field):
                    yield from _leaves(item[name])
                else:
                    pending.append((item[name], field.type))


def _spellings(texts: Iterator[str] | list[str]) -> frozenset[str]:
    """Each secret text as it may appear in a log line: as is, JSON-escaped and repr-escaped."""
    return frozenset(
        spelling
        for text in texts
        if text
        for spelling in (text, json.dumps(text)[1:-1], repr(text)[1:-1])
        if spelling
    )


def secret_values(
    schema: GraphQLSchema, document: DocumentNode | None, variables: Mapping[str, object] | None
) -> frozenset[str]:
    """Every value an operation gives at a secret position.

    Without a parsed document the positions are unknown, so every value of every variable counts.
    """
    variables = variables or {}
    if document is None:
        return _spellings(_leaves(variables))
    type_info = TypeInfo(schema)
    positions = _SecretPositions(type_info)
    visit(document, TypeInfoVisitor(type_info, positions))
    texts = list(positions.texts)
    for name in positions.variables:
        texts.extend(_leaves(variables.get(name)))
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        for declared in definition.variable_definitions or ():
            declared_type = type_from_ast(schema, declared.type)
            name = declared.variable.name.value
            if is_input_type(declared_type) and name in variables:
                texts.extend(_typed_leaves(variables[name], declared_type))
    return _spellings(texts)


def redact(text: str, secrets: frozenset[str]) -> str:
    """`text` with every secret value replaced (longest first, so no part of one survives)."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text
