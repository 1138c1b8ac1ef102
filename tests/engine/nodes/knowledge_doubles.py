"""A recording in-memory VectorStore and a bag-of-words Embedder: small, real, deterministic."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from uuid import UUID

from engine.filters import Filter
from engine.ports import Embeddings, Hit, SearchMode
from engine.records import Usage
from engine.testing import InMemoryVectorStore

DEFAULT_MODEL = "hash-64"
"""`hash-<n>` models make n-dimensional vectors."""


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


@dataclass
class HashEmbedder:
    """Texts sharing words get similar vectors: each word adds 1 to a hashed coordinate."""

    default_model: str = DEFAULT_MODEL
    calls: list[tuple[str, list[str], bool]] = field(default_factory=list)

    async def embed(
        self, workspace_id: UUID, model: str | None, texts: Sequence[str], *, query: bool = False
    ) -> Embeddings:
        chosen = model or self.default_model
        dimension = int(chosen.rpartition("-")[2])
        self.calls.append((chosen, list(texts), query))
        vectors = []
        for text in texts:
            vector = [0.0] * dimension
            for token in _tokens(text):
                vector[int(hashlib.sha256(token.encode()).hexdigest(), 16) % dimension] += 1.0
            norm = math.sqrt(sum(value * value for value in vector)) or 1.0
            vectors.append([value / norm for value in vector])
        tokens = sum(len(_tokens(text)) for text in texts)
        return Embeddings(model=chosen, vectors=vectors, usage=Usage(input_tokens=tokens, requests=1))


class MemoryVectorStore(InMemoryVectorStore):
    """The engine's in-memory store, recording each search's arguments (filters as parsed)."""

    def __init__(self) -> None:
        super().__init__()
        self.searches: list[dict[str, object]] = []

    async def search(
        self,
        workspace_id: UUID,
        collection: str,
        vector: Sequence[float] | None,
        *,
        top_k: int,
        filter: Filter | None = None,
        mode: SearchMode = "semantic",
        query_text: str | None = None,
    ) -> list[Hit]:
        self.searches.append({"collection": collection, "filter": filter, "mode": mode, "query": query_text})
        return await super().search(
            workspace_id, collection, vector, top_k=top_k, filter=filter, mode=mode, query_text=query_text
        )
