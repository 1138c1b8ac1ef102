"""The vector index of each collection generation: the SQL it is built with, and that searches use it."""

from __future__ import annotations

import asyncio
import time
from uuid import UUID

from pgvector import Vector

from backend.knowledge.indexes import VectorLayout
from backend.knowledge.search import vector_sql
from backend.services import Services
from tests.backend.conftest import GraphQLClient
from tests.backend.knowledge.support import add_texts, documents_when_done, new_collection, search
from tests.tenants import Tenant

COLLECTION = UUID("00000000-0000-4000-8000-000000000001")


def test_an_hnsw_index_covers_one_generation_with_the_collections_dimension_and_metric() -> None:
    layout = VectorLayout(COLLECTION, generation=3, dimension=384, metric="cosine")

    assert layout.create_index_sql() == (
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS chunks_vec_00000000000040008000000000000001_3 ON chunks "
        "USING hnsw ((embedding::vector(384)) vector_cosine_ops) WITH (m = 16, ef_construction = 128) "
        "WHERE collection_id = '00000000-0000-4000-8000-000000000001'::uuid AND generation = 3"
    )


def test_with_vectorchord_the_index_is_a_vchordrq_with_the_same_operator_class() -> None:
    layout = VectorLayout(COLLECTION, generation=1, dimension=768, metric="l2", method="vchordrq")

    assert layout.create_index_sql() == (
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS chunks_vec_00000000000040008000000000000001_1 ON chunks "
        "USING vchordrq ((embedding::vector(768)) vector_l2_ops) "
        "WHERE collection_id = '00000000-0000-4000-8000-000000000001'::uuid AND generation = 1"
    )


def test_large_dimensions_index_as_halfvec_and_beyond_that_are_searched_exactly() -> None:
    large = VectorLayout(COLLECTION, generation=1, dimension=3072, metric="inner_product")
    huge = VectorLayout(COLLECTION, generation=1, dimension=8000, metric="cosine")

    assert "USING hnsw ((embedding::halfvec(3072)) halfvec_ip_ops)" in large.create_index_sql()
    assert large.distance("$1") == "(c.embedding::halfvec(3072) <#> $1::vector::halfvec(3072))"
    assert not huge.indexable


def test_a_search_repeats_the_index_expression_and_predicate() -> None:
    layout = VectorLayout(COLLECTION, generation=2, dimension=256, metric="cosine")

    sql, parameters = vector_sql(layout, None, 5)

    assert "c.embedding::vector(256) <=> $1::vector::vector(256)" in sql
    assert layout.predicate in sql
    assert parameters == []


async def test_a_collection_past_the_threshold_gets_its_index_after_the_load_and_searches_use_it(
    gql: GraphQLClient, services: Services, tenant: Tenant
) -> None:
    count = services.settings.index_min_chunks
    collection = await new_collection(gql, "big", chunking={"size": 50, "overlap": 0})
    lines = [f"note {number}: item {number} is stored on shelf {number % 7}" for number in range(count)]
    # 50-character chunks: each line is one chunk
    await add_texts(gql, collection["id"], {"name": "shelves.txt", "text": "\n\n".join(lines)})
    [document] = await documents_when_done(gql, collection["id"], within=120)
    assert document["status"] == "READY"
    assert document["chunkCount"] >= count

    # built after the document is READY, concurrently with searches
    deadline = time.monotonic() + 60
    while not (await gql.run("Collection", id=collection["id"]))["collection"]["stats"]["indexed"]:
        assert time.monotonic() < deadline, "no index 60 s after the load"
        await asyncio.sleep(0.1)
    hits = await search(gql, collection["id"], "item 42 shelf", topK=3)

    assert len(hits) == 3
    record = await services.knowledge.get(tenant.principal, collection["id"])
    assert record is not None
    sql, _ = vector_sql(services.runtime.indexes.layout(record), None, 3)
    async with services.db.pool.acquire() as connection:
        rows = await connection.fetch(f"EXPLAIN (FORMAT TEXT) {sql}", Vector([0.1] * 256))
    plan = "\n".join(row[0] for row in rows)
    assert services.runtime.indexes.layout(record).index_name in plan
