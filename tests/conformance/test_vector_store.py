"""The `VectorStore` and `Embedder` contracts, for every implementation."""

import math

import pytest
from pydantic import JsonValue

from engine.filters import parse_filter
from engine.ports import Chunk, CollectionInfo, DimensionMismatchError
from tests.conformance.subjects import EmbedderSubject, VectorStoreSubject

INFO = CollectionInfo("docs", "test-3", 3)


def _chunk(chunk_id: str, vector: list[float], text: str = "", **metadata: JsonValue) -> Chunk:
    return Chunk(chunk_id, text or chunk_id, vector, metadata)


async def test_a_collection_exists_once_written_to(vector_store: VectorStoreSubject) -> None:
    workspace = await vector_store.new_workspace()
    assert await vector_store.store.collection(workspace, "docs") is None

    await vector_store.store.upsert(workspace, INFO, [_chunk("a", [1, 0, 0])])

    assert await vector_store.store.collection(workspace, "docs") == INFO


async def test_search_returns_the_top_k_nearest_by_cosine_best_first(
    vector_store: VectorStoreSubject,
) -> None:
    workspace = await vector_store.new_workspace()
    chunks = [_chunk("far", [0, 0, 1]), _chunk("near", [1, 0.1, 0]), _chunk("middle", [1, 1, 0])]
    await vector_store.store.upsert(workspace, INFO, chunks)

    hits = await vector_store.store.search(workspace, "docs", [1, 0, 0], top_k=2)

    assert [hit.id for hit in hits] == ["near", "middle"]
    assert hits[0].score == pytest.approx(1 / math.sqrt(1.01))
    assert hits[1].score == pytest.approx(1 / math.sqrt(2))


async def test_a_filter_keeps_chunks_whose_metadata_equals_it_on_every_key(
    vector_store: VectorStoreSubject,
) -> None:
    workspace = await vector_store.new_workspace()
    chunks = [
        _chunk("en-guide", [1, 0, 0], lang="en", kind="guide"),
        _chunk("en-faq", [1, 0, 0], lang="en", kind="faq"),
        _chunk("fr-guide", [1, 0, 0], lang="fr", kind="guide"),
        _chunk("untagged", [1, 0, 0]),
    ]
    await vector_store.store.upsert(workspace, INFO, chunks)

    wanted = parse_filter({"lang": "en", "kind": "guide"})
    hits = await vector_store.store.search(workspace, "docs", [1, 0, 0], top_k=10, filter=wanted)

    assert [(hit.id, hit.metadata) for hit in hits] == [("en-guide", {"lang": "en", "kind": "guide"})]


async def test_upserting_an_existing_id_replaces_the_chunk(vector_store: VectorStoreSubject) -> None:
    workspace = await vector_store.new_workspace()
    await vector_store.store.upsert(workspace, INFO, [_chunk("a", [1, 0, 0], "old")])

    await vector_store.store.upsert(workspace, INFO, [_chunk("a", [0, 1, 0], "new")])

    hits = await vector_store.store.search(workspace, "docs", [0, 1, 0], top_k=5)
    assert [(hit.id, hit.text) for hit in hits] == [("a", "new")]


async def test_vectors_of_another_dimension_are_refused(vector_store: VectorStoreSubject) -> None:
    workspace = await vector_store.new_workspace()
    await vector_store.store.upsert(workspace, INFO, [_chunk("a", [1, 0, 0])])

    with pytest.raises(DimensionMismatchError):
        await vector_store.store.upsert(
            workspace, CollectionInfo("docs", "test-3", 4), [_chunk("b", [1, 0, 0, 0])]
        )
    with pytest.raises(DimensionMismatchError):
        await vector_store.store.search(workspace, "docs", [1, 0], top_k=1)


async def test_collections_of_one_workspace_are_invisible_to_another(
    vector_store: VectorStoreSubject,
) -> None:
    mine, theirs = await vector_store.new_workspace(), await vector_store.new_workspace()
    await vector_store.store.upsert(mine, INFO, [_chunk("a", [1, 0, 0])])

    assert await vector_store.store.collection(theirs, "docs") is None
    assert await vector_store.store.search(theirs, "docs", [1, 0, 0], top_k=1) == []


