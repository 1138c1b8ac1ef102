"""Provider credentials: write-only over the API, encrypted at rest, decrypted only to call providers."""

from __future__ import annotations

from urllib.parse import urlsplit
from uuid import UUID

from backend.accounts.records import Principal
from backend.credentials.crypto import SecretBox
from backend.credentials.records import CredentialRecord, InvalidCredential, ProviderSecret
from backend.credentials.repository import CredentialRepository
from engine.graph import Problem

# provider → whether it needs an API key, whether it needs a base URL
PROVIDERS: dict[str, tuple[bool, bool]] = {
    "openai": (True, False),
    "anthropic": (True, False),
    "ollama": (False, True),
}
# model-string prefixes that share a credential: openai-chat talks to any OpenAI-compatible base URL
MODEL_PROVIDERS = {"openai": "openai", "openai-chat": "openai", "anthropic": "anthropic", "ollama": "ollama"}
MAX_KEY_LENGTH = 4096


def credential_provider(model: str) -> str | None:
    """The credential a model string needs (`openai-chat:x` → `openai`); None for `test` models."""
    prefix = model.split(":", 1)[0]
    return MODEL_PROVIDERS.get(prefix)


def _problem(code: str, message: str, path: str) -> Problem:
    return Problem(code=code, message=message, path=path, node_id=None)


def _check(provider: str, api_key: str | None, base_url: str | None) -> tuple[Problem, ...]:
    if provider not in PROVIDERS:
        known = ", ".join(sorted(PROVIDERS))
        return (_problem("UNKNOWN_PROVIDER", f"unknown provider {provider!r}; known: {known}", "provider"),)
    needs_key, needs_url = PROVIDERS[provider]
    problems: list[Problem] = []
    if needs_key and not api_key:
        problems.append(_problem("API_KEY_REQUIRED", f"{provider} needs an API key", "apiKey"))
    if api_key is not None and len(api_key) > MAX_KEY_LENGTH:
        problems.append(
            _problem("API_KEY_TOO_LONG", f"an API key is at most {MAX_KEY_LENGTH} characters", "apiKey")
        )
    if needs_url and not base_url:
        problems.append(_problem("BASE_URL_REQUIRED", f"{provider} needs a base URL", "baseUrl"))
    if base_url:
        parts = urlsplit(base_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            problems.append(
                _problem("INVALID_URL", "the base URL must be an absolute http(s) URL", "baseUrl")
            )
    return tuple(problems)


class CredentialService:
    """Sets, lists and deletes provider credentials of a workspace."""

    def __init__(self, repository: CredentialRepository, box: SecretBox) -> None:
        self._repository = repository
        self._box = box

    async def set(
        self, principal: Principal, provider: str, api_key: str | None, base_url: str | None
    ) -> CredentialRecord | InvalidCredential:
        """Store a provider's key (encrypted) and base URL, replacing any earlier one."""
        problems = _check(provider, api_key, base_url)
        if problems:
            return InvalidCredential(problems=problems)
        secret = self._box.encrypt(api_key or "")
        return await self._repository.upsert(principal.workspace_id, provider, secret, base_url or None)

    async def delete(self, principal: Principal, provider: str) -> bool:
        """Remove a provider's credential."""
        return await self._repository.delete(principal.workspace_id, provider)

    async def list(self, principal: Principal) -> list[CredentialRecord]:
        """The providers configured in the workspace (never their keys)."""
        return await self._repository.list(principal.workspace_id)

    async def provider_secret(self, workspace_id: UUID, provider: str) -> ProviderSecret | None:
        """A provider's decrypted settings, for calling it on the workspace's behalf."""
        found = await self._repository.secret(workspace_id, provider)
        if found is None:
            return None
        secret, base_url = found
        return ProviderSecret(provider=provider, api_key=self._box.decrypt(secret) or None, base_url=base_url)
