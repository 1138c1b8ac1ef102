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
from engine.embeddings import HASHING_MODEL, hashing_vectors
from engine.models import OPENAI_BASE_URL, ProviderSettings, build_model
from engine.ports import Embeddings, MissingCredentialsError
from engine.records import Usage

if TYPE_CHECKING:
    import httpx2

DEFAULT_OPENAI_EMBEDDING = "openai:text-embedding-3-small"


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


class WorkspaceEmbedder:
    """Embedder: OpenAI(-compatible) embeddings with the workspace's key, or the offline hashing model.

    A node that names no model gets the workspace default: OpenAI's small embedding model when the
    workspace has OpenAI credentials, otherwise the offline hashing model.
    """

    def __init__(self, credentials: CredentialService, http_client: httpx2.AsyncClient) -> None:
        """Embed with the workspace's credentials, sending through `http_client`."""
        self._credentials = credentials
        self._http = http_client

    async def default_model(self, workspace_id: UUID) -> str:
        """The embedding model nodes get when they name none."""
        has_openai = await self._credentials.provider_secret(workspace_id, "openai") is not None
        return DEFAULT_OPENAI_EMBEDDING if has_openai else HASHING_MODEL

    async def embed(
        self, workspace_id: UUID, model: str | None, texts: Sequence[str], *, query: bool = False
    ) -> Embeddings:
        """Embed texts with `model` (None: the workspace default)."""
        chosen = model or await self.default_model(workspace_id)
        if chosen == HASHING_MODEL:
            return Embeddings(model=chosen, vectors=hashing_vectors(texts))
        provider, _, name = chosen.partition(":")
        if provider not in {"openai", "openai-chat"} or not name:
            raise ValueError(f"unsupported embedding model {chosen!r}: use openai:<name> or {HASHING_MODEL}")
        secret = await self._credentials.provider_secret(workspace_id, "openai")
        if secret is None:
            raise _missing("openai", chosen)
        # imported on first use, on purpose: the provider SDKs take seconds to import (engine/models.py)
        from pydantic_ai.embeddings import Embedder as PydanticEmbedder  # noqa: PLC0415 - start-up time
        from pydantic_ai.embeddings.openai import OpenAIEmbeddingModel  # noqa: PLC0415 - start-up time
        from pydantic_ai.providers.openai import OpenAIProvider  # noqa: PLC0415 - start-up time

        openai = OpenAIProvider(
            base_url=secret.base_url or OPENAI_BASE_URL,
            api_key=secret.api_key or "not-set",
            http_client=self._http,
        )
        embedder = PydanticEmbedder(OpenAIEmbeddingModel(name, provider=openai))
        result = await (embedder.embed_query(list(texts)) if query else embedder.embed_documents(list(texts)))
        usage = Usage(input_tokens=result.usage.input_tokens or 0, requests=1)
        return Embeddings(model=chosen, vectors=[list(vector) for vector in result.embeddings], usage=usage)
