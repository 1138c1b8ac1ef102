"""What the in-memory ports promise beyond their ports' contracts (tests/conformance covers those)."""

import math
from uuid import uuid4

from pydantic_ai.models.test import TestModel

from engine.embeddings import HASHING_MODEL
from engine.testing import HashingEmbedder, StaticModelFactory


async def test_the_hashing_embedder_makes_normalised_256_dimension_vectors_named_hashing_256() -> None:
    embeddings = await HashingEmbedder().embed(uuid4(), None, ["Hello, hello world", ""])

    hello, empty = embeddings.vectors
    assert embeddings.model == HASHING_MODEL == "hashing-256"
    assert len(hello) == 256
    assert math.isclose(math.hypot(*hello), 1.0)
    assert not any(empty)


async def test_the_hashing_embedder_ignores_case_and_punctuation() -> None:
    embedder = HashingEmbedder()

    vectors = (await embedder.embed(uuid4(), None, ["Refund policy!", "refund POLICY"])).vectors

    assert vectors[0] == vectors[1]


async def test_the_static_model_factory_serves_test_models_for_unknown_strings() -> None:
    custom = TestModel(custom_output_text="custom")
    factory = StaticModelFactory({"openai:gpt-4o": custom})

    assert await factory.model(uuid4(), "openai:gpt-4o") is custom
    assert isinstance(await factory.model(uuid4(), "test"), TestModel)
    assert isinstance(await factory.model(uuid4(), "anthropic:claude"), TestModel)
