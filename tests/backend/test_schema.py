"""The GraphQL schema and the database schema agree with what the code declares."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

from graphql import build_schema, concat_ast, validate

from backend.db.piccolo_app import TABLES
from backend.gql.schema import build_schema as build_strawberry_schema
from backend.services import Services
from backend.settings import Settings
from backend.workflows.records import WorkflowRecord
from engine.records import EventType, NodeRun, NodeStatus, RunEvent, RunRecord, RunStatus, Transition
from tests.backend.runs_support import commit_as_other_process, hold_as_other_process
from tests.fixtures_data import template_chain
from tests.operations import documents
from tests.tenants import new_tenant

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


async def test_deleting_a_workspace_deletes_its_runs_node_runs_and_events(services: Services) -> None:
    tenant = await new_tenant(services)
    workflow = await services.workflows.create(tenant.principal, "doomed", template_chain(1))
    assert isinstance(workflow, WorkflowRecord)
    now = datetime.now(UTC)
    run = RunRecord(uuid4(), tenant.principal.workspace_id, workflow.id, 1, RunStatus.PENDING, {}, now)
    await services.store.create(run)
    await hold_as_other_process(services, run.id)  # commits need the run's lease
    await commit_as_other_process(
        services,
        Transition(
            run=run._replace(status=RunStatus.RUNNING, last_seq=1),
            expected_seq=0,
            node_runs=(NodeRun(run.id, "t0", 0, NodeStatus.RUNNING, attempts=1),),
            events=(RunEvent(run.id, 1, EventType.RUN_STARTED, now),),
        ),
    )

    async with services.db.pool.acquire() as connection:
        before = await connection.fetchval(
            "SELECT (SELECT count(*) FROM node_runs WHERE run_id = $1) + "
            "(SELECT count(*) FROM run_events WHERE run_id = $1)",
            run.id,
        )
        await connection.execute("DELETE FROM workspaces WHERE id = $1", tenant.principal.workspace_id)
        after = await connection.fetchval(
            "SELECT (SELECT count(*) FROM node_runs WHERE run_id = $1) + "
            "(SELECT count(*) FROM run_events WHERE run_id = $1)",
            run.id,
        )

    assert (before, after) == (2, 0)
