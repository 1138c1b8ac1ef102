"""How provider failures surface from an `llm` node: the provider's message, and whether a retry
can help (rate limits and server errors yes; rejected keys and requests no)."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from engine.models import ProviderSettings, StaticModelFactory
from engine.nodes import llm
from engine.nodes.base import NodeError
from tests.engine.nodes.context import make_context
from tests.engine.nodes.llm_support import fake_factory, llm_node
from tests.servers.openai_fake import FakeOpenAI

PREFIXES = ["openai-chat", "openai"]


async def failure(factory: StaticModelFactory, model: str, **context_fields: Any) -> NodeError:
    with pytest.raises(NodeError) as raised:
        await llm.execute(llm_node(model=model, prompt="Hi"), make_context(models=factory, **context_fields))
    return raised.value


@pytest.mark.parametrize("prefix", PREFIXES)
async def test_a_rejected_key_is_final_and_quotes_the_provider(openai_api: FakeOpenAI, prefix: str) -> None:
    error = await failure(fake_factory(openai_api, api_key="sk-wrong"), f"{prefix}:gpt-fake")

    assert "Incorrect API key provided." in str(error)
    assert "(401)" in str(error)
    assert not error.retryable


@pytest.mark.parametrize("prefix", PREFIXES)
async def test_a_rate_limit_is_retryable(openai_api: FakeOpenAI, prefix: str) -> None:
    error = await failure(fake_factory(openai_api), f"{prefix}:status-429")

    assert "Rate limit reached for requests." in str(error)
    assert error.retryable


@pytest.mark.parametrize("prefix", PREFIXES)
async def test_a_server_error_is_retryable(openai_api: FakeOpenAI, prefix: str) -> None:
    error = await failure(fake_factory(openai_api), f"{prefix}:status-500")

    assert "The server had an error while processing your request." in str(error)
    assert error.retryable


async def test_an_invalid_request_is_final(openai_api: FakeOpenAI) -> None:
    error = await failure(fake_factory(openai_api), "openai-chat:status-400")

    assert "Invalid request." in str(error)
    assert not error.retryable


async def test_the_sdk_does_not_retry_behind_the_schedulers_back(openai_api: FakeOpenAI) -> None:
    openai_api.fail_next(500)

    await failure(fake_factory(openai_api), "openai-chat:gpt-fake")

    assert len(openai_api.bodies("/v1/chat/completions")) == 1


async def test_an_unreachable_provider_is_retryable(openai_api: FakeOpenAI) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    closed = ProviderSettings(api_key="sk-x", base_url=f"http://127.0.0.1:{port}/v1")

    error = await failure(StaticModelFactory({"openai-chat": closed}), "openai-chat:gpt-fake")

    assert error.retryable


async def test_a_refused_http_tool_destination_fails_the_node_for_good(openai_api: FakeOpenAI) -> None:
    tool = {"type": "http", "name": "meta", "description": "Metadata", "url": "http://169.254.169.254/latest"}
    spec = llm_node(model="openai-chat:gpt-fake", prompt="Hi", tools=[tool])

    with pytest.raises(NodeError, match=r"refused to connect to 169\.254\.169\.254") as raised:
        await llm.execute(spec, make_context(models=fake_factory(openai_api)))
    assert not raised.value.retryable


@pytest.mark.parametrize(
    ("model", "missing"),
    [
        ("openai:gpt-4o", "no API key for provider openai"),
        ("anthropic:claude-sonnet-4-5", "no API key for provider anthropic"),
        ("ollama:llama3", "no base URL for provider ollama"),
    ],
)
async def test_missing_credentials_are_final(model: str, missing: str) -> None:
    error = await failure(StaticModelFactory({}), model)

    assert missing in str(error)
    assert not error.retryable
