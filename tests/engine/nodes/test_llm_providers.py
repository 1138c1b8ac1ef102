"""The `llm` node through the real model factory against the fake OpenAI API on 127.0.0.1:
`openai-chat:` (Chat Completions) and `openai:` (Responses API), and the address policy every
provider's requests obey."""

from __future__ import annotations

import socket
from typing import Any

import anyio
import pytest

from engine.models import LOCAL_MODEL_SERVERS, ProviderSettings, StaticModelFactory
from engine.nodes import llm
from engine.nodes.address_policy import AddressPolicy
from engine.nodes.base import HttpSettings, NodeError
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
    # gpt-fake has no price: its tokens count at 0, marked unpriced
    assert result.usage == Usage(input_tokens=6, output_tokens=5, requests=1, unpriced=True)
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


ALL_PROVIDERS = ["openai", "openai-chat", "anthropic", "ollama"]


def factory_at(base_url: str, policy: AddressPolicy, api_key: str = "sk-fake-key") -> StaticModelFactory:
    """Every provider pointed at `base_url`, reached under `policy`."""
    settings = ProviderSettings(api_key=api_key, base_url=base_url)
    return StaticModelFactory(dict.fromkeys(ALL_PROVIDERS, settings), policy=policy)


async def refusal(factory: StaticModelFactory, model: str) -> NodeError:
    with pytest.raises(NodeError) as failure:
        await llm.execute(llm_node(model=model, prompt="Hi"), make_context(models=factory))
    assert not failure.value.retryable
    return failure.value


@pytest.mark.parametrize("prefix", ALL_PROVIDERS)
async def test_every_provider_connects_only_where_the_address_policy_allows(
    openai_api: FakeOpenAI, prefix: str
) -> None:
    error = await refusal(factory_at(openai_api.base_url, AddressPolicy()), f"{prefix}:gpt-fake")

    assert "refused to connect to 127.0.0.1: a loopback address" in str(error)
    assert openai_api.requests == []


async def test_a_model_server_on_loopback_is_reached_under_the_embedded_policy(
    openai_api: FakeOpenAI,
) -> None:
    factory = factory_at(openai_api.base_url, LOCAL_MODEL_SERVERS, openai_api.api_key)

    result = await llm.execute(
        llm_node(model="openai-chat:gpt-fake", prompt="Hi"), make_context(models=factory)
    )

    assert result.output == "echo: Hi"


async def test_an_allowlisted_model_server_is_reached_where_loopback_is_not_allowed(
    openai_api: FakeOpenAI,
) -> None:
    policy = AddressPolicy(allowlist=frozenset({"127.0.0.1"}))
    factory = factory_at(openai_api.base_url, policy, openai_api.api_key)

    result = await llm.execute(llm_node(model="ollama:gpt-fake", prompt="Hi"), make_context(models=factory))

    assert result.output == "echo: Hi"


@pytest.mark.parametrize("base_url", ["http://169.254.169.254/v1", "http://[fe80::a9fe:a9fe]/v1"])
async def test_models_never_reach_a_link_local_address_even_when_allowlisted(
    openai_api: FakeOpenAI, base_url: str
) -> None:
    host = base_url.split("/")[2].strip("[]")
    policy = AddressPolicy(allowlist=frozenset({host}), allow_loopback=True)

    error = await refusal(factory_at(base_url, policy), "openai-chat:gpt-fake")

    assert "a link-local address" in str(error)
    assert "never allowed" in str(error)


async def test_a_model_host_that_resolves_to_a_private_address_when_called_is_refused(
    openai_api: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The credential was accepted while the name pointed elsewhere; the resolver is replaced (it is
    # not our code) so no lookup leaves the machine.
    async def resolve(host: str, port: int, **_: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port))]

    monkeypatch.setattr(anyio, "getaddrinfo", resolve)

    error = await refusal(factory_at("http://models.example/v1", LOCAL_MODEL_SERVERS), "openai-chat:gpt-fake")

    assert "refused to connect to models.example (10.0.0.5): a private address" in str(error)


async def test_a_model_request_goes_to_the_address_that_was_checked(
    openai_api: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `models.example` exists only in this resolver: the request can reach the fake on 127.0.0.1
    # only by connecting to the address the policy checked, which is looked up once.
    port = int(openai_api.url.rpartition(":")[2])
    lookups: list[str] = []

    async def resolve(host: str, port: int, **_: Any) -> list[Any]:
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(anyio, "getaddrinfo", resolve)
    factory = factory_at(f"http://models.example:{port}/v1", LOCAL_MODEL_SERVERS, openai_api.api_key)

    result = await llm.execute(
        llm_node(model="openai-chat:gpt-fake", prompt="Hi"), make_context(models=factory)
    )

    assert result.output == "echo: Hi"
    assert lookups == ["models.example"]
    assert openai_api.requests[0].headers["host"] == f"models.example:{port}"
