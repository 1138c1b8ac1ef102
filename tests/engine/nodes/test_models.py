"""Model strings → pydantic-ai models, with credentials passed in (never read from the environment)."""

from __future__ import annotations

import pytest
from pydantic_ai.models.anthropic import AnthropicModel
from pydantic_ai.models.openai import OpenAIChatModel, OpenAIResponsesModel
from pydantic_ai.models.test import TestModel

from engine.models import (
    LOCAL_MODEL_SERVERS,
    ProviderSettings,
    build_model,
    provider_http_client,
    provider_of,
)
from engine.ports import MissingCredentialsError

KEYED = ProviderSettings(api_key="sk-test", base_url="http://127.0.0.1:9/v1")
CLIENT = provider_http_client(LOCAL_MODEL_SERVERS)
"""The client models are built over; these tests never send anything through it."""


@pytest.mark.parametrize(
    ("model", "provider"),
    [
        ("openai:gpt-4o", "openai"),
        ("openai-chat:x", "openai-chat"),
        ("ollama:llama3", "ollama"),
        ("test", "test"),
    ],
)
def test_the_provider_is_the_part_before_the_colon(model: str, provider: str) -> None:
    assert provider_of(model) == provider


@pytest.mark.parametrize(
    ("model", "kind"),
    [
        ("openai:gpt-4o", OpenAIResponsesModel),
        ("openai-chat:gpt-4o", OpenAIChatModel),
        ("anthropic:claude-sonnet-4-5", AnthropicModel),
        ("ollama:llama3", OpenAIChatModel),
    ],
)
def test_each_provider_gets_its_model_class(model: str, kind: type) -> None:
    built = build_model(model, provider_settings=KEYED, http_client=CLIENT)

    assert type(built) is kind
    assert built.model_name == model.partition(":")[2]


@pytest.mark.parametrize("model", ["test", "test:anything"])
def test_the_test_model_needs_no_credentials(model: str) -> None:
    assert isinstance(build_model(model, provider_settings=None, http_client=CLIENT), TestModel)


def test_the_ollama_model_talks_to_the_given_server() -> None:
    built = build_model(
        "ollama:llama3",
        provider_settings=ProviderSettings(base_url="http://127.0.0.1:11434/v1"),
        http_client=CLIENT,
    )

    assert built.system == "ollama"
    assert built.base_url == "http://127.0.0.1:11434/v1/"


def test_an_openai_compatible_server_may_need_no_key() -> None:
    built = build_model(
        "openai-chat:local",
        provider_settings=ProviderSettings(base_url="http://127.0.0.1:8000/v1"),
        http_client=CLIENT,
    )

    assert built.base_url == "http://127.0.0.1:8000/v1/"


@pytest.mark.parametrize("model", ["openai:gpt-4o", "openai-chat:gpt-4o", "anthropic:claude-sonnet-4-5"])
def test_a_missing_key_raises_missing_credentials_naming_the_provider(
    model: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A key in the server's environment must not stand in for the workspace's.
    monkeypatch.setenv("OPENAI_API_KEY", "sk-server")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-server")

    with pytest.raises(MissingCredentialsError, match=r"setCredential") as raised:
        build_model(model, provider_settings=None, http_client=CLIENT)
    assert raised.value.provider == provider_of(model)


def test_the_environment_base_url_is_never_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")

    built = build_model(
        "openai:gpt-4o", provider_settings=ProviderSettings(api_key="sk-test"), http_client=CLIENT
    )

    assert built.base_url == "https://api.openai.com/v1/"
