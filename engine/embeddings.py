"""The offline embedding model: hashed bag-of-words vectors, for workspaces without a provider.

It needs no key and no network, so the embedded mode can run embedding and retrieve nodes out of
the box; its vectors rank texts by shared words, which is crude but deterministic and real.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence

HASHING_MODEL = "hashing-256"
DIMENSION = 256

_WORD = re.compile(r"\w+", re.UNICODE)


def hashing_vector(text: str, dimension: int = DIMENSION) -> list[float]:
    """The L2-normalised bag-of-words vector of `text` (each lowercase word hashed to a slot)."""
    vector = [0.0] * dimension
    for word in _WORD.findall(text.lower()):
        digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
        vector[int.from_bytes(digest, "big") % dimension] += 1.0
    norm = math.sqrt(sum(value * value for value in vector))
    return vector if norm == 0 else [value / norm for value in vector]


def hashing_vectors(texts: Sequence[str], dimension: int = DIMENSION) -> list[list[float]]:
    """`hashing_vector` of every text, in order."""
    return [hashing_vector(text, dimension) for text in texts]
