"""Compiled filters select in PostgreSQL exactly what `matches` accepts in memory, and nothing a user
writes in a filter becomes SQL."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import asyncpg
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import JsonValue

from backend.knowledge.filter_sql import compile_filter
from engine.filters import Filter, FilterSyntaxError, matches, parse_filter

Metadata = dict[str, JsonValue]

# Few keys, and values drawn mostly from small pools, so that filters often split the rows: COMMON
# makes values collide, EDGES holds the near-collisions each rule is about (1, 1.0 and true; 2**60 and
# float(2**60); case, accents and composed characters; quotes and backslashes).
KEYS = ["a", "b", "é", "k'; DROP"]
COMMON: list[JsonValue] = [None, True, 1, 1.0, "a", "B"]
EDGES: list[JsonValue] = [
    False, 0, -0.0, 2.5, 2**60, float(2**60), 1e16, "", "Z", "ab", "é", "e\u0301", "😀", "1", "'", "\\",
]  # fmt: skip
BOUNDS = [
    value for value in COMMON + EDGES if isinstance(value, int | float | str) and not isinstance(value, bool)
]

CONTAINERS: list[JsonValue] = [[], [1], [1.0], ["a", 1], {}, {"a": 1}, {"a": True, "b": None}]
SCALARS = COMMON + EDGES
CORPUS: list[Metadata] = [
    {},
    *({key: value} for key in KEYS[:2] for value in SCALARS + CONTAINERS),
    *({"a": left, "b": right} for left, right in zip(SCALARS, reversed(SCALARS), strict=True)),
]
"""Rows every generated filter is also tried on: each key alone with each pooled value, and pairs."""

keys = st.sampled_from(KEYS)
numbers = st.integers() | st.floats(allow_nan=False, allow_infinity=False)
# any text jsonb can hold: no NUL (and no lone surrogate, which is not text)
texts = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=3)
common = st.sampled_from(COMMON)
scalars = st.one_of(common, common, common, st.sampled_from(EDGES), numbers, texts)
# mostly scalars, which filters compare with most; now and then an array or object, nested or not
values: st.SearchStrategy[JsonValue] = st.deferred(
    lambda: st.one_of(
        scalars, scalars, scalars, st.lists(values, max_size=2), st.dictionaries(keys, values, max_size=2)
    )
)
metadata: st.SearchStrategy[Metadata] = st.dictionaries(keys, values, min_size=1, max_size=4)
pooled_bounds = st.sampled_from(BOUNDS)
bounds: st.SearchStrategy[JsonValue] = st.one_of(pooled_bounds, pooled_bounds, numbers, texts)
operators = st.one_of(
    st.tuples(st.sampled_from(["$eq", "$ne"]), values),
    st.tuples(st.sampled_from(["$gt", "$gte", "$lt", "$lte"]), bounds),
    st.tuples(st.sampled_from(["$in", "$nin"]), st.lists(values, max_size=4)),
    st.tuples(st.just("$exists"), st.booleans()),
)
conditions: st.SearchStrategy[dict[str, JsonValue]] = st.one_of(
    # an object value has keys from KEYS, none with a $: it is equality, never operators
    st.builds(lambda key, value: {key: value}, keys, values),
    st.builds(
        lambda key, ops: {key: dict(ops)},
        keys,
        st.lists(operators, min_size=1, max_size=3, unique_by=lambda op: op[0]),
    ),
    st.just({}),
)


def _merged(parts: list[dict[str, JsonValue]]) -> dict[str, JsonValue]:
    merged: dict[str, JsonValue] = {}
    for part in parts:
        merged.update(part)
    return merged


def _logic(inner: st.SearchStrategy[dict[str, JsonValue]]) -> st.SearchStrategy[dict[str, JsonValue]]:
    parts = st.lists(inner, min_size=1, max_size=3)
    return st.one_of(
        parts.map(lambda fs: {"$and": list[JsonValue](fs)}),
        parts.map(lambda fs: {"$or": list[JsonValue](fs)}),
        inner.map(lambda f: {"$not": f}),
        parts.map(_merged),  # several keys side by side
    )


filters = st.recursive(conditions, _logic, max_leaves=4)


def parsed(raw: dict[str, JsonValue]) -> Filter | None:
    """The generated filter, parsed; a chain of `$not` can nest deeper than allowed: that case is dropped."""
    try:
        return parse_filter(raw)
    except FilterSyntaxError as error:
        refused = error
    assert "levels deep" in refused.message, refused
    assume(False)
    return None


@pytest.fixture(scope="module")
async def connection(postgres_dsn: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection to the session's PostgreSQL with a temporary table `t (id, metadata)`."""
    connection = await asyncpg.connect(postgres_dsn)
    await connection.execute("CREATE TEMP TABLE t (id int, metadata jsonb NOT NULL)")
    yield connection
    await connection.close()


async def load(connection: asyncpg.Connection, rows: list[Metadata]) -> None:
    """Make `rows` the content of `t`, each with its index as id."""
    await connection.execute("TRUNCATE t")
    await connection.executemany(
        "INSERT INTO t VALUES ($1, $2::jsonb)", [(index, json.dumps(row)) for index, row in enumerate(rows)]
    )


async def selected(connection: asyncpg.Connection, filter: Filter) -> set[int]:
    """The ids of the rows of `t` PostgreSQL selects with the compiled filter."""
    sql, params = compile_filter(filter, "t.metadata", 1)
    return {row["id"] for row in await connection.fetch(f"SELECT id FROM t WHERE {sql}", *params)}


