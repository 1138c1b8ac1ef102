"""Plain data of the credentials slice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.graph import Problem


@dataclass(frozen=True)
class CredentialRecord:
    """A provider's settings as the API shows them: never the key itself."""

    provider: str
    base_url: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ProviderSecret:
    """A provider's decrypted settings, for building model clients; never leaves the process."""

    provider: str
    api_key: str | None
    base_url: str | None


@dataclass(frozen=True)
class InvalidCredential:
    """The credential was rejected; nothing was stored."""

    problems: tuple[Problem, ...]
