"""The metadata filter language of knowledge search: parsed once, then matched in memory or compiled to SQL.

A filter is a JSON object in the style of MongoDB and Chroma, over the top-level keys of a chunk's
metadata (itself a JSON object). The retrieve node, the llm node's search tool and GraphQL `search`
all take it; `parse_filter` turns it into a `Filter`, `matches` is its meaning, and the PostgreSQL
store compiles the same `Filter` to SQL (`backend.knowledge.filter_sql`) with the same answers.

| filter | matches metadata where |
|---|---|
| `{"lang": "en", "year": 2024}` | every key equals its value |
| `{"year": {"$eq": v}}`, `{"year": {"$ne": v}}` | the value equals / does not equal `v` |
| `{"year": {"$gt": n}}` (also `$gte`, `$lt`, `$lte`) | the value is in range of a number or string bound |
| `{"tag": {"$in": [a, b]}}`, `{"tag": {"$nin": [a, b]}}` | the value equals one / none of the list |
| `{"year": {"$exists": true}}` | the key is present (`false`: absent) |
| `{"$and": [f, ...]}`, `{"$or": [f, ...]}`, `{"$not": f}` | all / any of the filters match; `f` does not |

- Equality is JSON equality, type-strict: `true` never equals `1`, `1` equals `1.0`, arrays and objects
  compare structurally (an array does not "contain" a scalar: `{"tags": "a"}` is not `"a" in tags`).
- A missing key equals nothing, not even `null`, and is in no range; so `$ne`, `$nin` and `$not` match
  it, as in MongoDB. `{"key": {"$exists": false}}` asks for a missing key.
- A number bound matches only numbers, compared by value; a string bound only strings, compared by
  Unicode code point (no locale). Booleans, null, arrays and objects are in no range.
- Numbers are the decimals their JSON text says, as PostgreSQL's `jsonb` holds them: a float is the
  shortest decimal that reads back as it (`repr`), so `float(2**60)` is 1152921504606847000, not 2**60.
- Several operators on one key, and several keys in one object, must all match. An object value
  without `$`-keys is equality with that object; to compare with an object that has `$`-keys, use `$eq`.
- An empty filter (`{}`) matches everything: at the top level, `parse_filter` returns None.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Final, TypeAlias

from pydantic import JsonValue

from engine.value_policy import printable, text_problem, value_problem

MAX_DEPTH: Final = 5
"""Deepest nesting of filters inside `$and`, `$or` and `$not` (the top-level filter is at depth 0)."""
MAX_CONDITIONS: Final = 64
"""Most conditions in one filter: each equality, each operator on a key, and each empty `{}`."""
MAX_LIST_VALUES: Final = 256
"""Most values in one `$in` or `$nin` list."""
MAX_KEY_LENGTH: Final = 128
"""Longest metadata key a filter may name, in characters (keys have at least one)."""
MAX_VALUE_DEPTH: Final = 16
"""Deepest nesting of arrays and objects in a value a filter compares with."""
_VALUE_BYTES: Final = 1 << 62
"""No size limit of our own on values: the caller bounds the filter's JSON size already."""

_PLAIN_PATH_KEY = re.compile(r"^\$?[A-Za-z_][A-Za-z0-9_]*$")
_LOGIC = ("$and", "$or", "$not")

Path: TypeAlias = tuple[str | int, ...]


class RangeOp(StrEnum):
    """The range operators, by their names in a filter."""

    GT = "$gt"
    GTE = "$gte"
    LT = "$lt"
    LTE = "$lte"


_RANGE_NAMES = frozenset(op.value for op in RangeOp)
_FIELD_OPERATORS = ("$eq", "$ne", *(op.value for op in RangeOp), "$in", "$nin", "$exists")
_ACCEPTED_SIGNS: Final[Mapping[RangeOp, frozenset[int]]] = {
    RangeOp.GT: frozenset({1}),
    RangeOp.GTE: frozenset({0, 1}),
    RangeOp.LT: frozenset({-1}),
    RangeOp.LTE: frozenset({-1, 0}),
}
"""The signs of (value - bound) each range operator accepts."""


