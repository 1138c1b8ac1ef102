"""uploadDocuments: files through the GraphQL multipart request spec, good and bad in one batch."""

from __future__ import annotations

import json
from typing import Any

from backend.services import Services
from tests.backend.conftest import GraphQLClient
from tests.backend.knowledge.files import ARTICLE_PAGE, pdf_of
from tests.backend.knowledge.support import documents_when_done, new_collection, search
from tests.operations import operation

Files = list[tuple[str, bytes, str]]


async def upload(
    gql: GraphQLClient, collection_id: str, files: Files, metadata: Any = None
) -> tuple[int, dict[str, Any]]:
    """POST the UploadDocuments operation as a multipart request; the status and the JSON body."""
    operations = {
        "query": operation("UploadDocuments"),
        "variables": {"collectionId": collection_id, "files": [None] * len(files), "metadata": metadata},
    }
    mapping = {str(index): [f"variables.files.{index}"] for index in range(len(files))}
    response = await gql.http.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps(mapping)},
        files={str(index): file for index, file in enumerate(files)},
        headers={"Authorization": f"Bearer {gql.token}"},
    )
    return response.status_code, response.json()


async def test_a_pdf_a_web_page_and_markdown_are_ingested_and_searchable(gql: GraphQLClient) -> None:
    collection = await new_collection(gql, chunking={"size": 200, "overlap": 20})
    pdf = pdf_of(["Quarterly report", "Revenue grew by twelve percent thanks to the new subscription plan."])
    files: Files = [
        ("report.pdf", pdf, "application/pdf"),
        ("tomatoes.html", ARTICLE_PAGE, "text/html"),
        ("notes.md", b"# Travel\n\nPack a raincoat: it rains a lot in Scotland.\n", "text/markdown"),
    ]

    status, body = await upload(gql, collection["id"], files, metadata={"source": "upload"})

    assert status == 200, body
    result = body["data"]["uploadDocuments"]
    assert result["__typename"] == "AddedDocuments"
    assert result["refused"] == []
    assert [document["mediaType"] for document in result["documents"]] == [
        "application/pdf",
        "text/html",
        "text/markdown",
    ]
    documents = await documents_when_done(gql, collection["id"])
    assert [(document["name"], document["status"]) for document in documents] == [
        ("notes.md", "READY"),
        ("report.pdf", "READY"),
        ("tomatoes.html", "READY"),
    ]
    [income] = await search(gql, collection["id"], "how much did sales increase", topK=1)
    assert income["documentName"] == "report.pdf"
    assert income["metadata"] == {"source": "upload"}
    [garden] = await search(gql, collection["id"], "how often should I water my plants", topK=1)
    assert garden["documentName"] == "tomatoes.html"
    assert "Shop our seeds" not in garden["text"]  # the page's navigation is not content


async def test_corrupt_oversized_and_unsupported_files_are_refused_and_the_rest_ingested(
    gql: GraphQLClient, services: Services
) -> None:
    collection = await new_collection(gql)
    limit = services.settings.max_document_bytes
    files: Files = [
        ("broken.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "application/pdf"),
        ("huge.txt", b"a" * (limit + 1), "text/plain"),
        ("tool.exe", b"MZ\x90\x00", "application/octet-stream"),
        ("good.txt", b"the one good file", "text/plain"),
    ]

    status, body = await upload(gql, collection["id"], files)

    assert status == 200, body
    result = body["data"]["uploadDocuments"]
    assert [(problem["code"], problem["path"]) for problem in result["refused"]] == [
        ("CORRUPT_DOCUMENT", "documents[0]"),
        ("DOCUMENT_TOO_LARGE", "documents[1]"),
        ("UNSUPPORTED_MEDIA_TYPE", "documents[2]"),
    ]
    assert [document["name"] for document in result["documents"]] == ["good.txt"]
    documents = await documents_when_done(gql, collection["id"])
    assert [(document["name"], document["status"]) for document in documents] == [("good.txt", "READY")]


async def test_a_document_that_fails_in_the_background_says_why_and_spares_its_batch(
    gql: GraphQLClient,
) -> None:
    collection = await new_collection(gql)
    # a PDF that opens (so the upload accepts it) but has no text at all: found only by extraction
    files: Files = [
        ("blank.pdf", pdf_of([""]), "application/pdf"),
        ("fine.md", b"# Fine\n\ntext", "text/markdown"),
    ]

    status, body = await upload(gql, collection["id"], files)

    assert status == 200, body
    documents = await documents_when_done(gql, collection["id"])
    blank, fine = documents
    assert (blank["name"], blank["status"]) == ("blank.pdf", "FAILED")
    assert "no text" in blank["error"]
    assert (fine["name"], fine["status"], fine["error"]) == ("fine.md", "READY", None)


async def test_a_file_is_read_by_its_extension_whatever_type_the_client_declared(gql: GraphQLClient) -> None:
    collection = await new_collection(gql)
    # what curl and browsers send when they do not know a file's type
    files: Files = [("kittens.md", b"# Kittens\n\nA kitten is a young cat.", "application/octet-stream")]

    status, body = await upload(gql, collection["id"], files)

    assert status == 200, body
    assert [document["mediaType"] for document in body["data"]["uploadDocuments"]["documents"]] == [
        "text/markdown"
    ]
    [document] = await documents_when_done(gql, collection["id"])
    assert (document["status"], document["error"]) == ("READY", None)
