"""Documents are claimed in PostgreSQL: a lapsed claim (its process died) is taken over, and a
document that keeps stopping its ingesters fails instead of being tried for ever."""

from __future__ import annotations

from backend.services import Services
from tests.backend.conftest import GraphQLClient
from tests.backend.knowledge.support import add_texts, documents_when_done, new_collection

ABANDON = """
UPDATE documents SET status = 'PROCESSING', attempts = $2, claimed_by = gen_random_uuid(),
    claimed_until = now() - interval '1 second'
WHERE id = $1::uuid
"""


async def abandoned(gql: GraphQLClient, services: Services, attempts: int) -> tuple[str, str]:
    """A collection with one document left PROCESSING by a process that died after `attempts` claims."""
    collection = await new_collection(gql)
    added = await add_texts(gql, collection["id"], {"name": "cats.txt", "text": "a kitten is a young cat"})
    await documents_when_done(gql, collection["id"])
    document = added["documents"][0]["id"]
    async with services.db.pool.acquire() as connection:
        await connection.execute(ABANDON, document, attempts)
    return collection["id"], document


async def test_a_lapsed_claim_is_taken_over_and_the_document_ingested_again(
    gql: GraphQLClient, services: Services
) -> None:
    collection, _ = await abandoned(gql, services, attempts=1)

    [document] = await documents_when_done(gql, collection)

    assert (document["status"], document["chunkCount"], document["error"]) == ("READY", 1, None)
    async with services.db.pool.acquire() as connection:
        attempts = await connection.fetchval(
            "SELECT attempts FROM documents WHERE id = $1::uuid", document["id"]
        )
    assert attempts == 2


async def test_a_document_whose_third_claim_lapsed_fails_with_why(
    gql: GraphQLClient, services: Services
) -> None:
    collection, _ = await abandoned(gql, services, attempts=3)

    [document] = await documents_when_done(gql, collection)

    assert document["status"] == "FAILED"
    assert "interrupted 3 times" in document["error"]
