"""The value policy: what PostgreSQL can hold, and bounded; judged on the JSON text, located by a walk."""

import pytest
from pydantic import JsonValue

from engine.value_policy import OFF_LOOP_BYTES, check_value, printable, value_problem

MAX_BYTES = 10_000_000
MAX_DEPTH = 8


@pytest.mark.parametrize(
    "value",
    [
        "a literal backslash-u0000: \\u0000",
        "\\\\u0000",
        "😀 (a pair, not a lone surrogate)",
        {"NaN": "Infinity", "n": 1.5},
        10**1000,
        [[[[[[[["eight levels"]]]]]]]],
        {"[[[[[[[[[[": "brackets in text do not nest"},
    ],
)
def test_storable_values_pass(value: JsonValue) -> None:
    assert value_problem(value, max_bytes=MAX_BYTES, max_depth=MAX_DEPTH) is None


@pytest.mark.parametrize(
    ("value", "code", "location"),
    [
        ({"a": ["ok", "\\\x00"]}, "UNSTORABLE_TEXT", ("a", 1)),
        ({"k": {"\udc80": 1}}, "UNSTORABLE_TEXT", ("k",)),
        ([1.0, float("-inf")], "UNSTORABLE_NUMBER", (1,)),
        ({"n": 2**5000}, "UNSTORABLE_NUMBER", ("n",)),
        ([[[[[[[[["nine levels"]]]]]]]]], "VALUE_TOO_DEEP", (0, 0, 0, 0, 0, 0, 0, 0)),
    ],
)
def test_unstorable_values_are_found_where_they_are(
    value: object, code: str, location: tuple[str | int, ...]
) -> None:
    problem = value_problem(value, max_bytes=MAX_BYTES, max_depth=MAX_DEPTH)

    assert problem is not None
    assert (problem.code, problem.location) == (code, location)


def test_the_size_is_the_utf8_json_size() -> None:
    problem = value_problem("é" * 10, max_bytes=21, max_depth=8, what="the output")

    assert problem is not None
    assert problem.message == "the output is 22 bytes as JSON; the limit is 21"


async def test_a_large_value_gets_the_same_verdict_off_the_event_loop() -> None:
    large = [{"text": "x" * 100, "n": index} for index in range(OFF_LOOP_BYTES // 50)]
    poisoned = [*large, {"text": "x\x00"}]

    fine, size = await check_value(large, max_bytes=MAX_BYTES, max_depth=MAX_DEPTH)
    refused, _ = await check_value(poisoned, max_bytes=MAX_BYTES, max_depth=MAX_DEPTH)

    assert fine is None
    assert size > OFF_LOOP_BYTES
    assert refused == value_problem(poisoned, max_bytes=MAX_BYTES, max_depth=MAX_DEPTH)
    assert refused is not None
    assert refused.location == (len(large), "text")


def test_printable_replaces_what_cannot_be_stored() -> None:
    assert printable("a\x00b\ud800c") == "a\ufffdb\ufffdc"