@dataclass(frozen=True, slots=True)
class Equals:
    """`{key: value}` or `{key: {"$eq": value}}`; negated, `{key: {"$ne": value}}`."""

    key: str
    """The metadata key."""
    value: JsonValue
    """The value the key's value must equal (JSON equality)."""
    negated: bool = False
    """`$ne`: match when the key's value differs or the key is missing."""


@dataclass(frozen=True, slots=True)
class Range:
    """`{key: {"$gt": bound}}` and its siblings `$gte`, `$lt`, `$lte`."""

    key: str
    """The metadata key."""
    op: RangeOp
    """How the key's value must compare with the bound."""
    bound: int | float | str
    """A number (matches number values only) or a string (string values only, by code point)."""


@dataclass(frozen=True, slots=True)
class OneOf:
    """`{key: {"$in": values}}`; negated, `{key: {"$nin": values}}`."""

    key: str
    """The metadata key."""
    values: tuple[JsonValue, ...]
    """The values the key's value is compared with (JSON equality); empty matches nothing."""
    negated: bool = False
    """`$nin`: match when the key's value equals none of them or the key is missing."""


@dataclass(frozen=True, slots=True)
class Exists:
    """`{key: {"$exists": present}}`."""

    key: str
    """The metadata key."""
    present: bool
    """True: the key must be present (with any value, null included); False: it must be missing."""


@dataclass(frozen=True, slots=True)
class And:
    """`{"$and": parts}`, or an object of several conditions; no parts (`{}`) matches everything."""

    parts: tuple[Filter, ...]
    """The filters that must all match."""


@dataclass(frozen=True, slots=True)
class Or:
    """`{"$or": parts}`."""

    parts: tuple[Filter, ...]
    """The filters of which at least one must match (never empty)."""


@dataclass(frozen=True, slots=True)
class Not:
    """`{"$not": part}`."""

    part: Filter
    """The filter that must not match."""


Filter: TypeAlias = Equals | Range | OneOf | Exists | And | Or | Not
"""A parsed metadata filter."""


class FilterSyntaxError(ValueError):
    """A filter that cannot be parsed: where, and what to change."""

    def __init__(self, path: Path, message: str) -> None:
        """Describe the problem.

        Args:
            path: Keys and list indexes from the filter's root to the offending part.
            message: What is wrong there, written for the person who wrote the filter.
        """
        self.path = _json_path(path)
        """Where, as a JSON path from the filter's root: `$`, `$.year.$gte`, `$.$or[1].lang`."""
        self.message = message
        """What is wrong, and how to fix it."""
        super().__init__(f"{self.path}: {message}")


def _json_path(parts: Path) -> str:
    text = "$"
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _PLAIN_PATH_KEY.match(part):
            text += f".{part}"
        else:
            text += f"[{json.dumps(printable(part), ensure_ascii=False)}]"
    return text


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list | tuple) else "an object"


