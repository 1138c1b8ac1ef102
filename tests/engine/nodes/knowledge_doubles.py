"""An in-memory VectorStore and a bag-of-words Embedder: small, real, deterministic."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal
from uuid import UUID

from pydantic import JsonValue

from engine.ports import Chunk, CollectionInfo, DimensionMismatchError, Embeddings, Hit
from engine.records import Usage

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


@dataclass
class MemoryVectorStore:
    """Collections in a dict, cosine similarity, exact-match metadata filters."""

    collections: dict[tuple[UUID, str], tuple[CollectionInfo, dict[str, Chunk]]] = field(default_factory=dict)
    searches: list[dict[str, object]] = field(default_factory=list)

    async def collection(self, workspace_id: UUID, name: str) -> CollectionInfo | None:
        found = self.collections.get((workspace_id, name))
        return found[0] if found else None

    async def upsert(self, workspace_id: UUID, collection: CollectionInfo, chunks: Sequence[Chunk]) -> None:
        info, stored = self.collections.setdefault((workspace_id, collection.name), (collection, {}))
        if (info.model, info.dimension) != (collection.model, collection.dimension):
            raise DimensionMismatchError(f"{info.name} holds {info.model} vectors of {info.dimension}")
        for chunk in chunks:
            if len(chunk.vector) != info.dimension:
                raise DimensionMismatchError(f"{info.name} holds vectors of {info.dimension}")
            stored[chunk.id] = chunk

    async def search(
        self,
        workspace_id: UUID,
        collection: str,
        vector: Sequence[float],
        *,
        top_k: int,
        filter: Mapping[str, JsonValue] | None = None,
        mode: Literal["semantic", "hybrid"] = "semantic",
        query_text: str | None = None,
    ) -> list[Hit]:
        self.searches.append({"collection": collection, "filter": filter, "mode": mode, "query": query_text})
        info, stored = self.collections[(workspace_id, collection)]
        if len(vector) != info.dimension:
            raise DimensionMismatchError(f"{collection} holds vectors of {info.dimension}")
        wanted = filter or {}
        hits = [
            Hit(
                chunk.id,
                chunk.text,
                sum(a * b for a, b in zip(vector, chunk.vector, strict=True)),
                chunk.metadata,
            )
            for chunk in stored.values()
            if all(chunk.metadata.get(key) == value for key, value in wanted.items())
        ]
        return sorted(hits, key=lambda hit: hit.score, reverse=True)[:top_k]
