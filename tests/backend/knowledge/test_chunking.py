"""Chunking a document's text: sizes in characters and tokens, offsets, overlap and settings checks."""

from __future__ import annotations

import importlib.util
from functools import cache
from itertools import pairwise
from pathlib import Path

import pytest
from tokenizers import Tokenizer

from backend.knowledge.chunking import ChunkingSettings, TextChunk, chunking_problems, split

WORDS = (
    *("the", "team", "reviews", "every", "invoice", "before", "payment", "and", "records", "each"),
    *("decision", "in", "the", "ledger"),
)


def sentence(number: int) -> str:
    """A sentence of 8 to 15 words, different for each number."""
    words = [WORDS[(number * 7 + index * 3) % len(WORDS)] for index in range(8 + number % 8)]
    return " ".join(words).capitalize() + f" (rule {number})."


def paragraph(number: int, sentences: int = 4) -> str:
    """`sentences` sentences numbered from `number * sentences`."""
    return " ".join(sentence(number * sentences + index) for index in range(sentences))


def handbook(sections: int, paragraphs: int = 3) -> str:
    """A Markdown handbook: a title, then `sections` level-2 sections of `paragraphs` paragraphs each."""
    parts = ["# Finance handbook"]
    for section in range(sections):
        parts.append(f"## Section {section}")
        parts.extend(paragraph(section * paragraphs + index) for index in range(paragraphs))
    return "\n\n".join(parts) + "\n"


@cache
def wordllama_tokenizer() -> Tokenizer:
    """The tokenizer the wordllama wheel ships, loaded from its file."""
    spec = importlib.util.find_spec("wordllama")
    assert spec is not None
    assert spec.submodule_search_locations is not None
    path = Path(spec.submodule_search_locations[0]) / "tokenizers" / "l2_supercat_tokenizer_config.json"
    return Tokenizer.from_file(str(path))


def token_count(text: str) -> int:
    """Tokens in `text` as the splitter counts them: without the `<s>` the tokenizer would prepend."""
    return len(wordllama_tokenizer().encode(text, add_special_tokens=False).ids)


def test_markdown_chunks_stay_within_the_size_in_characters() -> None:
    chunks = split(handbook(20), markdown=True, settings=ChunkingSettings(size=400, overlap=40))

    assert len(chunks) > 10
    assert max(len(chunk.text) for chunk in chunks) <= 400


def test_markdown_chunks_begin_at_headings_when_sections_fit() -> None:
    text = handbook(6, paragraphs=1)
    longest_section = max(len(f"## Section {n}\n\n{paragraph(n)}") for n in range(6))

    chunks = split(text, markdown=True, settings=ChunkingSettings(size=longest_section + 20, overlap=0))

    assert [chunk.text.split("\n")[0] for chunk in chunks[1:]] == [f"## Section {n}" for n in range(1, 6)]


def test_plain_text_chunks_end_at_paragraphs_when_paragraphs_fit() -> None:
    paragraphs = [paragraph(number, sentences=2) for number in range(12)]

    chunks = split("\n\n".join(paragraphs), markdown=False, settings=ChunkingSettings(size=300, overlap=0))

    assert all(piece in paragraphs for chunk in chunks for piece in chunk.text.split("\n\n"))


def test_chunk_offsets_point_at_the_chunk_text() -> None:
    text = "Präambel — Grüße.\n\n" + handbook(10)

    chunks = split(text, markdown=True, settings=ChunkingSettings(size=300, overlap=30))

    assert all(text[chunk.start : chunk.start + len(chunk.text)] == chunk.text for chunk in chunks)


def test_chunk_positions_count_from_zero_in_document_order() -> None:
    chunks = split(handbook(10), markdown=True, settings=ChunkingSettings(size=300, overlap=30))

    assert [chunk.position for chunk in chunks] == list(range(len(chunks)))
    assert [chunk.start for chunk in chunks] == sorted(chunk.start for chunk in chunks)


def test_neighbouring_chunks_share_text_when_overlap_is_set() -> None:
    text = " ".join(paragraph(number) for number in range(10))

    chunks = split(text, markdown=False, settings=ChunkingSettings(size=300, overlap=100))

    for previous, current in pairwise(chunks):
        previous_end = previous.start + len(previous.text)
        assert current.start < previous_end
        assert previous.text.endswith(text[current.start : previous_end])


def test_neighbouring_chunks_share_no_text_without_overlap() -> None:
    text = " ".join(paragraph(number) for number in range(10))

    chunks = split(text, markdown=False, settings=ChunkingSettings(size=300, overlap=0))

    assert all(current.start >= previous.start + len(previous.text) for previous, current in pairwise(chunks))


def test_token_chunks_stay_within_the_size_in_tokens() -> None:
    chunks = split(handbook(20), markdown=True, settings=ChunkingSettings(size=64, overlap=8, unit="tokens"))

    assert len(chunks) > 10
    assert max(token_count(chunk.text) for chunk in chunks) <= 64


def test_the_tokens_unit_counts_tokens_not_characters() -> None:
    chunks = split(handbook(20), markdown=True, settings=ChunkingSettings(size=64, overlap=0, unit="tokens"))

    assert max(len(chunk.text) for chunk in chunks) > 64 * 2


def test_text_of_only_whitespace_has_no_chunks() -> None:
    assert split(" \n\n\t \n", markdown=False, settings=ChunkingSettings()) == []


def test_a_short_text_is_one_chunk() -> None:
    assert split("  Just one line.\n", markdown=True, settings=ChunkingSettings()) == [
        TextChunk(text="Just one line.", position=0, start=2)
    ]


def test_default_settings_have_no_problems() -> None:
    assert chunking_problems(ChunkingSettings()) == []


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        (ChunkingSettings(size=49, overlap=0), "chunk size must be between 50 and 8,000 characters (got 49)"),
        (ChunkingSettings(size=8_001), "chunk size must be between 50 and 8,000 characters (got 8,001)"),
        (ChunkingSettings(size=15, overlap=0, unit="tokens"), "between 16 and 2,000 tokens (got 15)"),
        (ChunkingSettings(size=2_001, unit="tokens"), "between 16 and 2,000 tokens (got 2,001)"),
        (ChunkingSettings(overlap=-1), "chunk overlap cannot be negative (got -1)"),
        (ChunkingSettings(size=500, overlap=500), "overlap must be smaller than the chunk size (500 >= 500)"),
    ],
    ids=["chars-small", "chars-large", "tokens-small", "tokens-large", "negative-overlap", "overlap-size"],
)
def test_settings_out_of_bounds_have_a_problem(settings: ChunkingSettings, problem: str) -> None:
    problems = chunking_problems(settings)

    assert len(problems) == 1
    assert problem in problems[0]


def test_an_unknown_unit_is_a_problem() -> None:
    settings = ChunkingSettings(unit="words")  # type: ignore[arg-type]  # as an unchecked client could send

    assert chunking_problems(settings) == ["chunk unit must be one of characters, tokens, not 'words'"]


def test_split_refuses_settings_with_problems() -> None:
    with pytest.raises(ValueError, match="overlap must be smaller"):
        split("Some text.", markdown=False, settings=ChunkingSettings(size=100, overlap=100))
