"""The access matrix's operations, built from schema.graphql: one document per root field.

Each document passes the arguments the hint tables of tests/backend/access_fixtures.py can fill
(every required one, and optional ones that have a hint) and selects a little of everything below
the field, so that what a response shows of another workspace can be seen. Argument values are
templates: JSON whose leaves may be `Ref`s, replaced by real objects' ids case by case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
    get_named_type,
)

from tests.backend.access_fixtures import ARGUMENTS, FIELD_ARGUMENTS, Const, Ref

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schema.graphql"
SELECTION_DEPTH = 4
"""How deep selections go below a root field (deep enough to reach a run's workflow's name)."""
ROOT_TYPES = (("query", "Query"), ("mutation", "Mutation"), ("subscription", "Subscription"))
HINTS = "tests/backend/access_fixtures.py"

Template = Any
"""JSON whose leaves may be `Ref`s."""


def schema() -> GraphQLSchema:
    """The exported schema, as clients see it."""
    return build_schema(SCHEMA_PATH.read_text())


@dataclass(frozen=True)
class RootField:
    """One root field of the exported schema."""

    operation: str
    """`query`, `mutation` or `subscription`."""
    type_name: str
    name: str
    definition: GraphQLField = field(compare=False, repr=False)

    @property
    def key(self) -> str:
        """`Type.field`, as `check_declarations` names it."""
        return f"{self.type_name}.{self.name}"

    def __str__(self) -> str:
        return self.key


def root_fields(graphql_schema: GraphQLSchema) -> list[RootField]:
    """Every root field of every operation type."""
    found = []
    for operation, type_name in ROOT_TYPES:
        root = graphql_schema.get_type(type_name)
        if isinstance(root, GraphQLObjectType):
            found += [RootField(operation, type_name, name, item) for name, item in root.fields.items()]
    return found


_OMIT = object()
"""An optional argument or input field without a hint: left out."""


@dataclass
class Arguments:
    """The arguments a root field gets: templates by name, and what could not be filled."""

    values: dict[str, tuple[GraphQLInputType, Template]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


def _hint(owner: str, name: str, kind: GraphQLInputType) -> Ref | Const | None:
    named = get_named_type(kind)
    return FIELD_ARGUMENTS.get((owner, name)) or ARGUMENTS.get((name, named.name))


def _value(owner: str, name: str, kind: GraphQLInputType, missing: list[str]) -> Template:
    """A valid-looking value of `kind` for argument (or input field) `name` of `owner`."""
    hint = _hint(owner, name, kind)
    if isinstance(hint, Ref):
        return hint
    if isinstance(hint, Const):
        return hint.value
    if not isinstance(kind, GraphQLNonNull):
        return _OMIT
    value = _required(kind.of_type, missing)
    if value is _OMIT:
        named = get_named_type(kind).name
        missing.append(
            f"{owner}: no value for `{name}: {kind}`; add ({name!r}, {named!r}) to ARGUMENTS or "
            f"({owner!r}, {name!r}) to FIELD_ARGUMENTS in {HINTS}"
        )
    return value


def _required(kind: GraphQLInputType, missing: list[str]) -> Template:
    """A value of a required argument without a hint: what its type alone allows, else _OMIT."""
    if isinstance(kind, GraphQLEnumType):
        return next(iter(kind.values))
    if isinstance(kind, GraphQLInputObjectType):
        filled = {key: _value(kind.name, key, item.type, missing) for key, item in kind.fields.items()}
        return {key: value for key, value in filled.items() if value is not _OMIT}
    if isinstance(kind, GraphQLList):
        item_kind = kind.of_type
        item = _required(item_kind.of_type if isinstance(item_kind, GraphQLNonNull) else item_kind, missing)
        return _OMIT if item is _OMIT else [item]
    if isinstance(kind, GraphQLScalarType) and kind.name == "Boolean":
        return False
    return _OMIT


def arguments(root: RootField) -> Arguments:
    """The arguments of `root`, from the hint tables (required ones always, optional ones when hinted)."""
    found = Arguments()
    for name, argument in root.definition.args.items():
        value = _value(root.key, name, argument.type, found.missing)
        if value is not _OMIT:
            found.values[name] = (argument.type, value)
    return found


def _selection(kind: GraphQLOutputType, depth: int) -> str:
    named = get_named_type(kind)
    if isinstance(named, GraphQLScalarType | GraphQLEnumType):
        return ""
    if depth >= SELECTION_DEPTH:
        return " { __typename }"
    if isinstance(named, GraphQLUnionType):
        members = " ".join(f"... on {member.name}{_selection(member, depth)}" for member in named.types)
        return " { __typename " + members + " }"
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        fields = [
            f"{name}{_selection(item.type, depth + 1)}"
            for name, item in named.fields.items()
            if not any(isinstance(arg.type, GraphQLNonNull) for arg in item.args.values())
        ]
        return " { __typename " + " ".join(fields) + " }"
    return ""


def document(root: RootField, passed: Arguments) -> str:
    """An operation calling `root` with `passed` as variables of the same names."""
    declared = ", ".join(f"${name}: {kind}" for name, (kind, _value) in passed.values.items())
    header = f"{root.operation} Matrix" + (f"({declared})" if declared else "")
    call = ", ".join(f"{name}: ${name}" for name in passed.values)
    return f"{header} {{ {root.name}{f'({call})' if call else ''}{_selection(root.definition.type, 1)} }}"


def refs(template: Template) -> list[Ref]:
    """The `Ref`s in a template, in order."""
    if isinstance(template, Ref):
        return [template]
    if isinstance(template, dict):
        return [ref for value in template.values() for ref in refs(value)]
    if isinstance(template, list):
        return [ref for value in template for ref in refs(value)]
    return []


def resolve(template: Template, value_of: Callable[[Ref], Any]) -> Any:
    """The template with each `Ref` replaced by `value_of(ref)`."""
    if isinstance(template, Ref):
        return value_of(template)
    if isinstance(template, dict):
        return {key: resolve(value, value_of) for key, value in template.items()}
    if isinstance(template, list):
        return [resolve(value, value_of) for value in template]
    return template


def normalised(value: Any, replacements: dict[str, str]) -> Any:
    """`value` with each occurrence of a key of `replacements` (in strings, keys too) replaced."""
    if isinstance(value, str):
        for actual, placeholder in replacements.items():
            value = value.replace(actual, placeholder)
        return value
    if isinstance(value, dict):
        return {normalised(key, replacements): normalised(item, replacements) for key, item in value.items()}
    if isinstance(value, list):
        return [normalised(item, replacements) for item in value]
    return value