class _Parser:
    """One parse: counts conditions across the whole filter."""

    def __init__(self) -> None:
        self._conditions = 0

    def filter(self, raw: object, at: Path, depth: int) -> Filter:
        if not isinstance(raw, Mapping):
            raise FilterSyntaxError(
                at, f'a filter is a JSON object such as {{"lang": "en"}}, not {_kind(raw)}'
            )
        if depth > MAX_DEPTH:
            raise FilterSyntaxError(
                at,
                f"filters nest more than {MAX_DEPTH} levels deep in $and, $or and $not; flatten the filter",
            )
        if not raw:
            return self._condition(And(()), at)
        parts = [self._entry(key, value, (*at, key), depth) for key, value in raw.items()]
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def _entry(self, key: object, value: object, at: Path, depth: int) -> Filter:
        if not isinstance(key, str):
            raise FilterSyntaxError(at[:-1], f"a filter's keys are strings, not {_kind(key)}")
        if key in ("$and", "$or"):
            if not isinstance(value, list | tuple):
                raise FilterSyntaxError(at, f"{key} takes a list of filters, not {_kind(value)}")
            if not value:
                raise FilterSyntaxError(at, f"{key} needs at least one filter in its list")
            parts = tuple(self.filter(part, (*at, index), depth + 1) for index, part in enumerate(value))
            return And(parts) if key == "$and" else Or(parts)
        if key == "$not":
            return Not(self.filter(value, at, depth + 1))
        if key in _FIELD_OPERATORS:
            raise FilterSyntaxError(
                at, f'{key} compares the value of a key: write {{"year": {{"{key}": ...}}}} to use it'
            )
        if key.startswith("$"):
            raise FilterSyntaxError(
                at,
                f"unknown operator {key}; here a filter takes $and, $or, $not and metadata keys"
                " (which may not start with $)",
            )
        _check_key(key, at)
        if isinstance(value, Mapping) and any(_is_operator(name) for name in value):
            return self._operators(key, value, at)
        return self._condition(Equals(key, _json_value(value, at)), at)

    def _operators(self, key: str, operators: Mapping[object, object], at: Path) -> Filter:
        plain = [name for name in operators if not _is_operator(name)]
        if plain:
            raise FilterSyntaxError(
                at,
                f"mixes operators with plain keys ({', '.join(map(str, plain))}); to compare with an object"
                ' that has $-keys, write {"$eq": {...}}',
            )
        parts = [
            self._operator(key, str(name), operand, (*at, str(name))) for name, operand in operators.items()
        ]
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def _operator(self, key: str, name: str, operand: object, at: Path) -> Filter:
        if name in ("$eq", "$ne"):
            return self._condition(Equals(key, _json_value(operand, at), negated=name == "$ne"), at)
        if name in ("$in", "$nin"):
            return self._condition(OneOf(key, _json_list(operand, name, at), negated=name == "$nin"), at)
        if name == "$exists":
            if not isinstance(operand, bool):
                raise FilterSyntaxError(at, f"$exists takes true or false, not {_kind(operand)}")
            return self._condition(Exists(key, operand), at)
        if name in _RANGE_NAMES:
            return self._condition(Range(key, RangeOp(name), _bound(operand, name, at)), at)
        if name in _LOGIC:
            raise FilterSyntaxError(
                at,
                f'{name} goes around filters, not inside a key: write {{"{name}": ...}} at the filter level',
            )
        known = ", ".join(_FIELD_OPERATORS)
        raise FilterSyntaxError(at, f"unknown operator {name}; the operators on a key are {known}")

    def _condition(self, condition: Filter, at: Path) -> Filter:
        self._conditions += 1
        if self._conditions > MAX_CONDITIONS:
            raise FilterSyntaxError(
                at, f"a filter may have at most {MAX_CONDITIONS} conditions; use $in for lists of values"
            )
        return condition


def _is_operator(name: object) -> bool:
    return isinstance(name, str) and name.startswith("$")


def _check_key(key: str, at: Path) -> None:
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise FilterSyntaxError(at, f"a metadata key has 1 to {MAX_KEY_LENGTH} characters, not {len(key)}")
    problem = text_problem(key)
    if problem is not None:
        raise FilterSyntaxError(at, f"the key {problem}")


def _json_value(value: object, at: Path) -> JsonValue:
    problem = value_problem(value, max_bytes=_VALUE_BYTES, max_depth=MAX_VALUE_DEPTH)
    if problem is not None:
        raise FilterSyntaxError((*at, *problem.location), problem.message)
    # a copy in plain JSON types: tuples become lists, and the caller's later changes do not reach it
    copied: JsonValue = json.loads(json.dumps(value))
    return copied


