"""Vector search at 100,000 chunks: ingest rate, HNSW build, recall@10 and latency, raw SQL and GraphQL.

One embedded PostgreSQL 18 + pgvector and one `Services` (as `flowloom serve` wires them) serve every
figure. The corpus is synthetic and seeded: CHUNKS unit vectors of DIMENSION dimensions around
CLUSTERS centres, each point its centre plus a component in a small per-cluster subspace (text
embeddings have a low intrinsic dimension; isotropic noise in 384 dimensions would put every point
of a cluster at nearly the same distance from every other and test the data, not the index) plus a
little isotropic noise. Each chunk has a few words (some of its cluster's, some common) and metadata
`{"cluster", "shard": i % 100, "year"}`, so `{"shard": 7}` selects 1 %.

- Ingest: `copy_chunks` (the ingester's write path, without model time) into a collection made with
  `CollectionRepository.create` (model "bench-384": no model makes these vectors, so the model check
  is bypassed), one transaction per batch, with no vector index; batches of EMBED_BATCH (256) and of
  1,000 alternate in rounds so both see the table at the same sizes. The rows are built before the
  clock starts, as the embedder hands them over (lists of floats). `share_of_time_by_step` splits
  the time by statement (asyncpg's query logger); COPY is not logged and falls in `copy_and_client`
  with building its records. (The ingester itself writes a whole document per transaction.)
- HNSW build: `VectorIndexes.ensure(layout)` right after the load, as the ingester calls it; then
  VACUUM ANALYZE, as autovacuum would soon do.
- Recall@10 over QUERIES perturbed points against the same statement with the index disabled (other
  SQL text, so asyncpg's statement cache cannot hand back the HNSW plan, and `enable_indexscan = off`
  in its transaction), checked against a numpy brute force; also at other `hnsw.ef_search` values.
- Latency, sequential and warm (after a pass over every query), interleaved so drift hits every path
  alike: the statement `vector_sql` / `hybrid_sql` builds, run through the pool; `KnowledgeService.search`;
  GraphQL `search` through the app in process (httpx.ASGITransport; query texts are turned into the
  precomputed query vectors by a lookup embedder); and, to split GraphQL's cost, an authenticated
  `{ __typename }` and GET /healthz through the same client. The filtered statement is also timed as
  an exact search (`filtered.exact_*`).
- `plans`: EXPLAIN ANALYZE of each statement for one query, and how often the pool's cached
  statements were planned afresh (custom) or reused a generic plan.

Prints one JSON object:

    python -m bench.vectors [--chunks N] [--json FILE]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import numpy as np
import numpy.typing as npt
import uvloop
from pgvector import Vector

from backend.accounts.records import Principal
from backend.app import create_app
from backend.cli import settle_gc
from backend.db.embedded import get_server  # imported there with its import-time warning silenced
from backend.knowledge.chunking import ChunkingSettings
from backend.knowledge.chunks_repository import ChunkRow, copy_chunks
from backend.knowledge.indexes import VectorLayout
from backend.knowledge.ingester import EMBED_BATCH
from backend.knowledge.records import CollectionRecord
from backend.knowledge.search import hybrid_sql, vector_sql
from backend.knowledge.service import KnowledgeService, Limits
from backend.services import Services
from backend.settings import Settings
from bench.report import emit
from engine.filters import parse_filter
from engine.ports import Embeddings
from tests.operations import operation
from tests.tenants import new_tenant

log = logging.getLogger("bench.vectors")

CHUNKS = 100_000
DIMENSION = 384
CLUSTERS = 100
SUBSPACE = 24
"""Dimensions of each cluster's own subspace (its points' main variation)."""
QUERIES = 200
TOP_K = 10
LARGE_BATCH = 1000
ROUNDS = 5
"""Ingest rounds; each writes CHUNKS / ROUNDS / 2 rows per batch size."""
PASSES = 3
"""Measured passes over the queries per latency figure (after one warm-up pass)."""
SEED = 20261203
MODEL = "bench-384"
SELECTIVE = {"shard": 7}
TARGETS = {
    "chunks_per_second_256_at_least": 10_000,
    "recall_at_10_at_least": 0.95,
    "graphql_p50_ms_at_most": 5.0,
    "graphql_overhead_p50_ms_at_most": 2.0,
    "filtered_recall_at_10_at_least": 0.9,
}
SEARCH = operation("Search")
Vectors = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Corpus:
    """The chunks to load and the queries to search them with."""

    vectors: Vectors
    texts: list[str]
    metadata: list[dict[str, Any]]
    queries: Vectors
    query_texts: list[str]


def _unit(values: npt.NDArray[np.float64]) -> Vectors:
    unit: Vectors = (values / np.linalg.norm(values, axis=-1, keepdims=True)).astype(np.float32)
    return unit


def corpus(chunks: int, seed: int = SEED) -> Corpus:
    """Clustered unit vectors with words and metadata, and perturbed points as queries."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((CLUSTERS, DIMENSION))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    bases = rng.standard_normal((CLUSTERS, SUBSPACE, DIMENSION)) / np.sqrt(DIMENSION)
    labels = rng.integers(0, CLUSTERS, chunks)
    local = np.einsum("ns,nsd->nd", rng.standard_normal((chunks, SUBSPACE)) * 0.15, bases[labels])
    vectors = _unit(centres[labels] + local + rng.standard_normal((chunks, DIMENSION)) * 0.005)

    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "de", "po", "zu", "fa"]

    def word() -> str:
        return "".join(rng.choice(syllables, size=int(rng.integers(2, 4))))

    topics = [[f"{word()}{k}t{j}" for j in range(20)] for k in range(CLUSTERS)]
    common = [f"{word()}c{j}" for j in range(500)]
    texts = [
        " ".join([*rng.choice(topics[label], 3, replace=False), *rng.choice(common, 5)]) for label in labels
    ]
    metadata = [
        {"cluster": int(label), "shard": i % 100, "year": 2000 + i % 25} for i, label in enumerate(labels)
    ]

    picks = rng.choice(chunks, QUERIES, replace=False)
    queries = _unit(vectors[picks] + rng.standard_normal((QUERIES, DIMENSION)) * 0.01)
    query_texts: list[str] = []
    for pick in picks:
        text = " ".join(rng.choice(topics[labels[pick]], 2, replace=False))
        while text in query_texts:  # each text names one vector in the lookup embedder
            text = " ".join(rng.choice(topics[labels[pick]], 2, replace=False))
        query_texts.append(text)
    return Corpus(vectors, texts, metadata, queries, query_texts)


