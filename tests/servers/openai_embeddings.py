"""The fake's embeddings: `POST /v1/embeddings`, deterministic unit vectors honouring `dimensions`."""

from __future__ import annotations

import base64
import hashlib
import math
import struct
from typing import Any

DEFAULT_DIMENSIONS = 32


def fake_vector(text: str, dimensions: int) -> list[float]:
    """The unit vector the fake gives `text`: the same text always gets the same vector."""
    values: list[float] = []
    counter = 0
    while len(values) < dimensions:
        digest = hashlib.sha256(f"{counter}:{text}".encode()).digest()
        values.extend(byte / 127.5 - 1.0 for byte in digest)
        counter += 1
    values = values[:dimensions]
    norm = math.sqrt(sum(value * value for value in values)) or 1.0
    return [value / norm for value in values]


def embeddings_response(body: dict[str, Any]) -> dict[str, Any]:
    """The answer to an embeddings request."""
    texts = body.get("input", [])
    if isinstance(texts, str):
        texts = [texts]
    dimensions = int(body.get("dimensions") or DEFAULT_DIMENSIONS)
    data = []
    for index, text in enumerate(texts):
        vector = fake_vector(str(text), dimensions)
        encoded: Any = vector
        if body.get("encoding_format") == "base64":
            encoded = base64.b64encode(struct.pack(f"<{dimensions}f", *vector)).decode()
        data.append({"object": "embedding", "index": index, "embedding": encoded})
    tokens = sum(len(str(text).split()) for text in texts)
    return {
        "object": "list",
        "data": data,
        "model": body.get("model", ""),
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
