"""Splitting a document's text into chunks for embedding, with semantic-text-splitter.

Chunks end at the largest boundary that fits: headings, then blocks, then sentences, then words for
Markdown; blank lines, then lines, then sentences, then words for plain text. Sizes are counted in
characters, or in tokens of the Llama 2 tokenizer that ships inside the wordllama wheel (the same one
the offline embedder uses; other embedding models count somewhat differently).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal

from semantic_text_splitter import MarkdownSplitter, TextSplitter
from tokenizers import Tokenizer

SIZE_LIMITS: dict[str, tuple[int, int]] = {"characters": (50, 8_000), "tokens": (16, 2_000)}
"""The smallest and largest chunk size allowed, per unit."""

# The only tokenizer the wordllama 0.4.0.post1 wheel ships (its default `l2_supercat` model's).
_TOKENIZER_FILE = Path("tokenizers") / "l2_supercat_tokenizer_config.json"


@dataclass(frozen=True, slots=True)
class ChunkingSettings:
    """How a collection's documents are cut into chunks."""

    size: int = 1000
    """The most a chunk may hold, in `unit`s."""
    overlap: int = 100
    """The most each chunk may repeat of the end of the previous one, in `unit`s."""
    unit: Literal["characters", "tokens"] = "characters"
    """What `size` and `overlap` count."""


@dataclass(frozen=True, slots=True)
class TextChunk:
    """One chunk of a document's text."""

    text: str
    """The chunk, without leading or trailing whitespace."""
    position: int
    """0-based index of the chunk in its document."""
    start: int
    """Offset of the chunk's first character in the document text."""


def chunking_problems(settings: ChunkingSettings) -> list[str]:
    """What is wrong with chunking settings, in words a user can act on.

    Args:
        settings: The settings to check.

    Returns:
        One message per problem; empty when the settings are usable.
    """
    limits = SIZE_LIMITS.get(settings.unit)
    if limits is None:
        return [f"chunk unit must be one of {', '.join(SIZE_LIMITS)}, not {settings.unit!r}"]
    low, high = limits
    problems = []
    if not low <= settings.size <= high:
        problems.append(
            f"chunk size must be between {low:,} and {high:,} {settings.unit} (got {settings.size:,})"
        )
    if settings.overlap < 0:
        problems.append(f"chunk overlap cannot be negative (got {settings.overlap:,})")
    elif settings.overlap >= settings.size:
        problems.append(
            f"chunk overlap must be smaller than the chunk size ({settings.overlap:,} >= {settings.size:,})"
        )
    return problems


def split(text: str, *, markdown: bool, settings: ChunkingSettings) -> list[TextChunk]:
    """Cut a document's text into chunks of at most `settings.size` units.

    Args:
        text: The document's text.
        markdown: Whether to follow Markdown structure (headings, lists, code blocks) when cutting.
        settings: Chunk size, overlap and unit; see `chunking_problems`.

    Returns:
        The chunks in document order, positions numbered from 0; chunks of only whitespace are left out.

    Raises:
        ValueError: The settings have problems (`chunking_problems` lists them).
    """
    problems = chunking_problems(settings)
    if problems:
        raise ValueError("; ".join(problems))
    pieces = _splitter(settings, markdown=markdown).chunk_indices(text)
    kept = [(start, piece) for start, piece in pieces if piece.strip()]
    return [
        TextChunk(text=piece, position=position, start=start) for position, (start, piece) in enumerate(kept)
    ]


# Building a token-counting splitter takes about 170 ms (it copies the tokenizer; a character one
# takes microseconds), and a worker chunks every document of a collection with the same settings.
@lru_cache(maxsize=32)
def _splitter(settings: ChunkingSettings, *, markdown: bool) -> MarkdownSplitter | TextSplitter:
    splitter = MarkdownSplitter if markdown else TextSplitter
    if settings.unit == "tokens":
        return splitter.from_huggingface_tokenizer(_tokenizer(), settings.size, overlap=settings.overlap)
    return splitter(settings.size, overlap=settings.overlap)


@cache
def _tokenizer() -> Tokenizer:
    # Located without importing wordllama: its __init__ calls logging.basicConfig(level=INFO), which
    # would reconfigure the process's logging, and takes 0.6 s to import numpy and its models.
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("wordllama is not installed; its wheel ships the tokenizer for `tokens`")
    tokenizer = Tokenizer.from_file(str(Path(spec.submodule_search_locations[0]) / _TOKENIZER_FILE))
    # A truncating tokenizer would under-count long pieces and let chunks grow past their size.
    tokenizer.no_truncation()
    return tokenizer
