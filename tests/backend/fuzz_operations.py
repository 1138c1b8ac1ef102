"""Operations generated from schema.graphql, with arguments drawn by hypothesis from their types.

Every root field of Query, Mutation and Subscription gets an operation that selects everything
below it (to a depth) and passes every argument, its own and its subfields', as a variable or as
an inline literal. Values lean on the edges: NUL and lone surrogates, huge and deeply nested
JSON, numbers past every range, unknown enum values and input fields, ids of real objects and of
nothing. A field added to the schema is fuzzed without anyone listing it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import uuid4

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    ast_from_value,
    build_schema,
    print_ast,
)
from hypothesis import strategies as st

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schema.graphql"
SELECTION_DEPTH = 4
"""How deep selections go below a root field (the server allows 12)."""

JsonValue = Any


def schema() -> GraphQLSchema:
    """The exported schema, as clients see it."""
    return build_schema(SCHEMA_PATH.read_text())


@dataclass(frozen=True)
class RootField:
    """One root field to fuzz."""

    operation: str
    """`query`, `mutation` or `subscription`."""
    name: str
    definition: GraphQLField

    def __str__(self) -> str:
        return f"{self.operation}.{self.name}"


def root_fields(graphql_schema: GraphQLSchema) -> list[RootField]:
    """Every root field of every operation type."""
    roots = [
        ("query", graphql_schema.query_type),
        ("mutation", graphql_schema.mutation_type),
        ("subscription", graphql_schema.subscription_type),
    ]
    return [
        RootField(operation, name, definition)
        for operation, root in roots
        if root is not None
        for name, definition in root.fields.items()
    ]


@dataclass
class Variable:
    """An argument somewhere in the operation, passed as `$name`."""

    name: str
    type: GraphQLInputType


@dataclass
class Operation:
    """An operation's text with `$v…` placeholders, and the variables it takes."""

    root: RootField
    text: str
    variables: list[Variable] = field(default_factory=list)


def _named(kind: GraphQLOutputType) -> GraphQLOutputType:
    while isinstance(kind, GraphQLNonNull | GraphQLList):
        kind = kind.of_type
    return kind


class _Builder:
    def __init__(self) -> None:
        self.variables: list[Variable] = []

    def arguments(self, arguments: dict[str, GraphQLArgument]) -> str:
        if not arguments:
            return ""
        passed = []
        for name, argument in arguments.items():
            variable = Variable(f"v{len(self.variables)}", argument.type)
            self.variables.append(variable)
            passed.append(f"{name}: ${variable.name}")
        return "(" + ", ".join(passed) + ")"

    def selection(self, kind: GraphQLOutputType, depth: int) -> str:
        named = _named(kind)
        if isinstance(named, GraphQLScalarType | GraphQLEnumType):
            return ""
        if depth >= SELECTION_DEPTH:
            return " { __typename }"
        if isinstance(named, GraphQLUnionType):
            members = " ".join(
                f"... on {member.name}{self.selection(member, depth)}" for member in named.types
            )
            return " { __typename " + members + " }"
        if isinstance(named, GraphQLObjectType):
            fields = [
                f"{name}{self.arguments(definition.args)}{self.selection(definition.type, depth + 1)}"
                for name, definition in named.fields.items()
            ]
            return " { __typename " + " ".join(fields) + " }"
        return ""


def operation_for(root: RootField) -> Operation:
    """An operation selecting everything below `root` (to SELECTION_DEPTH), every argument a variable."""
    builder = _Builder()
    body = f"{root.name}{builder.arguments(root.definition.args)}{builder.selection(root.definition.type, 1)}"
    return Operation(root, body, builder.variables)


@dataclass(frozen=True)
class Pools:
    """Ids of real objects on the server under test, so that arguments reach past lookups."""

    ids: Sequence[str]
    node_ids: Sequence[str] = ("a", "b", "ask", "n1", "t0")


EDGE_STRINGS = [
    "",
    " ",
    "\x00",
    "x\x00y",
    "\ud800",
    "a\udfffb",
    "\ufeff",
    "😀" * 3,
    "x" * 100_000,
    "{{ 9 ** 16000000 }}",
    "{{ 'a' * 100000000 }}",
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "openai",
    "ollama",
    "anthropic",
    "test",
    "http://169.254.169.254/",
    "Y3Vyc29y",  # base64 of "cursor"
    "null",
    "-1",
    str(uuid4()),
]


class Deep(dict[str, Any]):
    """A deeply nested JSON object that shows itself briefly (hypothesis prints what it drew)."""

    def __repr__(self) -> str:
        return "<deeply nested JSON>"


