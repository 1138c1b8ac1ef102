"""The offline default embedder understands meaning: on a small labelled set, each query's
paraphrase ranks first among texts about other things. No network: the weights ship in the wheel."""

from __future__ import annotations

import math
import socket

import pytest

from backend.knowledge.offline import OFFLINE_DIMENSION, offline_vectors

# (query, its paraphrase); every other pair's paraphrase is an unrelated text for this query
LABELLED = [
    ("how do I reset my password", "steps to recover access when you forgot your login credentials"),
    ("the cat is sleeping on the sofa", "a kitten naps on the couch"),
    ("when is the invoice due", "the payment deadline for this bill"),
    ("heavy rain is expected tomorrow", "the forecast says there will be a storm with showers"),
    ("my laptop will not turn on", "the computer does not boot"),
    ("a recipe for tomato soup", "how to cook a soup made of tomatoes"),
    ("flights to Paris are delayed", "planes to France leave late today"),
    ("the doctor prescribed antibiotics", "the physician gave me medicine for the infection"),
]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a socket or resolve a name fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network use: {args}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def cosine(left: list[float], right: list[float]) -> float:
    return sum(a * b for a, b in zip(left, right, strict=True))


async def test_each_query_finds_its_paraphrase_above_unrelated_texts(no_network: None) -> None:
    queries = await offline_vectors([query for query, _ in LABELLED])
    paraphrases = await offline_vectors([paraphrase for _, paraphrase in LABELLED])

    for index, query in enumerate(queries):
        ranked = sorted(range(len(paraphrases)), key=lambda other: -cosine(query, paraphrases[other]))
        assert ranked[0] == index, (LABELLED[index][0], [LABELLED[other][1] for other in ranked[:3]])


async def test_vectors_are_unit_length_and_of_the_models_dimension(no_network: None) -> None:
    [vector] = await offline_vectors(["a kitten naps on the couch"])

    assert len(vector) == OFFLINE_DIMENSION
    assert math.isclose(math.fsum(value * value for value in vector), 1.0, rel_tol=1e-5)
