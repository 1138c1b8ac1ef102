"""The metadata filter language: what parses (and where it fails, in words a user can act on), and
what matches."""

import json

import pytest
from pydantic import JsonValue

from engine.filters import (
    MAX_CONDITIONS,
    MAX_DEPTH,
    MAX_KEY_LENGTH,
    MAX_LIST_VALUES,
    And,
    Equals,
    Exists,
    FilterSyntaxError,
    Not,
    OneOf,
    Or,
    Range,
    RangeOp,
    json_equal,
    matches,
    parse_filter,
)

Raw = dict[str, JsonValue]


def nested_not(levels: int) -> Raw:
    """A filter nested `levels` deep in `$not`."""
    raw: Raw = {"a": 1}
    for _ in range(levels):
        raw = {"$not": raw}
    return raw


def accepts(raw: Raw, metadata: Raw) -> bool:
    """Whether the filter written as `raw` matches `metadata`."""
    parsed = parse_filter(raw)
    assert parsed is not None
    return matches(parsed, metadata)


def test_no_filter_and_the_empty_filter_mean_no_filter() -> None:
    assert parse_filter(None) is None
    assert parse_filter({}) is None


def test_keys_side_by_side_are_equalities_that_must_all_hold() -> None:
    assert parse_filter({"lang": "en", "year": 2024}) == And((Equals("lang", "en"), Equals("year", 2024)))


def test_operators_parse_to_their_conditions() -> None:
    raw: Raw = {
        "$or": [
            {"year": {"$gte": 2020, "$lt": "x"}},
            {"tag": {"$nin": ["a", [1]]}},
            {"$not": {"draft": {"$exists": True}}},
            {"lang": {"$ne": {"$gt": 1}}},
        ]
    }

    assert parse_filter(raw) == Or(
        (
            And((Range("year", RangeOp.GTE, 2020), Range("year", RangeOp.LT, "x"))),
            OneOf("tag", ("a", [1]), negated=True),
            Not(Exists("draft", present=True)),
            Equals("lang", {"$gt": 1}, negated=True),
        )
    )


def test_an_object_without_operators_is_equality_with_that_object() -> None:
    assert parse_filter({"author": {"name": "Ada", "ids": [1, 2]}}) == Equals(
        "author", {"name": "Ada", "ids": [1, 2]}
    )


@pytest.mark.parametrize(
    ("raw", "path", "message"),
    [
        ({"year": {"$between": [1, 2]}}, "$.year.$between", "unknown operator $between"),
        ({"$nor": [{"a": 1}]}, "$.$nor", "unknown operator $nor"),
        ({"$gt": 1}, "$.$gt", '{"year": {"$gt": ...}}'),
        ({"year": {"$not": {"$gt": 1}}}, "$.year.$not", "goes around filters"),
        ({"year": {"$gte": True}}, "$.year.$gte", "a number or a string, not a boolean"),
        ({"year": {"$lt": [2020]}}, "$.year.$lt", "a number or a string, not an array"),
        ({"year": {"$gt": None}}, "$.year.$gt", "a number or a string, not null"),
        ({"tag": {"$in": "a"}}, "$.tag.$in", "a list of values, not a string"),
        ({"tag": {"$in": ["a", "b\x00"]}}, "$.tag.$in[1]", "NUL"),
        ({"draft": {"$exists": 1}}, "$.draft.$exists", "true or false, not a number"),
        ({"year": {"$gt": 1, "month": 2}}, "$.year", 'write {"$eq": {...}}'),
        ({"$and": []}, "$.$and", "at least one filter"),
        ({"$or": []}, "$.$or", "at least one filter"),
        ({"$or": {"a": 1}}, "$.$or", "a list of filters, not an object"),
        ({"$and": [{"a": 1}, "b"]}, "$.$and[1]", "a filter is a JSON object"),
        ({"$not": [{"a": 1}]}, "$.$not", "a filter is a JSON object"),
        ({"": 1}, '$[""]', f"1 to {MAX_KEY_LENGTH} characters, not 0"),
        ({"k" * (MAX_KEY_LENGTH + 1): 1}, "$." + "k" * (MAX_KEY_LENGTH + 1), "characters, not 129"),
        ({"a\x00b": 1}, '$["a\ufffdb"]', "the key contains a NUL character"),
        ({"first name": {"$gt": False}}, '$["first name"].$gt', "not a boolean"),
        ({"score": {"$eq": {"x": float("nan")}}}, "$.score.$eq.x", "JSON cannot represent"),
    ],
)
def test_a_bad_filter_says_where_and_what_to_change(raw: Raw, path: str, message: str) -> None:
    with pytest.raises(FilterSyntaxError) as raised:
        parse_filter(raw)

    assert raised.value.path == path
    assert message in raised.value.message
    assert str(raised.value) == f"{path}: {raised.value.message}"


def test_a_filter_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(FilterSyntaxError) as raised:
        parse_filter(json.loads('["lang", "en"]'))

    assert raised.value.path == "$"
    assert isinstance(raised.value, ValueError)


def test_logic_nests_up_to_the_depth_limit() -> None:
    assert parse_filter(nested_not(MAX_DEPTH)) is not None
    with pytest.raises(FilterSyntaxError) as raised:
        parse_filter(nested_not(MAX_DEPTH + 1))

    assert raised.value.path == "$" + ".$not" * (MAX_DEPTH + 1)
    assert "levels deep" in raised.value.message


