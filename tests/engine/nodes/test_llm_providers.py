"""The `llm` node through the real model factory against the fake OpenAI API on 127.0.0.1:
`openai-chat:` (Chat Completions) and `openai:` (Responses API)."""

from __future__ import annotations

import pytest

from engine.nodes import llm
from engine.nodes.base import HttpSettings
from engine.ports import Chunk, CollectionInfo
from engine.records import Usage
from tests.engine.nodes.context import make_context
from tests.engine.nodes.knowledge_doubles import HashEmbedder, MemoryVectorStore
from tests.engine.nodes.llm_support import fake_factory, llm_node
from tests.json_values import text
from tests.servers.counting import CountingServer
from tests.servers.openai_fake import FakeOpenAI

PROVIDERS = [("openai-chat", "/v1/chat/completions"), ("openai", "/v1/responses")]
LOCAL = HttpSettings(allowlist=frozenset({"127.0.0.1"}))


@pytest.fixture(params=PROVIDERS, ids=[provider for provider, _ in PROVIDERS])
def provider(request: pytest.FixtureRequest) -> tuple[str, str]:
    """Each OpenAI API flavour: the model string prefix and the endpoint it uses."""
    flavour: tuple[str, str] = request.param
    return flavour


async def test_the_answer_streams_from_the_provider(
    openai_api: FakeOpenAI, provider: tuple[str, str]
) -> None:
    prefix, path = provider
    context = make_context(models=fake_factory(openai_api), input="the quarterly report")
    spec = llm_node(model=f"{prefix}:gpt-fake", prompt="Summarise {{ input }}", system="Be brief")

    result = await llm.execute(spec, context)

    assert result.output == "echo: Summarise the quarterly report"
    assert context.deltas == ["echo:", " Summarise", " the", " quarterly", " report"]
    assert result.usage == Usage(input_tokens=6, output_tokens=5, requests=1)
    (sent,) = openai_api.bodies(path)
    assert sent["stream"] is True
    assert openai_api.requests[0].headers["authorization"] == f"Bearer {openai_api.api_key}"


async def test_sampling_settings_reach_the_provider(openai_api: FakeOpenAI) -> None:
    context = make_context(models=fake_factory(openai_api))
    spec = llm_node(model="openai-chat:gpt-fake", prompt="Hi", temperature=0.3, maxTokens=20)

    await llm.execute(spec, context)

    (sent,) = openai_api.bodies("/v1/chat/completions")
    assert sent["temperature"] == 0.3
    assert 20 in (sent.get("max_tokens"), sent.get("max_completion_tokens"))


async def test_the_model_can_call_an_http_tool(
    openai_api: FakeOpenAI, counting: CountingServer, provider: tuple[str, str]
) -> None:
    prefix, _ = provider
    context = make_context(models=fake_factory(openai_api), http=LOCAL, inputs={"city": "Paris"})
    tool = {
        "type": "http",
        "name": "weather",
        "description": "Current weather of the city",
        "url": counting.url + "/weather/{{ inputs.city }}",
    }
    spec = llm_node(model=f"{prefix}:gpt-fake", prompt="Weather?", tools=[tool])

    result = await llm.execute(spec, context)

    assert counting.count("/weather/Paris") == 1
    answer = text(result.output)
    assert answer.startswith("echo: Weather? | weather returned: ")
    assert '"path":"/weather/Paris"' in answer
    assert result.usage.requests == 2


async def test_the_model_can_search_a_collection(openai_api: FakeOpenAI, provider: tuple[str, str]) -> None:
    prefix, _ = provider
    embedder, vectors = HashEmbedder(), MemoryVectorStore()
    context = make_context(models=fake_factory(openai_api), embedder=embedder, vectors=vectors)
    facts = ["cats purr when content", "the invoice is due on Friday"]
    embedded = await embedder.embed(context.workspace_id, None, facts)
    info = CollectionInfo("notes", embedded.model, len(embedded.vectors[0]))
    chunks = [
        Chunk(f"c{i}", text, vector)
        for i, (text, vector) in enumerate(zip(facts, embedded.vectors, strict=True))
    ]
    await vectors.upsert(context.workspace_id, info, chunks)
    tool = {
        "type": "retrieve",
        "name": "notes",
        "description": "Search the notes",
        "collection": "notes",
        "topK": 1,
    }
    spec = llm_node(model=f"{prefix}:gpt-fake", prompt="when is the invoice due", tools=[tool])

    result = await llm.execute(spec, context)

    answer = text(result.output)
    assert "the invoice is due on Friday" in answer
    assert "cats" not in answer
    assert embedder.calls[-1] == (embedded.model, ["when is the invoice due"], True)
    assert result.usage.requests == 3  # two model requests and one embedding


async def test_structured_output_comes_back_as_json(
    openai_api: FakeOpenAI, provider: tuple[str, str]
) -> None:
    prefix, _ = provider
    schema = {
        "type": "object",
        "properties": {"topic": {"type": "string"}, "pages": {"type": "integer"}},
        "required": ["topic", "pages"],
    }
    context = make_context(models=fake_factory(openai_api))

    result = await llm.execute(
        llm_node(model=f"{prefix}:gpt-fake", prompt="taxes", outputSchema=schema), context
    )

    assert result.output == {"topic": "taxes", "pages": 1}