async def test_hybrid_search_lifts_chunks_that_contain_the_query_words(
    vector_store: VectorStoreSubject,
) -> None:
    workspace = await vector_store.new_workspace()
    chunks = [
        _chunk("close", [1, 0, 0], "an unrelated sentence"),
        _chunk("wordy", [1, 0.5, 0], "the refund policy explained"),
        _chunk("far", [0, 0, 1], "nothing here"),
    ]
    await vector_store.store.upsert(workspace, INFO, chunks)

    semantic = await vector_store.store.search(workspace, "docs", [1, 0, 0], top_k=3)
    hybrid = await vector_store.store.search(
        workspace, "docs", [1, 0, 0], top_k=3, mode="hybrid", query_text="refund policy"
    )

    assert [hit.id for hit in semantic][:2] == ["close", "wordy"]
    assert hybrid[0].id == "wordy"


async def test_a_keyword_search_needs_no_vector_and_finds_only_chunks_with_the_words(
    vector_store: VectorStoreSubject,
) -> None:
    workspace = await vector_store.new_workspace()
    chunks = [
        _chunk("refund", [1, 0, 0], "how a refund works"),
        _chunk("other", [1, 0, 0], "shipping times"),
        _chunk("twice", [0, 1, 0], "refund policy: a refund within 30 days"),
    ]
    await vector_store.store.upsert(workspace, INFO, chunks)

    hits = await vector_store.store.search(
        workspace, "docs", None, top_k=5, mode="keyword", query_text="refund"
    )

    assert sorted(hit.id for hit in hits) == ["refund", "twice"]
    assert all(hit.score > 0 for hit in hits)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"year": {"$gte": 2021, "$lt": 2024}}, ["y2021", "y2022", "y2023"]),
        ({"lang": {"$in": ["de", "fr"]}}, ["y2020", "y2023"]),
        ({"$or": [{"year": 2019}, {"draft": True}]}, ["y2019", "y2022"]),
        ({"$not": {"lang": "en"}, "year": {"$exists": True}}, ["y2020", "y2023"]),
        ({"lang": {"$nin": ["en"]}}, ["y2020", "y2023", "bare"]),
        ({"year": {"$ne": 2019}, "lang": "en"}, ["y2021", "y2022"]),
    ],
)
async def test_filters_with_operators_keep_exactly_the_matching_chunks(
    vector_store: VectorStoreSubject, raw: dict[str, JsonValue], expected: list[str]
) -> None:
    workspace = await vector_store.new_workspace()
    chunks = [
        _chunk("y2019", [1, 0, 0], year=2019, lang="en"),
        _chunk("y2020", [1, 0, 0], year=2020, lang="de"),
        _chunk("y2021", [1, 0, 0], year=2021, lang="en"),
        _chunk("y2022", [1, 0, 0], year=2022, lang="en", draft=True),
        _chunk("y2023", [1, 0, 0], year=2023, lang="fr"),
        _chunk("bare", [1, 0, 0]),
    ]
    await vector_store.store.upsert(workspace, INFO, chunks)

    hits = await vector_store.store.search(workspace, "docs", [1, 0, 0], top_k=10, filter=parse_filter(raw))

    assert sorted(hit.id for hit in hits) == sorted(expected)


async def test_an_embedder_gives_one_vector_per_text_of_one_dimension_deterministically(
    embedder: EmbedderSubject,
) -> None:
    texts = ["the cat sat", "a dog barked", "the cat sat"]

    first = await embedder.embedder.embed(embedder.workspace_id, None, texts)
    second = await embedder.embedder.embed(embedder.workspace_id, None, texts)

    assert len(first.vectors) == 3
    assert len({len(vector) for vector in first.vectors}) == 1
    assert first.vectors == second.vectors
    assert first.vectors[0] == first.vectors[2]
    assert first.model


async def test_an_embedder_puts_similar_texts_closer_than_unrelated_ones(embedder: EmbedderSubject) -> None:
    texts = ["refund policy", "our refund policy", "weather in Paris"]
    query, similar, unrelated = (await embedder.embedder.embed(embedder.workspace_id, None, texts)).vectors

    def cosine(left: list[float], right: list[float]) -> float:
        dot = sum(a * b for a, b in zip(left, right, strict=True))
        return dot / (math.hypot(*left) * math.hypot(*right))

    assert cosine(query, similar) > cosine(query, unrelated)
