"""Ingestion progress through the live broker: published by ingesters, streamed to subscribers.

Progress is a view, not a record: a subscriber first gets the documents still waiting or in
progress from PostgreSQL, then what ingesters publish; a message lost with Redis is corrected by
the document table, which always holds the status.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import cast
from uuid import UUID

import msgspec

from backend.knowledge.records import DocumentProgress, DocumentStatus
from backend.live.broker import Broker
from backend.live.channels import collection_channel

IDLE_SECONDS = 60.0


class ProgressMessage(msgspec.Struct, frozen=True):
    """A `DocumentProgress` as it travels through the broker."""

    collection_id: UUID
    document_id: UUID
    name: str
    status: str
    chunks_done: int
    chunks_total: int
    error: str | None = None


_decode = msgspec.json.Decoder(ProgressMessage).decode


def _progress(message: ProgressMessage) -> DocumentProgress:
    return DocumentProgress(
        collection_id=message.collection_id,
        document_id=message.document_id,
        name=message.name,
        status=cast(DocumentStatus, message.status),
        chunks_done=message.chunks_done,
        chunks_total=message.chunks_total,
        error=message.error,
    )


async def publish_progress(broker: Broker, progress: DocumentProgress) -> None:
    """Send one step of a document's ingestion to the collection's subscribers."""
    message = ProgressMessage(
        collection_id=progress.collection_id,
        document_id=progress.document_id,
        name=progress.name,
        status=progress.status,
        chunks_done=progress.chunks_done,
        chunks_total=progress.chunks_total,
        error=progress.error,
    )
    await broker.publish(msgspec.json.encode(message), [collection_channel(progress.collection_id)])


async def progress_stream(
    broker: Broker, collection_id: UUID, unfinished: Callable[[], Awaitable[list[DocumentProgress]]]
) -> AsyncIterator[DocumentProgress]:
    """The collection's unfinished documents as they are now, then every step published."""
    async with broker.subscribe([collection_channel(collection_id)]) as live:
        for progress in await unfinished():
            yield progress
        while True:
            message = await live.next(IDLE_SECONDS)
            if message:
                yield _progress(_decode(message))