def test_conditions_are_counted_across_the_whole_filter() -> None:
    half = MAX_CONDITIONS // 2
    at_limit: Raw = {"$or": [{f"k{i}": i for i in range(half)}, {f"k{i}": {"$gt": i} for i in range(half)}]}
    over: Raw = {**{f"k{i}": i for i in range(MAX_CONDITIONS)}, "last": 0}

    assert parse_filter(at_limit) is not None
    with pytest.raises(FilterSyntaxError) as raised:
        parse_filter(over)
    assert raised.value.path == "$.last"
    assert f"at most {MAX_CONDITIONS} conditions" in raised.value.message


def test_in_lists_are_bounded() -> None:
    values: list[JsonValue] = list(range(MAX_LIST_VALUES))

    assert parse_filter({"n": {"$in": values}}) == OneOf("n", tuple(values))
    with pytest.raises(FilterSyntaxError) as raised:
        parse_filter({"n": {"$nin": [*values, -1]}})
    assert raised.value.path == "$.n.$nin"


def test_the_parsed_filter_does_not_change_with_the_callers_value() -> None:
    wanted: list[JsonValue] = ["a"]
    parsed = parse_filter({"tags": wanted})
    wanted.append("b")

    assert parsed == Equals("tags", ["a"])


@pytest.mark.parametrize(
    ("left", "right", "equal"),
    [
        (True, 1, False),
        (False, 0, False),
        (1, 1.0, True),
        (0, -0.0, True),
        ("1", 1, False),
        (None, False, False),
        (None, None, True),
        ({"a": 1, "b": [1, 2]}, {"b": [1.0, 2], "a": 1}, True),
        ([1, 2], [2, 1], False),
        ({"a": 1}, {"a": 1, "b": None}, False),
        ([True], [1], False),
        (2**60, float(2**60), False),  # the float's JSON text is 1.152921504606847e+18
        (10**16, 1e16, True),
    ],
)
def test_equality_is_json_equality(left: JsonValue, right: JsonValue, equal: bool) -> None:
    assert json_equal(left, right) is equal
    assert json_equal(right, left) is equal


def test_equality_is_type_strict() -> None:
    assert accepts({"flag": True}, {"flag": True})
    assert not accepts({"flag": True}, {"flag": 1})
    assert not accepts({"n": 1}, {"n": True})
    assert accepts({"n": 1}, {"n": 1.0})


def test_an_array_value_does_not_match_one_of_its_elements() -> None:
    assert not accepts({"tags": "a"}, {"tags": ["a", "b"]})
    assert accepts({"tags": ["a", "b"]}, {"tags": ["a", "b"]})
    assert not accepts({"tags": ["a"]}, {"tags": ["a", "b"]})


def test_an_object_value_must_equal_the_whole_object() -> None:
    assert accepts({"author": {"name": "Ada"}}, {"author": {"name": "Ada"}})
    assert not accepts({"author": {"name": "Ada"}}, {"author": {"name": "Ada", "born": 1815}})


def test_a_missing_key_equals_nothing_not_even_null() -> None:
    assert not accepts({"lang": None}, {})
    assert accepts({"lang": None}, {"lang": None})
    assert accepts({"lang": {"$exists": False}}, {})


def test_ne_nin_and_not_match_a_missing_key() -> None:
    assert accepts({"lang": {"$ne": "en"}}, {})
    assert accepts({"lang": {"$nin": ["en"]}}, {})
    assert accepts({"$not": {"year": {"$gt": 2000}}}, {})
    assert not accepts({"lang": {"$ne": "en"}}, {"lang": "en"})


def test_a_number_bound_ranges_over_numbers_only() -> None:
    recent: Raw = {"year": {"$gte": 2020, "$lt": 2025}}

    assert accepts(recent, {"year": 2020})
    assert accepts(recent, {"year": 2024.5})
    assert not accepts(recent, {"year": 2025})
    assert not accepts(recent, {"year": "2021"})
    assert not accepts({"flag": {"$gte": 0}}, {"flag": True})
    assert not accepts(recent, {})


def test_a_string_bound_ranges_over_strings_by_code_point() -> None:
    after_z: Raw = {"name": {"$gt": "Z"}}

    assert accepts(after_z, {"name": "a"})  # lower case sorts after upper case
    assert accepts(after_z, {"name": "É"})  # and accents after both
    assert not accepts(after_z, {"name": "B"})
    assert not accepts(after_z, {"name": 100})
    assert not accepts(after_z, {"name": ["a"]})


def test_in_and_nin_compare_each_value() -> None:
    assert accepts({"tag": {"$in": ["a", 1, [2]]}}, {"tag": [2.0]})
    assert not accepts({"tag": {"$in": ["a", 1]}}, {"tag": True})
    assert not accepts({"tag": {"$in": []}}, {"tag": "a"})
    assert accepts({"tag": {"$nin": []}}, {"tag": "a"})
    assert not accepts({"tag": {"$nin": ["a", "b"]}}, {"tag": "b"})


def test_logic_combines_filters() -> None:
    raw: Raw = {"$or": [{"lang": "en"}, {"$and": [{"lang": "fr"}, {"$not": {"draft": True}}]}]}

    assert accepts(raw, {"lang": "en", "draft": True})
    assert accepts(raw, {"lang": "fr"})
    assert not accepts(raw, {"lang": "fr", "draft": True})
    assert not accepts(raw, {"lang": "de"})


def test_an_empty_filter_inside_logic_matches_everything() -> None:
    assert accepts({"$or": [{}, {"lang": "en"}]}, {"lang": "de"})
    assert not accepts({"$not": {}}, {"lang": "de"})