def _json_list(operand: object, name: str, at: Path) -> tuple[JsonValue, ...]:
    if not isinstance(operand, list | tuple):
        raise FilterSyntaxError(at, f"{name} takes a list of values, not {_kind(operand)}")
    if len(operand) > MAX_LIST_VALUES:
        raise FilterSyntaxError(
            at, f"{name} takes at most {MAX_LIST_VALUES} values, not {len(operand)}; split the filter"
        )
    return tuple(_json_value(item, (*at, index)) for index, item in enumerate(operand))


def _bound(operand: object, name: str, at: Path) -> int | float | str:
    if isinstance(operand, bool) or not isinstance(operand, int | float | str):
        raise FilterSyntaxError(at, f"{name} takes a number or a string, not {_kind(operand)}")
    _json_value(operand, at)
    return operand


def parse_filter(raw: Mapping[str, JsonValue] | None) -> Filter | None:
    """Parse a metadata filter (the syntax is in this module's docstring).

    Args:
        raw: The filter as JSON: an object, or None for none.

    Returns:
        The filter, or None when there is none (None or `{}`): then everything matches.

    Raises:
        FilterSyntaxError: The filter is not valid or exceeds a bound (`MAX_DEPTH`, `MAX_CONDITIONS`,
            `MAX_LIST_VALUES`, `MAX_KEY_LENGTH`, `MAX_VALUE_DEPTH`); its `path` says where.
    """
    if raw is None or (isinstance(raw, Mapping) and not raw):
        return None
    return _Parser().filter(raw, (), 0)


def _number(value: object) -> Decimal | None:
    """The decimal a JSON number stands for, or None when `value` is no (finite) number.

    A float stands for its JSON text, its shortest repr, because that is what jsonb parses and keeps:
    comparing exact binary values would make memory and SQL disagree on numbers past 2**53.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(repr(value)) if math.isfinite(value) else None


def json_equal(left: JsonValue, right: JsonValue) -> bool:
    """Whether two JSON values are equal as JSON: type-strict, numbers by value, structurally.

    Args:
        left: A JSON value.
        right: Another.

    Returns:
        True when they are equal: `true` is not `1`, `1` is `1.0`, objects ignore key order.
    """
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    left_number, right_number = _number(left), _number(right)
    if left_number is not None or right_number is not None:
        return left_number == right_number
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(json_equal, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(
            json_equal(value, right[key]) for key, value in left.items()
        )
    if isinstance(left, str | None) and isinstance(right, str | None):
        return left == right
    return False


def _in_range(condition: Range, value: JsonValue) -> bool:
    bound = condition.bound
    if isinstance(bound, str):
        if not isinstance(value, str):
            return False
        sign = (value > bound) - (value < bound)  # str order is code point order
    else:
        number, limit = _number(value), _number(bound)
        if number is None or limit is None:
            return False
        sign = (number > limit) - (number < limit)
    return sign in _ACCEPTED_SIGNS[condition.op]


def _any_equal(value: JsonValue, values: Sequence[JsonValue]) -> bool:
    return any(json_equal(value, candidate) for candidate in values)


def matches(filter: Filter, metadata: Mapping[str, JsonValue]) -> bool:  # noqa: PLR0911 - a verdict per kind
    """Whether a chunk's metadata matches a filter: the meaning of the filter language.

    Args:
        filter: A parsed filter.
        metadata: The chunk's metadata (a JSON object).

    Returns:
        True when it matches.
    """
    match filter:
        case Equals(key, value, negated):
            return (key in metadata and json_equal(metadata[key], value)) != negated
        case Range(key):
            return key in metadata and _in_range(filter, metadata[key])
        case OneOf(key, values, negated):
            return (key in metadata and _any_equal(metadata[key], values)) != negated
        case Exists(key, present):
            return (key in metadata) == present
        case And(parts):
            return all(matches(part, metadata) for part in parts)
        case Or(parts):
            return any(matches(part, metadata) for part in parts)
        case Not(part):
            return not matches(part, metadata)
