"""Documents in PostgreSQL: what was added, its bytes until ingested, and who is ingesting it.

A document is claimed by one ingesting process at a time (`claimed_by` until `claimed_until`,
renewed while it works); a claim that expired — its process died — is taken over, so no document
is left PROCESSING for ever. Claims skip collections being re-embedded: their documents wait until
the new generation is complete.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID

import asyncpg

from backend.knowledge.collections_repository import COLUMNS as COLLECTION_COLUMNS
from backend.knowledge.collections_repository import collection_record
from backend.knowledge.records import CollectionRecord, DocumentRecord, DocumentStatus
from backend.pagination import Cursor, Page, PageRequest

COLUMNS = (
    "id, workspace_id, collection_id, name, media_type, size, content_hash, metadata, status, error, "
    "chunk_count, "
    "created_at, updated_at"
)
MAX_ATTEMPTS = 3
"""Claims of one document before it is marked FAILED (a document that kills its process each time)."""


def document_record(row: Mapping[str, Any]) -> DocumentRecord:
    """A document row as a record."""
    metadata = row["metadata"]
    return DocumentRecord(
        id=row["id"],
        workspace_id=row["workspace_id"],
        collection_id=row["collection_id"],
        name=row["name"],
        media_type=row["media_type"],
        size=row["size"],
        content_hash=row["content_hash"],
        metadata=json.loads(metadata) if isinstance(metadata, str) else metadata,
        status=cast(DocumentStatus, row["status"]),
        error=row["error"],
        chunk_count=row["chunk_count"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


@dataclass(frozen=True)
class StoredDocument:
    """A document to insert: its row's values and its bytes."""

    name: str
    media_type: str
    content: bytes
    content_hash: str
    metadata: Mapping[str, Any]


@dataclass(frozen=True)
class Claim:
    """A document this process now ingests, with its collection and bytes."""

    document: DocumentRecord
    collection: CollectionRecord
    content: bytes


