"""The GraphQL schema and the database schema agree with what the code declares."""

from __future__ import annotations

from pathlib import Path

from backend.db.piccolo_app import TABLES
from backend.gql.schema import build_schema as build_strawberry_schema
from backend.services import Services
from backend.settings import Settings
from graphql import build_schema, concat_ast, validate
from tests.operations import documents

ROOT = Path(__file__).resolve().parents[2]


def test_schema_graphql_is_up_to_date(settings: Settings) -> None:
    exported = build_strawberry_schema(settings).as_str() + "\n"

    assert (ROOT / "schema.graphql").read_text() == exported, "schema.graphql is stale: run make schema"


def test_every_operation_document_is_valid_against_the_schema() -> None:
    schema = build_schema((ROOT / "schema.graphql").read_text())
    parsed = documents()

    errors = validate(schema, concat_ast(list(parsed.values())))

    assert parsed, "graphql/ holds no operation documents"
    assert [error.message for error in errors] == []


async def test_every_piccolo_column_exists_in_the_migrated_database(services: Services) -> None:
    async with services.db.pool.acquire() as connection:
        rows = await connection.fetch(
            "SELECT table_name, column_name, is_nullable FROM information_schema.columns "
            "WHERE table_schema = 'public'"
        )
    actual = {(row["table_name"], row["column_name"]): row["is_nullable"] == "YES" for row in rows}

    declared = {
        (table._meta.tablename, column._meta.db_column_name): column._meta.null
        for table in TABLES
        for column in table._meta.columns
    }

    missing = sorted(set(declared) - set(actual))
    wrong_nullability = sorted(key for key, null in declared.items() if key in actual and actual[key] != null)
    assert missing == []
    assert wrong_nullability == []


async def test_migrating_again_applies_nothing(services: Services) -> None:
    assert await services.db.migrate() == []
    assert await services.db.pending_migrations() == []