def _deep(levels: int, leaf: JsonValue) -> JsonValue:
    value = leaf
    for _ in range(levels):
        value = {"a": [value]}
    return Deep(a=[value])


def _json_values(pools: Pools) -> st.SearchStrategy[JsonValue]:
    scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    plain = st.recursive(
        scalars | st.text(max_size=20) | st.sampled_from(EDGE_STRINGS),
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
        ),
        max_leaves=20,
    )
    seed = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "seed_workflow.json").read_text())
    definitions = st.sampled_from(
        [
            seed,
            {"nodes": [{"id": "t", "type": "template", "params": {"template": "{{ 9 ** 16000000 }}"}}]},
            {"nodes": [{"id": "t", "type": "template", "params": {"template": "x{{ '\\x00' }}y"}}]},
            {"nodes": [{"id": "t\x00", "type": "template", "label": "\ud800", "params": {"template": "x"}}]},
            {
                "nodes": [
                    {"id": "h", "type": "human", "params": {"prompt": "?", "schema": {"type": "string"}}}
                ]
            },
        ]
    )
    edges = st.sampled_from(
        [
            _deep(2500, "leaf"),  # 5,000 levels
            _deep(40, "leaf"),
            {"x" * 1000: "y" * 2_000_000},
            10**1000,
            -(2**64),
            {"\x00": "\ud800"},
            [None] * 10_000,
        ]
    )
    return plain | definitions | edges | st.sampled_from(list(pools.ids))


def values(kind: GraphQLInputType, pools: Pools, depth: int = 0) -> st.SearchStrategy[JsonValue]:
    """Values for an argument of type `kind`, valid or not (null, wrong types and unknown fields too)."""
    nullable = not isinstance(kind, GraphQLNonNull)
    inner = kind.of_type if isinstance(kind, GraphQLNonNull) else kind
    strategy = _values_of(inner, pools, depth)
    # wrong on purpose, now and then: null where it is not allowed, a string where a number is due
    oddities = st.none() | st.sampled_from(["\x00", 2**53 + 1, [], {}])
    return st.one_of(strategy, st.none()) if nullable else st.one_of(strategy, strategy, strategy, oddities)


def _values_of(  # noqa: PLR0911 - one strategy per kind of input type
    kind: GraphQLInputType, pools: Pools, depth: int
) -> st.SearchStrategy[JsonValue]:
    if isinstance(kind, GraphQLList):
        return st.lists(values(kind.of_type, pools, depth + 1), max_size=3)
    if isinstance(kind, GraphQLEnumType):
        return st.sampled_from(list(kind.values)) | st.sampled_from(["NOPE", "\x00", ""])
    if isinstance(kind, GraphQLInputObjectType):
        fields = {name: values(item.type, pools, depth + 1) for name, item in kind.fields.items()}
        required = {
            name: fields[name] for name, item in kind.fields.items() if isinstance(item.type, GraphQLNonNull)
        }
        optional = {name: fields[name] for name in fields if name not in required}
        extra = st.dictionaries(
            st.sampled_from(["nope", "apiKey2", "__typename"]), st.text(max_size=5), max_size=1
        )
        return st.builds(
            lambda a, b, c: {**a, **b, **c},
            st.fixed_dictionaries(required, optional=optional),
            extra,
            st.just({}),
        )
    name = kind.name if isinstance(kind, GraphQLScalarType) else ""
    if name == "String":
        return st.text(max_size=30) | st.sampled_from(EDGE_STRINGS) | st.sampled_from(list(pools.node_ids))
    if name == "ID":
        return st.sampled_from(list(pools.ids)) | st.uuids().map(str) | st.sampled_from(EDGE_STRINGS)
    if name == "Int":
        return st.integers(-100, 100) | st.sampled_from([0, -1, 2**31, -(2**31) - 1, 2**53 + 1, 10**30])
    if name == "Float":
        return st.floats(allow_nan=False, allow_infinity=False)
    if name == "Boolean":
        return st.booleans()
    if name == "JSON":
        return _json_values(pools)
    return st.text(max_size=10)


def literal(value: JsonValue, kind: GraphQLInputType) -> str | None:
    """`value` as an inline GraphQL literal of `kind`, or None when it has no literal form."""
    try:
        node = ast_from_value(value, kind)
    except (GraphQLError, TypeError, ValueError, RecursionError):
        return None  # not a value of the type: it goes as a variable, for the server to refuse
    if node is None:
        return None
    try:
        return print_ast(node)
    except RecursionError:
        return None