class DocumentRepository:
    """Reads and writes `documents` and `document_sources`, scoped by workspace."""

    def __init__(self, pool: asyncpg.Pool[Any]) -> None:
        self._pool = pool

    async def add(
        self, workspace_id: UUID, collection_id: UUID, documents: Sequence[StoredDocument]
    ) -> list[DocumentRecord]:
        """Insert documents as PENDING, in one transaction (ingesters poll for them).

        A document whose content the collection already holds is not inserted again: the existing
        one comes back in its place (re-adding unchanged content is a no-op).
        """
        records: list[DocumentRecord] = []
        async with self._pool.acquire() as connection, connection.transaction():
            for document in documents:
                row = await connection.fetchrow(
                    "INSERT INTO documents (workspace_id, collection_id, name, media_type, size, "
                    "content_hash, metadata) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) "
                    f"ON CONFLICT (collection_id, content_hash) DO NOTHING RETURNING {COLUMNS}",
                    workspace_id,
                    collection_id,
                    document.name,
                    document.media_type,
                    len(document.content),
                    document.content_hash,
                    json.dumps(document.metadata),
                )
                if row is None:
                    row = await connection.fetchrow(
                        f"SELECT {COLUMNS} FROM documents WHERE collection_id = $1 AND content_hash = $2",
                        collection_id,
                        document.content_hash,
                    )
                else:
                    await connection.execute(
                        "INSERT INTO document_sources (document_id, content) VALUES ($1, $2)",
                        row["id"],
                        document.content,
                    )
                if row is None:  # inserted by a concurrent batch and deleted again meanwhile
                    continue
                records.append(document_record(row))
        return records

    async def many(self, workspace_id: UUID, document_ids: Sequence[UUID]) -> list[DocumentRecord | None]:
        """Documents of the workspace by id, in order (None for the others)."""
        async with self._pool.acquire() as connection:
            rows = await connection.fetch(
                f"SELECT {COLUMNS} FROM documents WHERE workspace_id = $1 AND id = ANY($2::uuid[])",
                workspace_id,
                list(document_ids),
            )
        found = {row["id"]: document_record(row) for row in rows}
        return [found.get(document_id) for document_id in document_ids]

    async def page(self, collection_id: UUID, request: PageRequest) -> Page[DocumentRecord]:
        """A page of a collection's documents, newest first."""
        after = request.after
        async with self._pool.acquire() as connection:
            rows = await connection.fetch(
                f"SELECT {COLUMNS} FROM documents WHERE collection_id = $1 "
                "AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3)) "
                "ORDER BY created_at DESC, id DESC LIMIT $4",
                collection_id,
                None if after is None else after.created_at,
                None if after is None else after.id,
                request.first + 1,
            )
        items = [document_record(row) for row in rows[: request.first]]
        return Page(
            items=tuple(items),
            cursors=tuple(Cursor(item.created_at, item.id).encode() for item in items),
            has_next_page=len(rows) > request.first,
        )

    async def delete(self, workspace_id: UUID, document_id: UUID) -> DocumentRecord | None:
        """Delete a document and its chunks; the deleted document, or None."""
        async with self._pool.acquire() as connection:
            row = await connection.fetchrow(
                f"DELETE FROM documents WHERE workspace_id = $1 AND id = $2 RETURNING {COLUMNS}",
                workspace_id,
                document_id,
            )
        return None if row is None else document_record(row)

    async def claim(self, owner: UUID, seconds: float) -> Claim | None:
        """Claim the oldest document waiting (or whose claim expired) for `owner`, or None.

        A document whose `MAX_ATTEMPTS`th claim lapsed is marked FAILED first: something in it stops
        every process that tries.
        """
        async with self._pool.acquire() as connection, connection.transaction():
            await connection.execute(
                "UPDATE documents SET status = 'FAILED', claimed_by = NULL, claimed_until = NULL, "
                "error = $2, updated_at = now() "
                "WHERE status = 'PROCESSING' AND claimed_until < now() AND attempts >= $1",
                MAX_ATTEMPTS,
                f"ingestion was interrupted {MAX_ATTEMPTS} times; delete the document and add it again",
            )
            row = await connection.fetchrow(
                "UPDATE documents d SET status = 'PROCESSING', claimed_by = $1, "
                "claimed_until = now() + make_interval(secs => $2), attempts = d.attempts + 1, "
                "updated_at = now() "
                "WHERE d.id = (SELECT w.id FROM documents w JOIN collections c ON c.id = w.collection_id "
                " WHERE (w.status = 'PENDING' OR (w.status = 'PROCESSING' AND w.claimed_until < now())) "
                " AND c.next_model IS NULL ORDER BY w.created_at LIMIT 1 FOR UPDATE OF w SKIP LOCKED) "
                f"RETURNING {', '.join('d.' + column for column in COLUMNS.split(', '))}",
                owner,
                seconds,
            )
            if row is None:
                return None
            collection = await connection.fetchrow(
                f"SELECT {COLLECTION_COLUMNS} FROM collections WHERE id = $1", row["collection_id"]
            )
            source = await connection.fetchval(
                "SELECT content FROM document_sources WHERE document_id = $1", row["id"]
            )
        if collection is None or source is None:  # the FK and the insert make both exist
            raise RuntimeError(f"document {row['id']} has no collection or no source")
        return Claim(document_record(row), collection_record(collection), bytes(source))

    async def renew(self, owner: UUID, document_id: UUID, seconds: float) -> bool:
        """Extend `owner`'s claim; False when the claim was lost (expired and taken over, or deleted)."""
        async with self._pool.acquire() as connection:
            status = await connection.execute(
                "UPDATE documents SET claimed_until = now() + make_interval(secs => $3) "
                "WHERE id = $1 AND claimed_by = $2 AND status = 'PROCESSING'",
                document_id,
                owner,
                seconds,
            )
        return status != "UPDATE 0"

    async def release(self, owner: UUID | None = None) -> None:
        """End `owner`'s claims (every claim when None: the embedded mode's start, whose database
        no other process uses), so their documents are taken over at once."""
        async with self._pool.acquire() as connection:
            await connection.execute(
                "UPDATE documents SET claimed_until = now() "
                "WHERE status = 'PROCESSING' AND ($1::uuid IS NULL OR claimed_by = $1)",
                owner,
            )

    async def fail(self, owner: UUID, document_id: UUID, error: str) -> DocumentRecord | None:
        """Mark the claimed document FAILED with why; None when the claim was lost."""
        async with self._pool.acquire() as connection:
            row = await connection.fetchrow(
                "UPDATE documents SET status = 'FAILED', error = $3, claimed_by = NULL, "
                "claimed_until = NULL, "
                f"updated_at = now() WHERE id = $1 AND claimed_by = $2 RETURNING {COLUMNS}",
                document_id,
                owner,
                error,
            )
        return None if row is None else document_record(row)

    async def waiting(self) -> bool:
        """Whether any document waits for ingestion (for the ingesters' polling)."""
        async with self._pool.acquire() as connection:
            found: bool = await connection.fetchval(
                "SELECT EXISTS (SELECT 1 FROM documents WHERE status = 'PENDING' "
                "OR (status = 'PROCESSING' AND claimed_until < now()))"
            )
        return found
