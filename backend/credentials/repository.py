"""SQL of the credentials slice; every statement is scoped by workspace_id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from backend.credentials.records import CredentialRecord
from backend.credentials.tables import Credential


def _record(row: Mapping[str, Any]) -> CredentialRecord:
    return CredentialRecord(
        provider=row["provider"],
        base_url=row["base_url"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


class CredentialRepository:
    """Reads and writes encrypted provider credentials."""

    async def upsert(
        self, workspace_id: UUID, provider: str, secret: str, base_url: str | None
    ) -> CredentialRecord:
        """Store (or replace) a provider's encrypted key and base URL."""
        rows = await Credential.raw(
            "INSERT INTO credentials (workspace_id, provider, secret, base_url) VALUES ({}, {}, {}, {}) "
            "ON CONFLICT (workspace_id, provider) DO UPDATE SET secret = EXCLUDED.secret, "
            "base_url = EXCLUDED.base_url, updated_at = now() "
            "RETURNING provider, base_url, created_at, updated_at",
            workspace_id,
            provider,
            secret,
            base_url,
        ).run()
        return _record(rows[0])

    async def delete(self, workspace_id: UUID, provider: str) -> bool:
        """Remove a provider's credential; False when there was none."""
        rows = await Credential.raw(
            "DELETE FROM credentials WHERE workspace_id = {} AND provider = {} RETURNING provider",
            workspace_id,
            provider,
        ).run()
        return bool(rows)

    async def list(self, workspace_id: UUID) -> list[CredentialRecord]:
        """Every provider configured in the workspace."""
        rows = await Credential.raw(
            "SELECT provider, base_url, created_at, updated_at FROM credentials WHERE workspace_id = {} "
            "ORDER BY provider",
            workspace_id,
        ).run()
        return [_record(row) for row in rows]

    async def secret(self, workspace_id: UUID, provider: str) -> tuple[str, str | None] | None:
        """The encrypted key and base URL of a provider, or None."""
        rows = await Credential.raw(
            "SELECT secret, base_url FROM credentials WHERE workspace_id = {} AND provider = {}",
            workspace_id,
            provider,
        ).run()
        return None if not rows else (rows[0]["secret"], rows[0]["base_url"])
