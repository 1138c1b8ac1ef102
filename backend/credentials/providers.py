"""The engine's ModelFactory and Embedder ports, backed by each workspace's credentials.

Both send through the one HTTP client the composition root gives them (`provider_http_client`), which
connects only where the model address policy allows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from uuid import UUID

from pydantic_ai.models import Model

from backend.credentials.service import CredentialService, credential_provider
from backend.knowledge.offline import OFFLINE_MODEL, offline_vectors
from engine.models import NO_KEY, OPENAI_BASE_URL, ProviderSettings, build_model
from engine.ports import Embeddings, MissingCredentialsError
from engine.records import Usage

if TYPE_CHECKING:
    import httpx2

PROVIDER_BATCH = 256
"""Texts per embeddings request to a provider (OpenAI accepts up to 2,048; smaller batches fail less)."""


def _missing(provider: str, what: str) -> MissingCredentialsError:
    return MissingCredentialsError(
        provider,
        f"this workspace has no {provider} credentials for {what}: set them with "
        f'setCredential(input: {{provider: "{provider}", apiKey: "…"}})',
    )


class WorkspaceModels:
    """ModelFactory: a model string plus the workspace's credentials for its provider."""

    def __init__(self, credentials: CredentialService, http_client: httpx2.AsyncClient) -> None:
        """Build models with the workspace's credentials, sending through `http_client`."""
        self._credentials = credentials
        self._http = http_client

    async def model(self, workspace_id: UUID, model: str) -> Model:
        """The pydantic-ai model for `model` in this workspace."""
        provider = credential_provider(model)
        if provider is None:
            return build_model(model, provider_settings=None, http_client=self._http)
        secret = await self._credentials.provider_secret(workspace_id, provider)
        if secret is None:
            raise _missing(provider, model)
        settings = ProviderSettings(api_key=secret.api_key, base_url=secret.base_url)
        return build_model(model, provider_settings=settings, http_client=self._http)


class UnknownEmbeddingModelError(ValueError):
    """The model string names no embedding provider Flowloom knows."""


def embedding_provider(model: str) -> str:
    """The provider of an embedding model string: `offline`, `openai` or `ollama`.

    Raises:
        UnknownEmbeddingModelError: Neither the offline model nor `openai:<name>` / `ollama:<name>`.
    """
    if model == OFFLINE_MODEL:
        return "offline"
    provider, _, name = model.partition(":")
    if provider in {"openai", "ollama"} and name:
        return provider
    raise UnknownEmbeddingModelError(
        f"unknown embedding model {model!r}: use {OFFLINE_MODEL} (offline), openai:<name> (OpenAI or "
        "any OpenAI-compatible base URL) or ollama:<name>"
    )


class WorkspaceEmbedder:
    """Embedder: the offline wordllama model, or OpenAI(-compatible) and Ollama embeddings with the
    workspace's credentials, in batches of `PROVIDER_BATCH` texts per request.

    A node that names no model gets the offline model, which needs no key and no network.
    """

    def __init__(self, credentials: CredentialService, http_client: httpx2.AsyncClient) -> None:
        """Embed with the workspace's credentials, sending through `http_client`."""
        self._credentials = credentials
        self._http = http_client

    async def default_model(self, workspace_id: UUID) -> str:
        """The embedding model nodes and collections get when they name none."""
        return OFFLINE_MODEL

    async def embed(
        self, workspace_id: UUID, model: str | None, texts: Sequence[str], *, query: bool = False
    ) -> Embeddings:
        """Embed texts with `model` (None: the workspace default).

        Raises:
            UnknownEmbeddingModelError: The model names no known provider.
            MissingCredentialsError: The provider has no credentials in this workspace.
        """
        chosen = model or await self.default_model(workspace_id)
        provider = embedding_provider(chosen)
        if provider == "offline":
            words = sum(len(text.split()) for text in texts)
            return Embeddings(chosen, await offline_vectors(texts), Usage(input_tokens=words, requests=1))
        secret = await self._credentials.provider_secret(workspace_id, provider)
        if secret is None or (provider == "ollama" and not secret.base_url):
            raise _missing(provider, chosen)
        # imported on first use, on purpose: the provider SDKs take seconds to import (engine/models.py)
        from pydantic_ai.embeddings import Embedder as PydanticEmbedder  # noqa: PLC0415 - start-up time
        from pydantic_ai.embeddings.openai import OpenAIEmbeddingModel  # noqa: PLC0415 - start-up time
        from pydantic_ai.providers.ollama import OllamaProvider  # noqa: PLC0415 - start-up time
        from pydantic_ai.providers.openai import OpenAIProvider  # noqa: PLC0415 - start-up time

        name = chosen.partition(":")[2]
        client = (
            OllamaProvider(base_url=secret.base_url, api_key=secret.api_key or NO_KEY, http_client=self._http)
            if provider == "ollama"
            else OpenAIProvider(
                base_url=secret.base_url or OPENAI_BASE_URL,
                api_key=secret.api_key or NO_KEY,
                http_client=self._http,
            )
        )
        embedder = PydanticEmbedder(OpenAIEmbeddingModel(name, provider=client))
        vectors: list[list[float]] = []
        usage = Usage()
        for start in range(0, len(texts), PROVIDER_BATCH):
            batch = list(texts[start : start + PROVIDER_BATCH])
            result = await (embedder.embed_query(batch) if query else embedder.embed_documents(batch))
            vectors.extend(list(vector) for vector in result.embeddings)
            usage = usage + Usage(input_tokens=result.usage.input_tokens or 0, requests=1)
        return Embeddings(model=chosen, vectors=vectors, usage=usage)
