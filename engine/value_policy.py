"""The one policy on values a run stores: node outputs, run inputs, human input, workflow definitions.

A value is storable when PostgreSQL's `text` and `jsonb` can hold it exactly and it is bounded:

- text holds no NUL (U+0000: neither `text` nor `jsonb` can store it) and no lone surrogate
  (U+D800-U+DFFF: not encodable as UTF-8);
- numbers are finite (JSON has no NaN or Infinity) and integers at most `MAX_INT_BITS` bits;
- nesting (arrays and objects) is at most `max_depth` deep, and the UTF-8 JSON text at most
  `max_bytes` long.

The API refuses such values with a typed problem and changes nothing; a node that produces one fails
with the problem as its error. Refusing, rather than silently rewriting, keeps what a run recorded
equal to what its nodes saw. Messages about values (errors, prompts) are text the engine writes
itself: `printable` replaces what cannot be stored instead.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import NamedTuple

import anyio
import pydantic_core

from engine.json_paths import json_path

OFF_LOOP_BYTES = 65_536
"""Values whose JSON is larger than this are checked in a worker thread by `check_value`."""

MAX_INT_BITS = 4096
"""Largest integer magnitude stored, in bits (about 1,233 decimal digits)."""

_UNSTORABLE_TEXT = re.compile("[\x00\ud800-\udfff]")
_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
"""`\\u0000` as an escape in JSON text (preceded by an even number of backslashes, i.e. escaped ones)."""
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_NON_FINITE = re.compile(rb"NaN|Infinity")
_LONG_DIGITS = MAX_INT_BITS * 3 // 10 + 2
"""Fewer decimal digits than any integer beyond MAX_INT_BITS has (log10(2) > 0.3)."""
_LONG_INTEGER = re.compile(rb"\d{%d}" % _LONG_DIGITS)
_OPENERS = frozenset(b"[{")
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")
_REPLACEMENT = "\ufffd"


class ValueProblem(NamedTuple):
    """Why a value cannot be stored, and where in it."""

    code: str
    """`VALUE_TOO_LARGE`, `VALUE_TOO_DEEP`, `UNSTORABLE_TEXT`, `UNSTORABLE_NUMBER` or `NOT_JSON`."""
    message: str
    """A sentence for the user, naming the place in the value."""
    location: tuple[str | int, ...]
    """Where in the value: the keys and indexes leading there (empty for the value itself)."""


def text_problem(text: str) -> str | None:
    """Why a text cannot be stored (NUL or a lone surrogate), or None.

    Args:
        text: Any string.

    Returns:
        A phrase such as "contains a NUL character (U+0000)", or None when it can be stored.
    """
    found = _UNSTORABLE_TEXT.search(text)
    if found is None:
        return None
    character = found.group()
    if character == "\x00":
        return "contains a NUL character (U+0000), which cannot be stored"
    return f"contains a lone surrogate (U+{ord(character):04X}), which is not valid Unicode text"


def printable(text: str) -> str:
    """`text` with every character that cannot be stored replaced by U+FFFD (for messages)."""
    return _UNSTORABLE_TEXT.sub(_REPLACEMENT, text)


def _walk(value: object) -> Iterator[tuple[tuple[str | int, ...], int, object, bool]]:
    """(location, depth, item, is_key) for the value and everything inside it, iteratively, parents
    first; a key is reported at the location of its object."""
    pending: list[tuple[tuple[str | int, ...], int, object]] = [((), 0, value)]
    while pending:
        location, depth, item = pending.pop()
        yield location, depth, item, False
        if isinstance(item, dict):
            for key, child in item.items():
                yield location, depth, key, True
                pending.append(((*location, printable(str(key))), depth + 1, child))
        elif isinstance(item, list):
            pending.extend(((*location, index), depth + 1, child) for index, child in enumerate(item))


def _item_problem(  # noqa: PLR0911 - one verdict per kind of JSON item
    item: object, depth: int, max_depth: int, is_key: bool
) -> tuple[str, str] | None:
    # (code, phrase) for one item; containers are judged by their depth only.
    if isinstance(item, str):
        phrase = text_problem(item)
        if phrase is not None:
            return "UNSTORABLE_TEXT", f"has a key that {phrase}" if is_key else phrase
        return None
    if is_key:
        return "NOT_JSON", f"has a key of type {type(item).__name__}; object keys must be strings"
    if isinstance(item, dict | list):
        if depth >= max_depth:
            return "VALUE_TOO_DEEP", f"is nested more than {max_depth} levels deep"
        return None
    if item is None or isinstance(item, bool):
        return None
    if isinstance(item, int):
        if item.bit_length() > MAX_INT_BITS:
            return "UNSTORABLE_NUMBER", f"is an integer of more than {MAX_INT_BITS} bits"
        return None
    if isinstance(item, float):
        if not math.isfinite(item):
            return "UNSTORABLE_NUMBER", f"is {item}, which JSON cannot represent"
        return None
    return "NOT_JSON", f"is a {type(item).__name__}, which is not a JSON value"


def _shown(location: tuple[str | int, ...]) -> str:
    shown = json_path(location)
    return shown if len(shown) <= 60 else shown[:60] + "…"


def _located(value: object, max_depth: int, what: str) -> ValueProblem | None:
    # The slow, exact search: only once the fast checks have found something (or could not run).
    for location, depth, item, is_key in _walk(value):
        found = _item_problem(item, depth, max_depth, is_key)
        if found is not None:
            code, phrase = found
            where = f"{what} at {_shown(location)}" if location else what
            return ValueProblem(code, f"{where} {phrase}", location)
    return None


def _nesting(encoded: bytes, limit: int) -> int:
    """How deep arrays and objects nest in JSON text (0 when it cannot be more than `limit`)."""
    if encoded.count(b"[") + encoded.count(b"{") <= limit:
        return 0  # too few brackets to nest deeper than the limit, in strings or not
    brackets = _JSON_STRING.sub(b"", encoded).translate(None, _NOT_BRACKETS)
    depth = deepest = 0
    for byte in brackets:
        if byte in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _plain(encoded: bytes, max_depth: int) -> bool:
    """Whether JSON text is storable at a glance: no backslash (so no escaped NUL), no `NaN` or
    `Infinity`, no digits enough for a huge integer, fewer brackets than the depth limit."""
    return (
        len(encoded) < _LONG_DIGITS
        and b"\\" not in encoded
        and b"NaN" not in encoded
        and b"Infinity" not in encoded
        and encoded.count(b"[") + encoded.count(b"{") <= max_depth
    )


def _judged(value: object, encoded: bytes, max_bytes: int, max_depth: int, what: str) -> ValueProblem | None:
    if len(encoded) > max_bytes:
        message = f"{what} is {len(encoded):,} bytes as JSON; the limit is {max_bytes:,}"
        return ValueProblem("VALUE_TOO_LARGE", message, ())
    if _plain(encoded, max_depth):
        return None
    suspect = (
        (b"\\u0000" in encoded and _NUL_ESCAPE.search(encoded) is not None)
        or (
            (b"NaN" in encoded or b"Infinity" in encoded)
            and _NON_FINITE.search(_JSON_STRING.sub(b"", encoded))
        )
        or (len(encoded) >= _LONG_DIGITS and _LONG_INTEGER.search(encoded) is not None)
        or _nesting(encoded, max_depth) > max_depth
    )
    return _located(value, max_depth, what) if suspect else None


def _encoded(value: object) -> bytes | None:
    try:
        return pydantic_core.to_json(value)
    except (pydantic_core.PydanticSerializationError, ValueError, RecursionError):
        return None  # a lone surrogate, a value that is not JSON, or nesting beyond the encoder's limit


def value_problem(
    value: object, *, max_bytes: int, max_depth: int, what: str = "the value"
) -> ValueProblem | None:
    """Check a JSON value against the policy (see the module docstring).

    The checks run on the value's JSON encoding, mostly in C; the value is walked in Python only to
    say where a problem is. A large value still costs tens of milliseconds: from async code, use
    `check_value`, which takes that work off the event loop.

    Args:
        value: A value built from dict, list, str, int, float, bool and None.
        max_bytes: Largest UTF-8 JSON encoding accepted.
        max_depth: Deepest nesting of arrays and objects accepted.
        what: How to name the value in the message ("the output", "the run inputs").

    Returns:
        The first problem found, or None when the value can be stored.
    """
    encoded = _encoded(value)
    if encoded is None:
        found = _located(value, max_depth, what)
        return found or ValueProblem("NOT_JSON", f"{what} cannot be encoded as JSON", ())
    return _judged(value, encoded, max_bytes, max_depth, what)


class Checked(NamedTuple):
    """The verdict on a value, and its size."""

    problem: ValueProblem | None
    size: int
    """UTF-8 JSON bytes (0 when the value cannot be encoded)."""


def plainly_fine(value: object, max_bytes: int, max_depth: int) -> int | None:
    """The size of a small value with nothing in it to look at twice, or None: then check it in full.

    The hot path of every node output: most outputs are a little text or a few fields, and a JSON
    text without a backslash, `NaN`, `Infinity` or more brackets than `max_depth` is storable.
    """
    encoded = _encoded(value)
    if encoded is None or len(encoded) > max_bytes or not _plain(encoded, max_depth):
        return None
    return len(encoded)


async def check_value(value: object, *, max_bytes: int, max_depth: int, what: str = "the value") -> Checked:
    """`value_problem`, with the checks of a large value run in a worker thread, and the value's size.

    Encoding runs here (C, about a millisecond per megabyte); the rest, which can take tens of
    milliseconds for a megabyte of small objects, runs in a thread once the encoding passes
    `OFF_LOOP_BYTES`, so a large output never stalls the event loop.
    """
    encoded = _encoded(value)
    if encoded is None:
        return Checked(value_problem(value, max_bytes=max_bytes, max_depth=max_depth, what=what), 0)
    if len(encoded) <= OFF_LOOP_BYTES or len(encoded) > max_bytes:
        return Checked(_judged(value, encoded, max_bytes, max_depth, what), len(encoded))
    problem = await anyio.to_thread.run_sync(_judged, value, encoded, max_bytes, max_depth, what)
    return Checked(problem, len(encoded))


def json_size(value: object) -> int:
    """The UTF-8 JSON size of a value the policy accepted (0 if it cannot be encoded)."""
    encoded = _encoded(value)
    return 0 if encoded is None else len(encoded)
