"""Typed views of JSON values for assertions: each narrows a value to the shape a test expects.

Node outputs, run inputs and JSON Schemas are `JsonValue`s; a test that reads into one states the shape
it expects through these, and fails with the value in the message when the shape is not there.
"""

from __future__ import annotations

from pydantic import JsonValue


def obj(value: JsonValue) -> dict[str, JsonValue]:
    """`value` as a JSON object."""
    assert isinstance(value, dict), f"expected a JSON object, got {value!r}"
    return value


def array(value: JsonValue) -> list[JsonValue]:
    """`value` as a JSON array."""
    assert isinstance(value, list), f"expected a JSON array, got {value!r}"
    return value


def text(value: JsonValue) -> str:
    """`value` as a JSON string."""
    assert isinstance(value, str), f"expected a JSON string, got {value!r}"
    return value


def number(value: JsonValue) -> float:
    """`value` as a JSON number (booleans are not numbers here, though Python counts them as ints)."""
    assert not isinstance(value, bool), f"expected a number, got {value!r}"
    assert isinstance(value, int | float), f"expected a number, got {value!r}"
    return value


def at(value: JsonValue, *path: str | int) -> JsonValue:
    """The value at `path` inside `value`: a key of an object or an index of an array at each step."""
    for step in path:
        value = obj(value)[step] if isinstance(step, str) else array(value)[step]
    return value
