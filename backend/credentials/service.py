"""Provider credentials: write-only over the API, encrypted at rest, decrypted only to call providers."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit
from uuid import UUID

import anyio

from backend.accounts.audit import AuditAction, AuditLog
from backend.accounts.records import Principal
from backend.credentials.crypto import SecretBox
from backend.credentials.records import CredentialRecord, InvalidCredential, ProviderSecret
from backend.credentials.repository import CredentialRepository
from engine.graph import Problem
from engine.nodes.address_policy import AddressPolicy, BlockedDestinationError, allowed_addresses
from engine.value_policy import text_problem

log = logging.getLogger(__name__)

# provider → whether it needs an API key, whether it needs a base URL
PROVIDERS: dict[str, tuple[bool, bool]] = {
    "openai": (True, False),
    "anthropic": (True, False),
    "ollama": (False, True),
}
# model-string prefixes that share a credential: openai-chat talks to any OpenAI-compatible base URL
MODEL_PROVIDERS = {"openai": "openai", "openai-chat": "openai", "anthropic": "anthropic", "ollama": "ollama"}
MAX_KEY_LENGTH = 4096
LOOKUP_SECONDS = 5.0
"""How long setCredential waits for a base URL's host to resolve before it leaves the check to the
calls (which check every connection anyway)."""


def credential_provider(model: str) -> str | None:
    """The credential a model string needs (`openai-chat:x` → `openai`); None for `test` models."""
    prefix = model.split(":", 1)[0]
    return MODEL_PROVIDERS.get(prefix)


def _problem(code: str, message: str, path: str) -> Problem:
    return Problem(code=code, message=message, path=path, node_id=None)


def _check(provider: str, api_key: str | None, base_url: str | None) -> tuple[Problem, ...]:
    if provider not in PROVIDERS:
        known = ", ".join(sorted(PROVIDERS))
        shown = repr(provider[:40])  # repr: escapes whatever cannot be stored or shown
        return (_problem("UNKNOWN_PROVIDER", f"unknown provider {shown}; known: {known}", "provider"),)
    needs_key, needs_url = PROVIDERS[provider]
    problems: list[Problem] = []
    if needs_key and not api_key:
        problems.append(_problem("API_KEY_REQUIRED", f"{provider} needs an API key", "apiKey"))
    unstorable = None if api_key is None else text_problem(api_key)
    if unstorable is not None:  # the phrase names the character, never the key
        problems.append(_problem("UNSTORABLE_TEXT", f"the API key {unstorable}", "apiKey"))
    if api_key is not None and len(api_key) > MAX_KEY_LENGTH:
        problems.append(
            _problem("API_KEY_TOO_LONG", f"an API key is at most {MAX_KEY_LENGTH} characters", "apiKey")
        )
    if needs_url and not base_url:
        problems.append(_problem("BASE_URL_REQUIRED", f"{provider} needs a base URL", "baseUrl"))
    if base_url and _host_and_port(base_url) is None:
        problems.append(_problem("INVALID_URL", "the base URL must be an absolute http(s) URL", "baseUrl"))
    return tuple(problems)


def _host_and_port(base_url: str) -> tuple[str, int] | None:
    # None when the base URL is not an absolute http(s) URL with a host. URLs hold no spaces or
    # control characters (NUL, lone surrogates): refused here, they never reach a resolver or the store.
    if " " in base_url or not base_url.isprintable():
        return None
    try:
        parts = urlsplit(base_url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a port outside 0-65535 or not a number, a malformed IPv6 literal
        return None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return None
    return parts.hostname, port


async def _address_problems(policy: AddressPolicy, base_url: str) -> tuple[Problem, ...]:
    target = _host_and_port(base_url)
    if target is None:
        return ()
    host, port = target
    try:
        with anyio.fail_after(LOOKUP_SECONDS):
            await allowed_addresses(policy, host, port)
    except BlockedDestinationError as error:
        return (_problem("ADDRESS_NOT_ALLOWED", str(error), "baseUrl"),)
    except ValueError:  # UnicodeError included: a host name IDNA cannot encode
        return (_problem("INVALID_URL", "the base URL's host is not a valid host name", "baseUrl"),)
    except OSError as error:  # TimeoutError included
        # A host that does not resolve now may later (a server not started yet); every call checks
        # the addresses it connects to, so accepting the name opens nothing.
        log.info("base URL host %r does not resolve now (%s); calls will check it", host, error)
    return ()


class CredentialService:
    """Sets, lists and deletes provider credentials of a workspace."""

    def __init__(
        self,
        repository: CredentialRepository,
        box: SecretBox,
        policy: AddressPolicy,
        audit: AuditLog | None = None,
    ) -> None:
        """Store through `repository`, encrypt with `box`, accept base URLs `policy` allows, and
        record every change in `audit`."""
        self._repository = repository
        self._box = box
        self._policy = policy
        self._audit = audit or AuditLog()

    async def set(
        self, principal: Principal, provider: str, api_key: str | None, base_url: str | None
    ) -> CredentialRecord | InvalidCredential:
        """Store a provider's key (encrypted) and base URL, replacing any earlier one.

        A base URL whose host is (or resolves to) an address the model address policy refuses is
        rejected with an ADDRESS_NOT_ALLOWED problem, and nothing is stored.
        """
        problems = _check(provider, api_key, base_url)
        if not problems and base_url:
            problems = await _address_problems(self._policy, base_url)
        if problems:
            return InvalidCredential(problems=problems)
        secret = self._box.encrypt(api_key or "")
        stored = await self._repository.upsert(principal.workspace_id, provider, secret, base_url or None)
        # the provider's name only: a key is secret, and a base URL may carry credentials too
        await self._audit.record(AuditAction.CREDENTIAL_SET, principal, target=provider)
        return stored

    async def delete(self, principal: Principal, provider: str) -> bool:
        """Remove a provider's credential (False when there is none, or no such provider)."""
        if provider not in PROVIDERS:
            return False
        deleted = await self._repository.delete(principal.workspace_id, provider)
        if deleted:
            await self._audit.record(AuditAction.CREDENTIAL_DELETED, principal, target=provider)
        return deleted

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
