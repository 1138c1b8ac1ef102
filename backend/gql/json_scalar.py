"""The `JSON` scalar with its nesting bounded, so nothing recursive downstream sees an unbounded value.

Strawberry's JSON scalar passes any value through. graphql-core bounds the nesting of documents and of
variables of input types at `MAX_NESTING_DEPTH` (200) but not inside a custom scalar, and a value
nested 5,000 levels made the request fail with HTTP 500 while being encoded. The same bound applies
here, to variables and literals alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from graphql import GraphQLError
from graphql.language.parser import MAX_NESTING_DEPTH
from strawberry.scalars import JSON
from strawberry.schema.types.scalar import DEFAULT_SCALAR_REGISTRY
from strawberry.types.scalar import ScalarDefinition

MAX_JSON_DEPTH = MAX_NESTING_DEPTH


def nests_deeper_than(value: object, limit: int) -> bool:
    """Whether `value` has more than `limit` levels of arrays and objects (checked without recursion)."""
    pending: list[tuple[object, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, Mapping):
            children: list[object] = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth + 1 > limit:
            return True
        pending.extend((child, depth + 1) for child in children if isinstance(child, Mapping | list))
    return False


def parse_json_value(value: object) -> object:
    """A JSON input value, refused when nested deeper than `MAX_JSON_DEPTH`."""
    if nests_deeper_than(value, MAX_JSON_DEPTH):
        raise GraphQLError(f"JSON values may nest at most {MAX_JSON_DEPTH} levels of arrays and objects.")
    return value


# literals go through graphql-core's default parse_literal: the literal as a plain value, then parse_value
BOUNDED_JSON: ScalarDefinition = replace(DEFAULT_SCALAR_REGISTRY[JSON], parse_value=parse_json_value)
"""Strawberry's JSON scalar, same name and description (the SDL does not change), bounded on input."""
