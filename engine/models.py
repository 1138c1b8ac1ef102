"""Model strings → pydantic-ai models, with credentials passed in rather than read from the environment.

`openai:<name>` uses the Responses API (pydantic-ai's default for OpenAI), `openai-chat:<name>`
Chat Completions against any OpenAI-compatible base URL, `anthropic:<name>` Anthropic,
`ollama:<name>` an Ollama server's OpenAI-compatible endpoint, and `test` / `test:<anything>`
pydantic-ai's offline `TestModel`.

Every provider gets its key and base URL explicitly: pydantic-ai would otherwise fall back on
`OPENAI_API_KEY` and friends, and a workspace must never spend the server's own keys. Every provider
also gets the HTTP client it sends through, never pydantic-ai's default one: that client connects only
where the address policy allows (`provider_http_client`), so a base URL cannot reach the cloud metadata
service or, unless allowed, internal addresses.

The provider SDKs (openai, anthropic and pydantic-ai's modules over them) are imported when the
first model of their provider is built, on purpose: importing them takes ~2 s, which every CLI
command and every server start used to pay whether or not it ever called a model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

import httpx2
from pydantic_ai.models import Model, create_async_httpx2_client
from pydantic_ai.models.test import TestModel
from pydantic_ai.settings import ModelSettings

from engine.dsl.kinds.llm import TEST_MODEL
from engine.nodes.address_policy import AddressPolicy
from engine.nodes.guarded_network import GuardedTransport
from engine.ports import MissingCredentialsError

OPENAI_BASE_URL = "https://api.openai.com/v1"
ANTHROPIC_BASE_URL = "https://api.anthropic.com"

NO_KEY = "api-key-not-set"
"""Sent to OpenAI-compatible servers that need no key (the SDK insists on one)."""

# The scheduler owns retries (with backoff, counted as attempts), so the SDKs must not retry too:
# their own two retries would triple the requests behind one recorded attempt.
_NO_SDK_RETRIES = ModelSettings(max_retries=0)

MODEL_POOL_LIMITS = httpx2.Limits(max_connections=1000, max_keepalive_connections=100)
"""Connection pool of the provider client: the limits the OpenAI and Anthropic SDKs give their own."""

LOCAL_MODEL_SERVERS = AddressPolicy(allow_loopback=True)
"""The address policy of the embedded single-user mode: model servers on this machine (a local
Ollama or vLLM) are reachable, private and link-local addresses are not."""


def provider_http_client(policy: AddressPolicy) -> httpx2.AsyncClient:
    """The HTTP client provider SDKs send through: pydantic-ai's timeouts and user agent, over a
    transport that connects only where `policy` allows, to the very address it checked.

    Args:
        policy: Where model and embedding requests may connect.

    Returns:
        A client to share between providers; the caller closes it.
    """
    return create_async_httpx2_client(transport=GuardedTransport(policy, limits=MODEL_POOL_LIMITS))


@dataclass(frozen=True, slots=True)
class ProviderSettings:
    """How to reach one provider: its key, and its base URL (the public endpoint when None)."""

    api_key: str | None = None
    base_url: str | None = None


def provider_of(model: str) -> str:
    """The provider part of a model string: `openai`, `openai-chat`, `anthropic`, `ollama` or `test`.

    Args:
        model: A model string such as `openai:gpt-4o` or `test`.

    Returns:
        The provider name.
    """
    provider, _, _ = model.partition(":")
    return provider


def _missing(provider: str, what: str) -> MissingCredentialsError:
    return MissingCredentialsError(
        provider,
        f"no {what} for provider {provider}: set a credential for provider {provider} (setCredential)",
    )


def build_model(
    model: str, *, provider_settings: ProviderSettings | None, http_client: httpx2.AsyncClient
) -> Model:
    """Build the pydantic-ai model a model string names.

    Args:
        model: `provider:name`, or `test` / `test:<anything>`.
        provider_settings: The key and base URL of the model's provider, or None when the
            workspace has none.
        http_client: The client its requests go through (see `provider_http_client`).

    Returns:
        A model ready to use; nothing is sent until it is called.

    Raises:
        MissingCredentialsError: The provider needs a key (or, for ollama, a base URL) it lacks.
        ValueError: The provider is unknown.
    """
    provider = provider_of(model)
    name = model.partition(":")[2]
    if TEST_MODEL in (model, provider):
        return TestModel()
    settings = provider_settings or ProviderSettings()
    if provider == "openai":
        if not settings.api_key:
            raise _missing(provider, "API key")
        from pydantic_ai.models.openai import OpenAIResponsesModel  # noqa: PLC0415 - start-up time
        from pydantic_ai.providers.openai import OpenAIProvider  # noqa: PLC0415 - start-up time

        openai = OpenAIProvider(
            base_url=settings.base_url or OPENAI_BASE_URL, api_key=settings.api_key, http_client=http_client
        )
        return OpenAIResponsesModel(name, provider=openai, settings=_NO_SDK_RETRIES)
    if provider == "openai-chat":
        # A self-hosted OpenAI-compatible server often needs no key; OpenAI itself does.
        if not settings.api_key and not settings.base_url:
            raise _missing(provider, "API key")
        from pydantic_ai.models.openai import OpenAIChatModel  # noqa: PLC0415 - start-up time
        from pydantic_ai.providers.openai import OpenAIProvider  # noqa: PLC0415 - start-up time

        compatible = OpenAIProvider(
            base_url=settings.base_url or OPENAI_BASE_URL,
            api_key=settings.api_key or NO_KEY,
            http_client=http_client,
        )
        return OpenAIChatModel(name, provider=compatible, settings=_NO_SDK_RETRIES)
    if provider == "anthropic":
        if not settings.api_key:
            raise _missing(provider, "API key")
        from pydantic_ai.models.anthropic import AnthropicModel  # noqa: PLC0415 - start-up time
        from pydantic_ai.providers.anthropic import AnthropicProvider  # noqa: PLC0415 - start-up time

        anthropic = AnthropicProvider(
            api_key=settings.api_key,
            base_url=settings.base_url or ANTHROPIC_BASE_URL,
            http_client=http_client,
        )
        return AnthropicModel(name, provider=anthropic, settings=_NO_SDK_RETRIES)
    if provider == "ollama":
        if not settings.base_url:
            raise _missing(provider, "base URL")
        from pydantic_ai.models.openai import OpenAIChatModel  # noqa: PLC0415 - start-up time
        from pydantic_ai.providers.ollama import OllamaProvider  # noqa: PLC0415 - start-up time

        ollama = OllamaProvider(
            base_url=settings.base_url, api_key=settings.api_key or NO_KEY, http_client=http_client
        )
        return OpenAIChatModel(name, provider=ollama, settings=_NO_SDK_RETRIES)
    raise ValueError(f"unknown model provider {provider!r} in {model!r}")


class StaticModelFactory:
    """A `ModelFactory` over fixed provider settings, the same for every workspace.

    For embedded single-user set-ups and tests; the backend's factory looks settings up per workspace.
    """

    def __init__(
        self, providers: Mapping[str, ProviderSettings], *, policy: AddressPolicy = LOCAL_MODEL_SERVERS
    ) -> None:
        """Use `providers` (provider name → settings), reaching them where `policy` allows."""
        self._providers = dict(providers)
        self._policy = policy
        self._http: httpx2.AsyncClient | None = None

    async def model(self, workspace_id: UUID, model: str) -> Model:
        """The model for `model`.

        Raises:
            MissingCredentialsError: Its provider has no (or incomplete) settings.
        """
        if self._http is None:
            self._http = provider_http_client(self._policy)
        return build_model(
            model, provider_settings=self._providers.get(provider_of(model)), http_client=self._http
        )

    async def aclose(self) -> None:
        """Close the connections to the providers."""
        if self._http is not None:
            await self._http.aclose()
