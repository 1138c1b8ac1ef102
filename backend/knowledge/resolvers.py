"""GraphQL queries and mutations of the knowledge slice (viewers search, editors change)."""

from __future__ import annotations

from typing import cast

import strawberry
from graphql import GraphQLError
from litestar.datastructures import UploadFile
from pydantic import JsonValue
from strawberry.file_uploads import Upload
from strawberry.scalars import JSON

from backend.accounts.roles import Permission
from backend.gql.common import NotFound, json_value
from backend.gql.context import Info, principal_of
from backend.gql.permissions import requires
from backend.knowledge import records
from backend.knowledge.chunking import ChunkingSettings
from backend.knowledge.types import (
    AddDocumentsResult,
    AddedDocuments,
    Collection,
    CreateCollectionInput,
    CreateCollectionResult,
    DeleteCollectionResult,
    DeletedCollection,
    DeletedDocument,
    DeleteDocumentResult,
    DocumentTextInput,
    InvalidKnowledge,
    ReindexCollectionResult,
    SearchHit,
    SearchMode,
    UpdateCollectionInput,
    UpdateCollectionResult,
)
from backend.problems import NotFound as NotFoundRecord

MAX_FILENAME = 255


def _not_found(record: NotFoundRecord) -> NotFound:
    return NotFound(id=strawberry.ID(record.id), message=record.message)


def _added(result: records.AddedDocuments | NotFoundRecord | records.InvalidKnowledge) -> AddDocumentsResult:
    if isinstance(result, NotFoundRecord):
        return _not_found(result)
    if isinstance(result, records.InvalidKnowledge):
        return InvalidKnowledge.of(result)
    return AddedDocuments.of(result)


def _metadata(value: object) -> dict[str, JsonValue]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise GraphQLError("metadata must be a JSON object", extensions={"code": "INVALID_VALUE"})
    return cast(dict[str, JsonValue], value)


@strawberry.type
class KnowledgeQuery:
    @strawberry.field(
        description="Your workspace's knowledge collections.", extensions=requires(Permission.READ)
    )
    async def collections(self, info: Info) -> list[Collection]:
        return [
            Collection.of(record) for record in await info.context.services.knowledge.list(principal_of(info))
        ]

    @strawberry.field(description="One collection, or null.", extensions=requires(Permission.READ))
    async def collection(self, info: Info, id: strawberry.ID) -> Collection | None:
        found = await info.context.services.knowledge.get(principal_of(info), id)
        return None if found is None else Collection.of(found)

    @strawberry.field(
        description="The chunks of a collection that best match a query, best first. mode VECTOR "
        "(default) matches meaning, KEYWORD full-text terms, HYBRID both fused by rank. filter is over "
        'chunk metadata: {"lang": "en", "year": {"$gte": 2020}, "tag": {"$in": ["a", "b"]}}, with '
        "$eq $ne $gt $gte $lt $lte $in $nin $exists $and $or $not. Bad input is an error whose "
        "extensions.code says which (INVALID_FILTER, INVALID_VALUE, NOT_FOUND, DIMENSION_MISMATCH…).",
        extensions=requires(Permission.READ),
    )
    async def search(
        self,
        info: Info,
        *,
        collection_id: strawberry.ID,
        query: str,
        top_k: int | None = 5,
        filter: JSON | None = None,
        mode: SearchMode = SearchMode.VECTOR,
    ) -> list[SearchHit]:
        result = await info.context.services.knowledge.search(
            principal_of(info),
            collection_id,
            query,
            top_k=5 if top_k is None else top_k,
            filter=json_value(filter),
            mode=mode.value,
        )
        if isinstance(result, NotFoundRecord):
            raise GraphQLError(result.message, extensions={"code": "NOT_FOUND"})
        if isinstance(result, records.InvalidKnowledge):
            first = result.problems[0]
            raise GraphQLError(
                "; ".join(problem.message for problem in result.problems),
                extensions={"code": first.code, "path": first.path},
            )
        return [SearchHit.of(hit) for hit in result]