def accepted(filter: Filter, rows: list[Metadata]) -> set[int]:
    """The ids (indexes) of the rows `matches` accepts."""
    return {index for index, row in enumerate(rows) if matches(filter, row)}


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(generated=st.lists(metadata, max_size=6), raws=st.lists(filters, min_size=1, max_size=4))
async def test_sql_selects_exactly_what_matches_accepts(
    connection: asyncpg.Connection, generated: list[Metadata], raws: list[dict[str, JsonValue]]
) -> None:
    rows = CORPUS + generated
    await load(connection, rows)
    for raw in raws:
        filter = parsed(raw)
        if filter is not None:
            assert await selected(connection, filter) == accepted(filter, rows), raw


@pytest.mark.parametrize(
    "raw",
    [
        {"n": 2**60},
        {"n": float(2**60)},
        {"n": {"$gt": 2**60}},
        {"n": {"$lte": float(2**60)}},
        {"n": {"$in": [1, 1.0, True]}},
        {"s": {"$gt": "Z", "$lt": "é"}},
        {"$not": {"n": {"$gte": 0}}},
        {"n": {"$ne": None}},
        {"n": {"$nin": [[1], {"x": 1}]}},
        {"$or": [{"n": [1]}, {"n": {"x": 1}}]},
        {"$not": {}},
    ],
)
async def test_sql_agrees_with_matches_on_the_edges(
    connection: asyncpg.Connection, raw: dict[str, JsonValue]
) -> None:
    rows: list[Metadata] = [
        {},
        {"n": None},
        {"n": True},
        {"n": 1},
        {"n": 2**60},
        {"n": float(2**60)},
        {"n": [1]},
        {"n": [1, 2]},
        {"n": {"x": 1}},
        {"n": {"x": 1, "y": 2}},
        {"s": "a"},
        {"s": "É"},
        {"s": "ü"},
        {"s": "Y"},
        {"s": 5},
    ]
    await load(connection, rows)
    filter = parse_filter(raw)
    assert filter is not None

    assert await selected(connection, filter) == accepted(filter, rows)


HOSTILE = ["'; DROP TABLE t; --", 'quote " and \\ backslash', "$1", "a$1::text) OR (TRUE", "\\'"]


def hostile_filters(key: str, value: str) -> list[dict[str, JsonValue]]:
    """Filters of every kind of condition with `key` and `value` in them."""
    return [
        {key: value},
        {key: {"$gte": value}},
        {key: {"$in": [value, [value]]}},
        {key: {"$exists": True}},
        {"$not": {"plain": {"$ne": value}}},
    ]


def compiled_sql(raw: dict[str, JsonValue]) -> str:
    """The SQL text of a filter (without its parameters)."""
    filter = parse_filter(raw)
    assert filter is not None
    return compile_filter(filter, "t.metadata", 1)[0]


@pytest.mark.parametrize("hostile", HOSTILE)
async def test_keys_and_values_never_become_sql(connection: asyncpg.Connection, hostile: str) -> None:
    key = f"k{hostile}"  # keys may not start with $
    rows: list[Metadata] = [{key: hostile}, {key: "other"}, {"plain": hostile}]
    await load(connection, rows)

    for raw, benign in zip(hostile_filters(key, hostile), hostile_filters("k", "v"), strict=True):
        filter = parse_filter(raw)
        assert filter is not None
        assert compiled_sql(raw) == compiled_sql(benign)  # the text depends on the filter's shape only
        assert await selected(connection, filter) == accepted(filter, rows) != set()
    assert await connection.fetchval("SELECT count(*) FROM t") == len(rows)


async def test_placeholders_start_where_the_caller_says(connection: asyncpg.Connection) -> None:
    await load(connection, [{"lang": "en", "year": 2024}, {"lang": "en", "year": 2019}])
    filter = parse_filter({"lang": "en", "year": {"$gte": 2020}})
    assert filter is not None
    sql, params = compile_filter(filter, "t.metadata", 2)

    rows = await connection.fetch(f"SELECT id FROM t WHERE id >= $1 AND {sql}", 0, *params)

    assert [row["id"] for row in rows] == [0]


async def test_equality_with_a_scalar_can_use_the_gin_index(connection: asyncpg.Connection) -> None:
    await connection.execute("CREATE TEMP TABLE indexed (id int, metadata jsonb NOT NULL)")
    await connection.execute("CREATE INDEX ON indexed USING gin (metadata jsonb_path_ops)")
    await connection.execute("SET enable_seqscan = off")
    filter = parse_filter({"lang": "en", "year": {"$gte": 2020}})
    assert filter is not None
    sql, params = compile_filter(filter, "metadata", 1)
    try:
        plan = await connection.fetch(f"EXPLAIN SELECT id FROM indexed WHERE {sql}", *params)
    finally:
        await connection.execute("RESET enable_seqscan")
        await connection.execute("DROP TABLE indexed")

    assert any("Bitmap Index Scan" in row[0] for row in plan), plan


def test_string_ranges_compare_by_code_point_whatever_the_database_collation() -> None:
    # The session's database collates C.UTF-8 (code point order) and has no other locale, so the
    # differential test cannot see a missing COLLATE; under en_US, "a" < "B" and "é" < "f".
    filter = parse_filter({"name": {"$gt": "Z"}})
    assert filter is not None

    sql, _ = compile_filter(filter, "t.metadata", 1)

    assert 'COLLATE "C"' in sql
