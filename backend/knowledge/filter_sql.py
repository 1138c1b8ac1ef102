"""Metadata filters as SQL: a parsed `engine.filters.Filter` compiled to a boolean over a jsonb column.

The compiled expression selects exactly the rows `engine.filters.matches` accepts (tests/backend/
test_filter_sql.py checks this against PostgreSQL on generated metadata and filters). Keys and values
travel only as bind parameters: keys as `text`, JSON as text cast to `jsonb` (the pool has no JSON
codec), so nothing a user writes becomes SQL text.

How the meaning is kept:

- Equality with a scalar is containment, `col @> {"key": value}`, which the GIN index on
  `chunks.metadata` serves. For a scalar under a key it is exactly JSON equality: jsonb compares
  numbers by value, and an array under a key does not "contain" a scalar (that exception of `@>`
  holds at the top level only). Arrays and objects compare with `col -> key = value`, since
  containment would accept a subset.
- Ranges check `jsonb_typeof` and compare jsonb with jsonb for numbers (numerically, by jsonb's
  ordering) and `->>` text under `COLLATE "C"` for strings (code point order in UTF-8): no cast is
  ever evaluated, so a value of another type cannot raise an error whatever order PostgreSQL picks.
- A missing key makes `col -> key` NULL. Negations are pushed down to the conditions (De Morgan), and
  a negated condition is written `(...) IS NOT TRUE`, which is true for NULL: so `$ne`, `$nin` and
  `$not` match a missing key as `matches` does. Conditions that are not negated stay bare (NULL there
  acts as false in AND and OR), which keeps them usable by the index.
"""

from __future__ import annotations

import json
from typing import Final

from pydantic import JsonValue

from engine.filters import And, Equals, Exists, Filter, Not, OneOf, Or, Range, RangeOp

_SQL_OPERATORS: Final = {RangeOp.GT: ">", RangeOp.GTE: ">=", RangeOp.LT: "<", RangeOp.LTE: "<="}


def _json(value: JsonValue) -> str:
    return json.dumps(value, allow_nan=False)


def _is_scalar(value: JsonValue) -> bool:
    return not isinstance(value, list | dict)


class _Compiler:
    """One compilation: the parameters gathered so far, and the placeholder of each key."""

    def __init__(self, column: str, first_param: int) -> None:
        self._column = column
        self._first_param = first_param
        self.params: list[object] = []
        self._keys: dict[str, str] = {}

    def _param(self, value: object, sql_type: str) -> str:
        self.params.append(value)
        return f"${self._first_param + len(self.params) - 1}::{sql_type}"

    def _key(self, key: str) -> str:
        if key not in self._keys:
            self._keys[key] = self._param(key, "text")
        return self._keys[key]

    def _value_of(self, key: str) -> str:
        return f"({self._column} -> {self._key(key)})"

    def compile(self, node: Filter, negated: bool) -> str:  # noqa: PLR0911 - one form per kind of node
        """SQL true exactly where `node` matches (`negated`: where it does not)."""
        match node:
            case And(parts) | Or(parts):
                conjunction = isinstance(node, And) != negated
                if not parts:
                    return "TRUE" if conjunction else "FALSE"
                joined = (" AND " if conjunction else " OR ").join(self.compile(p, negated) for p in parts)
                return f"({joined})"
            case Not(part):
                return self.compile(part, not negated)
            case Equals(key, value, is_ne):
                return _condition(self._equals(key, value), negated != is_ne)
            case Range():
                return _condition(self._range(node), negated)
            case OneOf(key, values, is_nin):
                return _condition(self._one_of(key, values), negated != is_nin)
            case Exists(key, present):
                return _condition(f"({self._column} ? {self._key(key)})", negated == present)

    def _equals(self, key: str, value: JsonValue) -> str:
        if _is_scalar(value):
            return f"({self._column} @> {self._param(_json({key: value}), 'jsonb')})"
        return f"({self._value_of(key)} = {self._param(_json(value), 'jsonb')})"

    def _range(self, node: Range) -> str:
        value = self._value_of(node.key)
        operator = _SQL_OPERATORS[node.op]
        if isinstance(node.bound, str):
            text = f"({self._column} ->> {self._key(node.key)})"
            bound = self._param(node.bound, "text")
            return f"(jsonb_typeof({value}) = 'string' AND {text} COLLATE \"C\" {operator} {bound})"
        bound = self._param(_json(node.bound), "jsonb")
        return f"(jsonb_typeof({value}) = 'number' AND {value} {operator} {bound})"

    def _one_of(self, key: str, values: tuple[JsonValue, ...]) -> str:
        scalars = [_json({key: value}) for value in values if _is_scalar(value)]
        containers = [_json(value) for value in values if not _is_scalar(value)]
        tests = []
        if scalars:
            tests.append(f"{self._column} @> ANY({self._param(scalars, 'jsonb[]')})")
        if containers:
            tests.append(f"{self._value_of(key)} = ANY({self._param(containers, 'jsonb[]')})")
        return f"({' OR '.join(tests)})" if tests else "FALSE"


def _condition(sql: str, negated: bool) -> str:
    # IS NOT TRUE, not NOT: a missing key gives NULL, and its negation must match (as in `matches`)
    return f"({sql} IS NOT TRUE)" if negated else sql


def compile_filter(filter: Filter, column: str, first_param: int) -> tuple[str, list[object]]:
    """Compile a parsed filter to a SQL boolean expression for asyncpg.

    Args:
        filter: A filter from `engine.filters.parse_filter`.
        column: A trusted SQL expression of type jsonb holding an object, such as `c.metadata`: a
            column reference or a parenthesized expression. It is the only text spliced in.
        first_param: The number of the first placeholder to use (`$first_param`, then one up each).

    Returns:
        The expression, and the values of its placeholders in order. The expression is TRUE exactly
        for the rows `engine.filters.matches` accepts; for the others it is FALSE or NULL, so use it
        in a WHERE clause (or write `(expression) IS TRUE`), never under a NOT of your own.
    """
    compiler = _Compiler(column, first_param)
    return compiler.compile(filter, negated=False), compiler.params