@strawberry.type
class KnowledgeMutation:
    @strawberry.mutation(
        description="Create a collection (its model's dimension is known or asked of the provider once).",
        extensions=requires(Permission.EDIT),
    )
    async def create_collection(self, info: Info, input: CreateCollectionInput) -> CreateCollectionResult:
        result = await info.context.services.knowledge.create(
            principal_of(info),
            records.CollectionInput(
                name=input.name,
                description=input.description,
                model=input.model,
                dimension=input.dimension,
                metric=input.metric.value,
                language=input.language,
                chunking=(input.chunking.settings() if input.chunking else ChunkingSettings()),
            ),
        )
        return (
            InvalidKnowledge.of(result)
            if isinstance(result, records.InvalidKnowledge)
            else Collection.of(result)
        )

    @strawberry.mutation(
        description="Rename or describe a collection, change how future documents are chunked, or "
        "re-embed it with another model (in the background; searches use the old vectors until done).",
        extensions=requires(Permission.EDIT),
    )
    async def update_collection(
        self, info: Info, id: strawberry.ID, input: UpdateCollectionInput
    ) -> UpdateCollectionResult:
        result = await info.context.services.knowledge.update(
            principal_of(info),
            id,
            records.CollectionUpdate(
                name=input.name,
                description=input.description,
                model=input.model,
                language=input.language,
                chunking=None if input.chunking is None else input.chunking.settings(),
            ),
        )
        if isinstance(result, NotFoundRecord):
            return _not_found(result)
        if isinstance(result, records.InvalidKnowledge):
            return InvalidKnowledge.of(result)
        return Collection.of(result)

    @strawberry.mutation(
        description="Delete a collection with its documents and chunks.", extensions=requires(Permission.EDIT)
    )
    async def delete_collection(self, info: Info, id: strawberry.ID) -> DeleteCollectionResult:
        result = await info.context.services.knowledge.delete(principal_of(info), id)
        if isinstance(result, NotFoundRecord):
            return _not_found(result)
        return DeletedCollection(id=strawberry.ID(str(result.id)))

    @strawberry.mutation(
        description="Embed every chunk again with the collection's model, in the background.",
        extensions=requires(Permission.EDIT),
    )
    async def reindex_collection(self, info: Info, id: strawberry.ID) -> ReindexCollectionResult:
        result = await info.context.services.knowledge.reindex(principal_of(info), id)
        return _not_found(result) if isinstance(result, NotFoundRecord) else Collection.of(result)

    @strawberry.mutation(
        description="Add texts as documents; they are chunked and embedded in the background "
        "(documentProgress reports it). The same content is added once.",
        extensions=requires(Permission.EDIT),
    )
    async def add_documents(
        self, info: Info, collection_id: strawberry.ID, documents: list[DocumentTextInput]
    ) -> AddDocumentsResult:
        batch = [
            records.NewDocument(
                name=document.name,
                media_type=document.media_type,
                content=document.text.encode("utf-8", errors="surrogatepass"),
                metadata=_metadata(document.metadata),
            )
            for document in documents
        ]
        return _added(await info.context.services.knowledge.add(principal_of(info), collection_id, batch))

    @strawberry.mutation(
        description="Upload files (the GraphQL multipart request spec): .txt, .md, .pdf and .html. "
        "Unsupported, corrupt or too large files are refused with a problem each; the others are "
        "ingested in the background.",
        extensions=requires(Permission.EDIT),
    )
    async def upload_documents(
        self, info: Info, collection_id: strawberry.ID, files: list[Upload], metadata: JSON | None = None
    ) -> AddDocumentsResult:
        shared = _metadata(json_value(metadata))
        limit = info.context.services.settings.max_document_bytes
        batch: list[records.NewDocument] = []
        for upload in files:
            if not isinstance(upload, UploadFile):  # Strawberry types uploads as bytes; Litestar's are files
                raise GraphQLError(
                    "files must be uploaded as multipart parts", extensions={"code": "INVALID_VALUE"}
                )
            # one byte more than the limit is enough to refuse the file as too large
            content = await upload.read(limit + 1)
            batch.append(
                records.NewDocument(
                    name=(upload.filename or "upload")[:MAX_FILENAME],
                    media_type=upload.content_type or "",
                    content=content,
                    metadata=dict(shared),
                )
            )
        return _added(await info.context.services.knowledge.add(principal_of(info), collection_id, batch))

    @strawberry.mutation(
        description="Delete a document and its chunks.", extensions=requires(Permission.EDIT)
    )
    async def delete_document(self, info: Info, id: strawberry.ID) -> DeleteDocumentResult:
        result = await info.context.services.knowledge.delete_document(principal_of(info), id)
        if isinstance(result, NotFoundRecord):
            return _not_found(result)
        return DeletedDocument(id=strawberry.ID(str(result.id)))
