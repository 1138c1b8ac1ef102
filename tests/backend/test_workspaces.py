"""Workspaces: listing one's own, creating, renaming and deleting them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from litestar import Litestar

from backend.accounts.roles import Role
from backend.services import Services
from backend.settings import DEFAULT_WORKSPACE_SLUG
from engine.records import RunStatus
from tests.backend.conftest import GraphQLClient
from tests.backend.runs_support import create_workflow, start_run, wait_for
from tests.backend.workspaces_support import (
    Browser,
    Program,
    audit_actions,
    clients_of,
    join,
    open_session,
)
from tests.operations import operation
from tests.tenants import Tenant

HUMAN = {"nodes": [{"id": "ask", "type": "human", "params": {"prompt": "OK?", "schema": {}}}]}


@pytest.fixture
async def owner(app: Litestar, services: Services, tenant: Tenant) -> AsyncIterator[Browser]:
    """The tenant's owner in a browser, acting in the tenant's workspace."""
    async with clients_of(app)() as client:
        browser = Browser(client)
        await open_session(services, browser, tenant.principal.user_id, tenant.slug)
        yield browser


def new_slug() -> str:
    return f"w-{uuid4().hex[:12]}"


async def test_workspaces_lists_a_persons_workspaces_with_their_role_in_each(
    owner: Browser, services: Services, tenant: Tenant
) -> None:
    second = new_slug()
    await owner.run("CreateWorkspace", name="Second", slug=second)

    found = (await owner.run("Workspaces"))["workspaces"]

    assert [(w["slug"], w["role"]) for w in found] == [(tenant.slug, "OWNER"), (second, "OWNER")]


async def test_a_token_sees_only_its_own_workspace(
    owner: Browser, gql: GraphQLClient, tenant: Tenant
) -> None:
    await owner.run("CreateWorkspace", name="Elsewhere", slug=new_slug())

    found = (await gql.run("Workspaces"))["workspaces"]

    assert [(w["slug"], w["role"]) for w in found] == [(tenant.slug, "OWNER")]


async def test_creating_a_workspace_makes_the_creator_its_owner(owner: Browser, services: Services) -> None:
    slug = new_slug()

    created = (await owner.run("CreateWorkspace", name="  Research  ", slug=slug))["createWorkspace"]
    owner.workspace = slug
    members = (await owner.run("Members"))["members"]

    assert (created["__typename"], created["name"], created["role"]) == ("Workspace", "Research", "OWNER")
    assert [m["role"] for m in members] == ["OWNER"]
    assert await audit_actions(services, created["id"]) == ["workspace_created"]


@pytest.mark.parametrize(
    "slug", ["a", "Upper", "-leading", "has space", "under_score", "x" * 64, "ümlaut", "a\x00b"]
)
async def test_a_malformed_slug_is_refused(owner: Browser, slug: str) -> None:
    result = (await owner.run("CreateWorkspace", name="Bad", slug=slug))["createWorkspace"]

    assert (result["__typename"], result["code"]) == ("Refused", "INVALID_SLUG")


@pytest.mark.parametrize("name", ["", "   ", "x" * 201, "tab\there", "nul\x00", "lone \ud800"])
async def test_a_malformed_name_is_refused(owner: Browser, name: str) -> None:
    created = (await owner.run("CreateWorkspace", name=name, slug=new_slug()))["createWorkspace"]
    renamed = (await owner.run("RenameWorkspace", name=name))["renameWorkspace"]

    assert (created["__typename"], created["code"]) == ("Refused", "INVALID_NAME")
    assert (renamed["__typename"], renamed["code"]) == ("Refused", "INVALID_NAME")


async def test_a_taken_slug_is_refused(owner: Browser, tenant: Tenant) -> None:
    result = (await owner.run("CreateWorkspace", name="Copy", slug=tenant.slug))["createWorkspace"]

    assert (result["__typename"], result["code"]) == ("Refused", "SLUG_TAKEN")


async def test_only_a_person_with_a_session_creates_workspaces_not_a_token(gql: GraphQLClient) -> None:
    status, body = await gql.post(operation("CreateWorkspace"), {"name": "Bot's", "slug": new_slug()})

    assert status == 200
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["data"] is None


async def test_an_admin_renames_the_workspace_and_an_editor_cannot(
    app: Litestar, services: Services, tenant: Tenant
) -> None:
    async with clients_of(app)() as admin_client, clients_of(app)() as editor_client:
        admin, editor = Browser(admin_client), Browser(editor_client)
        await join(services, tenant, Role.ADMIN, admin)
        await join(services, tenant, Role.EDITOR, editor)

        renamed = (await admin.run("RenameWorkspace", name="Renamed"))["renameWorkspace"]
        refused = await editor.error_code("RenameWorkspace", name="Mine now")
        seen = (await editor.run("Viewer"))["viewer"]["workspace"]["name"]

    assert (renamed["__typename"], renamed["name"], renamed["role"]) == ("Workspace", "Renamed", "ADMIN")
    assert refused == "FORBIDDEN"
    assert seen == "Renamed"
    assert "workspace_renamed" in await audit_actions(services, tenant.principal.workspace_id)


async def test_deleting_needs_the_slug_typed_as_confirmation(owner: Browser, tenant: Tenant) -> None:
    result = (await owner.run("DeleteWorkspace", confirmSlug=tenant.slug.upper()))["deleteWorkspace"]
    still = (await owner.run("Workspaces"))["workspaces"]

    assert (result["__typename"], result["code"]) == ("Refused", "CONFIRMATION_MISMATCH")
    assert [w["slug"] for w in still] == [tenant.slug]


async def test_an_admin_cannot_delete_the_workspace(
    app: Litestar, services: Services, tenant: Tenant
) -> None:
    async with clients_of(app)() as client:
        admin = Browser(client)
        await join(services, tenant, Role.ADMIN, admin)

        assert await admin.error_code("DeleteWorkspace", confirmSlug=tenant.slug) == "FORBIDDEN"


async def test_deleting_a_workspace_ends_its_tokens_hides_it_frees_its_slug_and_cancels_its_runs(
    app: Litestar, owner: Browser, gql: GraphQLClient, services: Services, tenant: Tenant
) -> None:
    run = await start_run(gql, await create_workflow(gql, HUMAN))
    await wait_for(gql, run["id"], {"WAITING"})
    async with clients_of(app)() as client:
        program = Program(client, tenant.token)

        deleted = (await owner.run("DeleteWorkspace", confirmSlug=tenant.slug))["deleteWorkspace"]
        after = await program.post(operation("Workflows"))
        listed = (await owner.run("Workspaces"))["workspaces"]
        acting = await owner.post(operation("Members"))
        again = (await owner.run("CreateWorkspace", name="Reborn", slug=tenant.slug))["createWorkspace"]

    assert (deleted["__typename"], deleted["slug"], deleted["cancelledRuns"]) == (
        "DeletedWorkspace",
        tenant.slug,
        1,
    )
    assert after.status_code == 401
    assert listed == []
    assert acting.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert again["__typename"] == "Workspace"
    assert again["id"] != deleted["id"]
    cancelled = await services.runs.get(tenant.principal, run["id"])
    assert cancelled is not None
    assert cancelled.status is RunStatus.CANCELLED
    assert (await audit_actions(services, tenant.principal.workspace_id))[-1] == "workspace_deleted"


async def test_the_default_workspace_cannot_be_deleted(app: Litestar, services: Services) -> None:
    default = await services.accounts.ensure_default_workspace(DEFAULT_WORKSPACE_SLUG)
    async with clients_of(app)() as client:
        browser = Browser(client)
        await open_session(services, browser, default.user_id, DEFAULT_WORKSPACE_SLUG)

        result = (await browser.run("DeleteWorkspace", confirmSlug=DEFAULT_WORKSPACE_SLUG))["deleteWorkspace"]

    assert (result["__typename"], result["code"]) == ("Refused", "DEFAULT_WORKSPACE")
