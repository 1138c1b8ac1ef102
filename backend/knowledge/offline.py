"""The offline default embedder: wordllama's static embeddings, shipped inside its wheel.

No key, no network and no GPU: 256-dimension vectors that capture meaning well enough to find a
paraphrase (`cat`/`kitten` 0.58, `cat`/`invoice` 0.0), at about 35 ms per 1,000 sentences on one core.
The weights load once per process (0.3 to 0.6 s), on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import anyio.to_thread

if TYPE_CHECKING:
    from wordllama import WordLlama

OFFLINE_MODEL = "wordllama-256"
"""The model name collections and nodes use for it."""
OFFLINE_DIMENSION = 256
INLINE_TEXTS = 32
"""Batches up to this many texts are embedded on the event loop (well under a millisecond);
larger ones in a worker thread."""

_lock = threading.Lock()
_model: WordLlama | None = None


def _load() -> WordLlama:
    global _model  # noqa: PLW0603 - one copy of the weights per process, loaded on first use
    with _lock:
        if _model is None:
            import wordllama  # noqa: PLC0415 - 0.3 s of loading that processes without knowledge skip

            # plain WordLlama.load() looks for `tokenizer/` while the wheel ships `tokenizers/`, and
            # then tries to download from a model hub: point it at the wheel and forbid downloads
            _model = wordllama.WordLlama.load(
                cache_dir=Path(wordllama.__file__).parent, disable_download=True
            )
        return _model


def _embed(texts: Sequence[str]) -> list[list[float]]:
    rows: list[list[float]] = _load().embed(list(texts), norm=True).tolist()
    return rows


async def offline_vectors(texts: Sequence[str]) -> list[list[float]]:
    """Unit-length wordllama vectors of `texts`, in order."""
    if len(texts) <= INLINE_TEXTS and _model is not None:
        return _embed(texts)
    return await anyio.to_thread.run_sync(_embed, texts)