class LookupEmbedder:
    """The embedder GraphQL searches use: each query text's precomputed vector."""

    def __init__(self, vectors: dict[str, list[float]]) -> None:
        self._vectors = vectors

    async def embed(
        self, workspace_id: UUID, model: str | None, texts: Sequence[str], *, query: bool = False
    ) -> Embeddings:
        """The vectors of `texts` (each must be a query text of the corpus)."""
        return Embeddings(model=model or MODEL, vectors=[self._vectors[text] for text in texts])

    async def default_model(self, workspace_id: UUID) -> str:
        """The only model there is."""
        return MODEL


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    """p50 and p99 of latencies in seconds, in milliseconds."""
    ms = np.asarray(samples) * 1000
    return {"p50": round(float(np.percentile(ms, 50)), 3), "p99": round(float(np.percentile(ms, 99)), 3)}


@dataclass(eq=False)  # asyncpg keeps query loggers in a set
class StepClock:
    """Seconds each statement of the write path took (asyncpg's query logger; COPY is not logged)."""

    seconds: dict[str, float] = dataclasses.field(default_factory=dict)

    def __call__(self, record: asyncpg.connection.LoggedQuery) -> None:
        query = record.query.strip()
        step = next(
            (name for prefix, name in WRITE_STEPS if query.startswith(prefix)), query.split()[0].lower()
        )
        self.seconds[step] = self.seconds.get(step, 0.0) + record.elapsed


