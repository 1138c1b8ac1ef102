"""The test servers themselves: what other tests (and other processes) rely on."""

from __future__ import annotations

import httpx
import pytest
from pydantic_ai.embeddings import Embedder
from pydantic_ai.embeddings.openai import OpenAIEmbeddingModel
from pydantic_ai.providers.openai import OpenAIProvider

from tests.servers.counting import CountingServer
from tests.servers.openai_embeddings import fake_vector
from tests.servers.openai_fake import FakeOpenAI


async def test_counts_are_readable_over_http(counting: CountingServer) -> None:
    async with httpx.AsyncClient(base_url=counting.url) as client:
        await client.get("/a")
        await client.post("/a", json={"x": 1})
        await client.get("/b?status=404")
        counts = (await client.get("/__counts")).json()

    assert counts == {"/a": 2, "/b": 1}


async def test_a_path_can_be_told_to_fail_its_first_calls(counting: CountingServer) -> None:
    async with httpx.AsyncClient(base_url=counting.url) as client:
        await client.post("/__fail", json={"path": "/flaky", "status": 503, "times": 2})
        statuses = [(await client.get("/flaky")).status_code for _ in range(3)]

    assert statuses == [503, 503, 200]


async def test_the_fake_can_be_told_to_fail_over_http(openai_api: FakeOpenAI) -> None:
    headers = {"Authorization": f"Bearer {openai_api.api_key}"}
    request = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    async with httpx.AsyncClient(base_url=openai_api.url) as client:
        await client.post("/__control", json={"fail": {"status": 429, "times": 1}})
        first = await client.post("/v1/chat/completions", json=request, headers=headers)
        second = await client.post("/v1/chat/completions", json=request, headers=headers)

    assert first.status_code == 429
    assert second.json()["choices"][0]["message"]["content"] == "echo: hi"


async def test_fake_embeddings_are_deterministic_and_honour_dimensions(openai_api: FakeOpenAI) -> None:
    provider = OpenAIProvider(base_url=openai_api.base_url, api_key=openai_api.api_key)
    embedder = Embedder(OpenAIEmbeddingModel("embed-fake", provider=provider))

    result = await embedder.embed_documents(["alpha", "beta"], settings={"dimensions": 8})

    # The SDK asks for base64-packed float32, hence the tolerance.
    expected = [fake_vector("alpha", 8), fake_vector("beta", 8)]
    assert [list(vector) for vector in result.embeddings] == [pytest.approx(v, rel=1e-6) for v in expected]
    assert openai_api.bodies("/v1/embeddings")[0]["dimensions"] == 8