WRITE_STEPS = (
    ("BEGIN", "begin"),
    ("COMMIT", "commit"),
    ("CREATE TEMPORARY", "create_load_table"),
    ("INSERT INTO chunks", "insert_select"),
    ("DROP TABLE", "drop_load_table"),
)


async def ingest(
    pool: asyncpg.Pool[Any], workspace_id: UUID, collection: CollectionRecord, data: Corpus
) -> dict[str, Any]:
    """Load every chunk with `copy_chunks`, alternating batch sizes by round; chunks/s of each."""
    seconds = {EMBED_BATCH: 0.0, LARGE_BATCH: 0.0}
    rows_by_size = dict.fromkeys(seconds, 0)
    per_round: dict[int, list[int]] = {size: [] for size in seconds}
    clocks = {size: StepClock() for size in seconds}
    total = len(data.texts)
    step = total // (2 * ROUNDS)
    start = 0
    for number in range(2 * ROUNDS):
        size = (EMBED_BATCH, LARGE_BATCH)[(number + number // 2) % 2]  # 256 1000 | 1000 256 | …
        end = total if number == 2 * ROUNDS - 1 else start + step
        round_seconds = 0.0
        for first in range(start, end, size):
            last = min(first + size, end)
            # what the embedder hands the ingester: plain lists of floats (made before the clock)
            rows = [
                ChunkRow(key=f"c{i:06d}", text=data.texts[i], vector=vector, metadata=data.metadata[i])
                for i, vector in zip(range(first, last), data.vectors[first:last].tolist(), strict=True)
            ]
            began = time.perf_counter()
            async with pool.acquire() as connection:
                connection.add_query_logger(clocks[size])
                try:
                    async with connection.transaction():
                        await copy_chunks(connection, workspace_id, collection, collection.generation, rows)
                finally:
                    connection.remove_query_logger(clocks[size])
            round_seconds += time.perf_counter() - began
        seconds[size] += round_seconds
        rows_by_size[size] += end - start
        per_round[size].append(round((end - start) / round_seconds))
        log.info("round %d: %d chunks in batches of %d, %d/s", number, end - start, size, per_round[size][-1])
        start = end
    breakdown = {}
    for size, clock in clocks.items():
        logged = sum(clock.seconds.values())
        shares = {step: value / seconds[size] for step, value in clock.seconds.items()}
        # the rest: COPY into the load table, encoding the rows, acquiring the connection
        shares["copy_and_client"] = 1 - logged / seconds[size]
        breakdown[str(size)] = {step: round(share, 3) for step, share in shares.items()}
    return {
        "chunks_per_second_256": round(rows_by_size[EMBED_BATCH] / seconds[EMBED_BATCH]),
        "chunks_per_second_1000": round(rows_by_size[LARGE_BATCH] / seconds[LARGE_BATCH]),
        "chunks_per_second_each_round": {str(size): rates for size, rates in per_round.items()},
        "share_of_time_by_step": breakdown,
    }


def exact(sql: str) -> str:
    """The same statement under other text: asyncpg caches statements by text, and a plan cached
    with the index allowed would ignore `enable_indexscan = off` (STACK.md)."""
    return "/* exact */ " + sql


async def exact_keys(pool: asyncpg.Pool[Any], sql: str, args: Sequence[object]) -> list[str]:
    """Keys of an exact search: `exact(sql)` with index scans (and JIT, irrelevant to results) off."""
    async with pool.acquire() as connection, connection.transaction():
        await connection.execute("SET LOCAL enable_indexscan = off; SET LOCAL jit = off")
        return [row["key"] for row in await connection.fetch(exact(sql), *args)]


def plan_nodes(plan: dict[str, Any]) -> list[str]:
    """Each node of an EXPLAIN (FORMAT JSON) plan as `type[:index]`, depth first."""
    node = plan["Node Type"] + (f":{plan['Index Name']}" if "Index Name" in plan else "")
    return [node, *(name for child in plan.get("Plans", []) for name in plan_nodes(child))]


async def explain(
    pool: asyncpg.Pool[Any], sql: str, args: Sequence[object], *, exact_scan: bool = False
) -> dict[str, Any]:
    """EXPLAIN ANALYZE of a statement with these arguments: its nodes and execution time."""
    async with pool.acquire() as connection, connection.transaction():
        if exact_scan:
            await connection.execute("SET LOCAL enable_indexscan = off; SET LOCAL jit = off")
        text = await connection.fetchval("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, *args)
    top = json.loads(text)[0]
    return {
        "nodes": plan_nodes(top["Plan"]),
        "planning_ms": round(top["Planning Time"], 3),
        "execution_ms": round(top["Execution Time"], 3),
        # blocks found in shared_buffers, and read from outside them (the OS cache, or the disk)
        "shared_blocks_hit": top["Plan"]["Shared Hit Blocks"],
        "shared_blocks_read": top["Plan"]["Shared Read Blocks"],
    }


def recall(found: Sequence[Sequence[str]], truth: Sequence[Sequence[str]]) -> float:
    """Mean share of the true top-k that was found."""
    return round(
        statistics.fmean(len(set(f) & set(t)) / len(t) for f, t in zip(found, truth, strict=True)), 4
    )


def numpy_top(data: Corpus, query: Vectors, rows: npt.NDArray[np.intp] | None = None) -> list[str]:
    """Brute-force cosine top-k keys (among `rows`, by default all)."""
    candidates = np.arange(len(data.vectors)) if rows is None else rows
    similarity = data.vectors[candidates] @ query
    best = candidates[np.argsort(-similarity, kind="stable")[:TOP_K]]
    return [f"c{i:06d}" for i in best]


Timed = Callable[[int], Awaitable[list[str]]]
"""One search for query i; returns the keys found, best first."""


class Searches:
    """The statements `vector_sql` and `hybrid_sql` build for the bench collection, and the arguments
    of each query."""

    def __init__(self, layout: VectorLayout, data: Corpus) -> None:
        self.vector, _ = vector_sql(layout, None, TOP_K)
        self.filtered, self._filter_args = vector_sql(layout, parse_filter(SELECTIVE), TOP_K)
        self.hybrid, _ = hybrid_sql(layout, None, TOP_K)
        self._vectors = data.queries.tolist()
        self._texts = data.query_texts

    def vector_args(self, i: int) -> list[object]:
        """$1 the query vector (the limit is written into the statement)."""
        return [Vector(self._vectors[i])]

    def filtered_args(self, i: int) -> list[object]:
        """The vector arguments and the filter's."""
        return [*self.vector_args(i), *self._filter_args]

    def hybrid_args(self, i: int) -> list[object]:
        """As `search_chunks` passes them for a hybrid search."""
        return [*self.vector_args(i), "simple", self._texts[i]]


def exact_path(pool: asyncpg.Pool[Any], sql: str, args: Callable[[int], list[object]]) -> Timed:
    """The statement as an exact search (`exact_keys`: BEGIN, SET LOCAL, the search, COMMIT)."""

    async def search(i: int) -> list[str]:
        return await exact_keys(pool, sql, args(i))

    return search


def raw_path(pool: asyncpg.Pool[Any], sql: str, args: Callable[[int], list[object]]) -> Timed:
    """The statement through the pool, as `search_chunks` runs it."""

    async def search(i: int) -> list[str]:
        async with pool.acquire() as connection:
            return [row["key"] for row in await connection.fetch(sql, *args(i))]

    return search


def service_path(
    knowledge: KnowledgeService, principal: Principal, collection_id: str, texts: list[str]
) -> Timed:
    """`KnowledgeService.search` (what the GraphQL resolver calls), by vector."""

    async def search(i: int) -> list[str]:
        hits = await knowledge.search(principal, collection_id, texts[i], top_k=TOP_K)
        if not isinstance(hits, list):
            raise TypeError(f"search failed: {hits}")
        return [hit.chunk_id for hit in hits]

    return search


def graphql_path(
    client: httpx.AsyncClient, collection_id: str, texts: list[str], mode: str, filter: object = None
) -> Timed:
    """GraphQL `search` over HTTP, in process."""

    async def search(i: int) -> list[str]:
        variables = {
            "collectionId": collection_id,
            "query": texts[i],
            "topK": TOP_K,
            "filter": filter,
            "mode": mode,
        }
        response = await client.post("/graphql", json={"query": SEARCH, "variables": variables})
        body = response.json()
        if response.status_code != 200 or "errors" in body:
            raise RuntimeError(f"GraphQL search failed: {response.status_code} {body}")
        return [hit["chunkId"] for hit in body["data"]["search"]]

    return search


def graphql_minimal_path(client: httpx.AsyncClient) -> Timed:
    """An authenticated GraphQL request that resolves nothing: the cost of HTTP, the middleware,
    authentication and Strawberry alone."""

    async def search(_: int) -> list[str]:
        response = await client.post("/graphql", json={"query": "query Bench { __typename }"})
        if response.status_code != 200 or "errors" in response.json():
            raise RuntimeError(f"GraphQL failed: {response.status_code} {response.text}")
        return []

    return search


def healthz_path(client: httpx.AsyncClient) -> Timed:
    """GET /healthz (no rate limit, no authentication, no database): the floor of an in-process HTTP
    request through httpx and Litestar."""

    async def search(_: int) -> list[str]:
        response = await client.get("/healthz")
        if response.status_code != 200:
            raise RuntimeError(f"healthz failed: {response.status_code} {response.text}")
        return []

    return search


EF_SEARCH = (40, 100, 200)
"""hnsw.ef_search values recall is also measured at (the pool sets 100)."""


async def recall_by_ef_search(
    pool: asyncpg.Pool[Any], searches: Searches, truth: list[list[str]]
) -> dict[str, dict[str, float]]:
    """Recall@10 and p50 of the vector statement (one pass) at other `hnsw.ef_search` values, set
    in the search's transaction (the setting is read when the statement runs, not when planned)."""
    figures = {}
    for ef_search in EF_SEARCH:
        found, seconds = [], []
        for i in range(QUERIES):
            async with pool.acquire() as connection, connection.transaction():
                await connection.execute(f"SET LOCAL hnsw.ef_search = {int(ef_search)}")
                began = time.perf_counter()
                rows = await connection.fetch(searches.vector, *searches.vector_args(i))
                seconds.append(time.perf_counter() - began)
            found.append([row["key"] for row in rows])
        figures[str(ef_search)] = {
            "recall_at_10": recall(found, truth),
            "p50_ms": percentiles(seconds)["p50"],
        }
    return figures


async def latencies(paths: dict[str, Timed], queries: int) -> tuple[dict[str, list[float]], dict[str, Any]]:
    """A warm-up pass (whose results are returned) then PASSES timed passes, the paths interleaved.

    At each step every path searches a different query (path k is `queries / len(paths) * k` queries
    ahead), so no path finds the pages of its query just read by another path's same query: at 100,000
    chunks the index and the table outgrow shared_buffers and a repeated query would be cheaper.
    """
    first: dict[str, list[list[str]]] = {name: [] for name in paths}
    for i in range(queries):
        for name, path in paths.items():
            first[name].append(await path(i))
    samples: dict[str, list[float]] = {name: [] for name in paths}
    spacing = max(1, queries // len(paths))
    for _ in range(PASSES):
        for i in range(queries):
            for k, (name, path) in enumerate(paths.items()):
                query = (i + k * spacing) % queries
                began = time.perf_counter()
                await path(query)
                samples[name].append(time.perf_counter() - began)
    return samples, first


async def exact_results(
    pool: asyncpg.Pool[Any], searches: Searches, data: Corpus
) -> tuple[list[list[str]], list[list[str]], float]:
    """Exact top-k of every query, unfiltered and filtered, and the share numpy agrees with."""
    truth = [await exact_keys(pool, searches.vector, searches.vector_args(i)) for i in range(QUERIES)]
    filtered = [await exact_keys(pool, searches.filtered, searches.filtered_args(i)) for i in range(QUERIES)]
    shard = np.flatnonzero(np.arange(len(data.vectors)) % 100 == SELECTIVE["shard"])
    agree = statistics.fmean(
        numpy_top(data, data.queries[i]) == truth[i]
        and numpy_top(data, data.queries[i], shard) == filtered[i]
        for i in range(QUERIES)
    )
    return truth, filtered, agree


def lookup_knowledge(services: Services, data: Corpus) -> KnowledgeService:
    """The knowledge service as `Services.open` wires it, with the lookup embedder."""
    settings = services.settings
    return KnowledgeService(
        services.db.pool,
        LookupEmbedder(dict(zip(data.query_texts, data.queries.tolist(), strict=True))),
        services.broker,
        services.runtime.indexes,
        Limits(
            max_document_bytes=settings.max_document_bytes,
            max_documents_per_request=settings.max_documents_per_request,
            max_json_depth=settings.max_json_depth,
        ),
    )


async def plans(pool: asyncpg.Pool[Any], searches: Searches) -> dict[str, Any]:
    """What PostgreSQL does with each statement, and whether the pool's cached statements are
    planned once (generic) or at every execution (custom)."""
    async with pool.acquire() as connection:
        prepared = await connection.fetch(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE '%FROM chunks c%' AND statement NOT LIKE '/* exact */%' "
            "AND statement NOT LIKE '%pg_prepared_statements%'"
        )
    kinds = {searches.vector: "vector", searches.filtered: "filtered", searches.hybrid: "hybrid"}
    return {
        "vector": await explain(pool, searches.vector, searches.vector_args(0)),
        "vector_exact": await explain(pool, exact(searches.vector), searches.vector_args(0), exact_scan=True),
        "filtered": await explain(pool, searches.filtered, searches.filtered_args(0)),
        "filtered_exact": await explain(
            pool, exact(searches.filtered), searches.filtered_args(0), exact_scan=True
        ),
        "hybrid": await explain(pool, searches.hybrid, searches.hybrid_args(0)),
        "prepared_statements_of_one_pooled_connection": [
            {
                "kind": kinds.get(row["statement"], "other"),
                "generic_plans": row["generic_plans"],
                "custom_plans": row["custom_plans"],
            }
            for row in prepared
        ],
    }


STATEMENT_PATHS = ("raw", "service", "graphql", "graphql_minimal")


async def statements_per_call(services: Services, path: Timed) -> int:
    """SQL statements one call of `path` sends: the fewest over several calls, since the counter is
    the process's and background loops (ingester, reconciler, leases) send theirs meanwhile."""
    counts = []
    for i in range(20):
        before = services.db.statements.total
        await path(i)
        counts.append(services.db.statements.total - before)
    return min(counts)


async def measure(settings: Settings, data: Corpus) -> dict[str, Any]:
    """Load, index, search; every figure of the JSON but the run's context."""
    services = await Services.open(settings, migrate=True, execute_runs=True)
    try:
        tenant = await new_tenant(services)
        workspace_id = tenant.principal.workspace_id
        pool = services.db.pool
        collection = await services.knowledge.collections.create(
            workspace_id,
            name="bench vectors",
            description="",
            model=MODEL,
            dimension=DIMENSION,
            metric="cosine",
            language="simple",
            chunking=ChunkingSettings(),
        )
        if collection is None:
            raise RuntimeError("the bench collection exists already")
        indexes = services.runtime.indexes
        layout = indexes.layout(collection)
        ingested = await ingest(pool, workspace_id, collection, data)

        began = time.perf_counter()
        await indexes.ensure(layout)
        build_seconds = time.perf_counter() - began
        async with pool.acquire() as connection:
            sizes = await connection.fetchrow(
                "SELECT pg_relation_size($1::regclass) AS index, pg_table_size('chunks') AS table, "
                "current_setting('shared_buffers') AS shared_buffers, "
                "current_setting('maintenance_work_mem') AS maintenance_work_mem",
                layout.index_name,
            )
            if sizes is None:
                raise RuntimeError("no sizes: an aggregate-free SELECT returns one row")
            began = time.perf_counter()
            await connection.execute("VACUUM ANALYZE chunks")  # what autovacuum does after a bulk load
            vacuum_seconds = time.perf_counter() - began
        log.info("HNSW built in %.1f s; vacuumed in %.1f s", build_seconds, vacuum_seconds)

        figures = await search_figures(services, tenant.token, collection, layout, data)
        return {
            "ingest": ingested,
            "hnsw_build_seconds": round(build_seconds, 2),
            "server": {
                "index_mb": round(sizes["index"] / 2**20, 1),
                "table_mb": round(sizes["table"] / 2**20, 1),
                "shared_buffers": sizes["shared_buffers"],
                "maintenance_work_mem": sizes["maintenance_work_mem"],
                "vacuum_analyze_seconds_before_searches": round(vacuum_seconds, 2),
            },
            **figures,
        }
    finally:
        await services.close()


async def search_figures(
    services: Services, token: str, collection: CollectionRecord, layout: VectorLayout, data: Corpus
) -> dict[str, Any]:
    """Recall against exact searches and latencies of every path."""
    pool = services.db.pool
    searches = Searches(layout, data)
    log.info("exact searches")
    truth, filtered_truth, agree = await exact_results(pool, searches, data)
    knowledge = lookup_knowledge(services, data)
    app = create_app(services.settings, dataclasses.replace(services, knowledge=knowledge))
    principal = await services.accounts.authenticate(token)
    if principal is None:
        raise RuntimeError("the bench token does not authenticate")
    collection_id, texts = str(collection.id), data.query_texts
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]  # see tests/backend/conftest.py
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://bench", headers=headers) as client:
        paths: dict[str, Timed] = {
            "raw": raw_path(pool, searches.vector, searches.vector_args),
            "service": service_path(knowledge, principal, collection_id, texts),
            "graphql": graphql_path(client, collection_id, texts, "VECTOR"),
            "graphql_minimal": graphql_minimal_path(client),
            "healthz": healthz_path(client),
            "filtered_raw": raw_path(pool, searches.filtered, searches.filtered_args),
            "filtered_graphql": graphql_path(client, collection_id, texts, "VECTOR", SELECTIVE),
            "filtered_exact": exact_path(pool, searches.filtered, searches.filtered_args),
            "hybrid_raw": raw_path(pool, searches.hybrid, searches.hybrid_args),
            "hybrid_graphql": graphql_path(client, collection_id, texts, "HYBRID"),
        }
        log.info("latency passes")
        settle_gc()  # as `flowloom serve` does
        samples, found = await latencies(paths, QUERIES)
        statements = {name: await statements_per_call(services, paths[name]) for name in STATEMENT_PATHS}
    figure = {name: percentiles(values) for name, values in samples.items()}
    return {
        "recall_at_10": recall(found["raw"], truth),
        "recall_at_10_graphql": recall(found["graphql"], truth),
        "exact_agrees_with_numpy": round(agree, 4),
        "by_ef_search": await recall_by_ef_search(pool, searches, truth),
        "latency_ms": {
            "raw_p50": figure["raw"]["p50"],
            "raw_p99": figure["raw"]["p99"],
            "service_p50": figure["service"]["p50"],
            "service_p99": figure["service"]["p99"],
            "graphql_p50": figure["graphql"]["p50"],
            "graphql_p99": figure["graphql"]["p99"],
            "graphql_overhead_p50": round(figure["graphql"]["p50"] - figure["raw"]["p50"], 3),
            "graphql_minimal_p50": figure["graphql_minimal"]["p50"],
            "healthz_p50": figure["healthz"]["p50"],
            "samples_each": len(samples["raw"]),
        },
        "sql_statements_per_call": statements,
        "filtered": {
            "filter": SELECTIVE,
            "recall_at_10": recall(found["filtered_raw"], filtered_truth),
            "recall_at_10_graphql": recall(found["filtered_graphql"], filtered_truth),
            "p50_ms": figure["filtered_raw"]["p50"],
            "p99_ms": figure["filtered_raw"]["p99"],
            "graphql_p50_ms": figure["filtered_graphql"]["p50"],
            "graphql_p99_ms": figure["filtered_graphql"]["p99"],
            # the same statement searched exactly (no HNSW: the metadata GIN index, then a sort), with
            # the three round trips of its transaction: what choosing exact for a selective filter costs
            "exact_p50_ms": figure["filtered_exact"]["p50"],
            "exact_p99_ms": figure["filtered_exact"]["p99"],
        },
        "hybrid": {
            "raw_p50_ms": figure["hybrid_raw"]["p50"],
            "raw_p99_ms": figure["hybrid_raw"]["p99"],
            "graphql_p50_ms": figure["hybrid_graphql"]["p50"],
            "graphql_p99_ms": figure["hybrid_graphql"]["p99"],
        },
        "plans": await plans(pool, searches),
    }


def targets(figures: dict[str, Any]) -> dict[str, bool]:
    """Which targets the figures meet."""
    latency = figures["latency_ms"]
    return {
        "ingest_256_at_least_10000_per_s": figures["ingest"]["chunks_per_second_256"]
        >= TARGETS["chunks_per_second_256_at_least"],
        "recall_at_10_at_least_0_95": figures["recall_at_10"] >= TARGETS["recall_at_10_at_least"],
        "graphql_p50_at_most_5_ms": latency["graphql_p50"] <= TARGETS["graphql_p50_ms_at_most"],
        "graphql_overhead_p50_at_most_2_ms": latency["graphql_overhead_p50"]
        <= TARGETS["graphql_overhead_p50_ms_at_most"],
        "filtered_recall_at_10_at_least_0_9": figures["filtered"]["recall_at_10"]
        >= TARGETS["filtered_recall_at_10_at_least"],
    }


def main() -> None:
    """Generate, start PostgreSQL, measure, print one JSON object."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--chunks", type=int, default=CHUNKS, help=f"chunks to load (default {CHUNKS:,})")
    parser.add_argument("--json", type=Path, help="also write the result to this file")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")  # stderr
    log.setLevel(logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request would be timed too
    load_at_start = os.getloadavg()
    began = time.perf_counter()
    data = corpus(args.chunks)
    with tempfile.TemporaryDirectory(prefix="flowloom-bench-vectors-") as home:
        postgres = get_server(Path(home) / "pgdata", cleanup_mode="delete")
        try:
            postgres.psql("CREATE DATABASE flowloom;")
            env = {
                **os.environ,
                "FLOWLOOM_HOME": home,
                "DATABASE_URL": str(postgres.get_uri("flowloom")),
                "FLOWLOOM_SECRET_KEY": "bench",
                # the limits stay on, so the figures include their cost, but must never be reached
                "FLOWLOOM_RATE_LIMIT_PER_MINUTE": "1000000000",
                "FLOWLOOM_RATE_LIMIT_PER_ADDRESS_PER_MINUTE": "1000000000",
            }
            env.pop("REDIS_URL", None)
            figures = uvloop.run(measure(Settings.from_env(env), data))
        finally:
            postgres.cleanup()
    result = {
        "benchmark": "vectors",
        "chunks": args.chunks,
        "dimension": DIMENSION,
        "data": {
            "clusters": CLUSTERS,
            "cluster_subspace_dimensions": SUBSPACE,
            "queries": QUERIES,
            "top_k": TOP_K,
            "seed": SEED,
        },
        **figures,
        "targets_met": targets(figures),
        "targets": TARGETS,
        "cpus": os.cpu_count(),
        "load_average_at_start": [round(value, 2) for value in load_at_start],
        "load_average_at_end": [round(value, 2) for value in os.getloadavg()],
        "seconds": round(time.perf_counter() - began, 1),
    }
    emit(result, args.json)


if __name__ == "__main__":
    main()
