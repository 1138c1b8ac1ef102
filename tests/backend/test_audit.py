"""The audit log over GraphQL: a workspace's own entries, newest first, paged, and never a secret."""

from __future__ import annotations

from typing import Any

import httpx

from backend.accounts.roles import Role
from backend.services import Services
from tests.backend.conftest import GraphQLClient
from tests.backend.token_support import PASSWORD, member, person
from tests.operations import operation
from tests.tenants import Tenant, new_tenant


async def entries(gql: GraphQLClient, first: int = 100, after: str | None = None) -> dict[str, Any]:
    log: dict[str, Any] = (await gql.run("AuditLog", first=first, after=after))["auditLog"]
    return log


async def every_entry(gql: GraphQLClient, first: int) -> list[dict[str, Any]]:
    """The whole log, `first` entries at a time."""
    found: list[dict[str, Any]] = []
    after = None
    while True:
        page = await entries(gql, first, after)
        found += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


async def create_token(gql: GraphQLClient, name: str) -> str:
    data = await gql.run("CreateApiToken", input={"name": name, "role": "VIEWER"})
    token_id: str = data["createApiToken"]["token"]["id"]
    return token_id


async def test_token_creation_and_revocation_are_recorded_newest_first(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    token_id = await create_token(gql, "deploy bot")
    await gql.run("RevokeApiToken", id=token_id)

    log = [edge["node"] for edge in (await entries(gql))["edges"]]

    assert [(e["action"], e["target"]) for e in log] == [
        ("TOKEN_REVOKED", "deploy bot"),
        ("TOKEN_CREATED", "deploy bot"),
        ("TOKEN_CREATED", "test"),  # the fixture's own token
    ]
    assert log[0]["actorEmail"] == f"{tenant.slug}@test.local"
    assert log[0]["actorTokenId"] is not None  # the request came with the fixture's token
    assert log[1]["details"] == {"token": token_id, "role": "viewer"}


async def test_pages_cover_the_log_once_newest_first(gql: GraphQLClient) -> None:
    for number in range(7):
        await create_token(gql, f"token {number}")

    paged = await every_entry(gql, first=3)

    whole = [edge["node"] for edge in (await entries(gql))["edges"]]
    assert paged == whole
    assert [entry["target"] for entry in whole[:7]] == [f"token {n}" for n in reversed(range(7))]
    assert len({entry["id"] for entry in paged}) == 8
    assert [entry["at"] for entry in whole] == sorted((entry["at"] for entry in whole), reverse=True)


async def test_a_page_size_out_of_range_and_a_bad_cursor_are_refused(gql: GraphQLClient) -> None:
    for variables in ({"first": 101}, {"first": -1}, {"after": "bm90IGEgY3Vyc29y"}):
        status, body = await gql.post(operation("AuditLog"), variables)

        assert status == 200
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body


async def test_a_workspace_sees_only_its_own_entries_not_another_workspaces_nor_sign_ins(
    services: Services, gql: GraphQLClient, http: httpx.AsyncClient, tenant: Tenant
) -> None:
    other = await new_tenant(services)
    await create_token(GraphQLClient(http, other.token), "theirs")
    someone = await person(services, tenant, Role.VIEWER)
    signed_in = await services.accounts.sign_in(someone.email, PASSWORD, "192.0.2.7", "test")
    assert signed_in is not None
    async with services.db.pool.acquire() as connection:
        sign_ins = await connection.fetchval(
            "SELECT count(*) FROM audit_events WHERE action = 'signed_in' AND actor_user_id = $1",
            someone.principal.user_id,
        )
    assert sign_ins == 1  # recorded, but in no workspace's log

    log = [edge["node"] for edge in (await entries(gql))["edges"]]

    assert "theirs" not in [entry["target"] for entry in log]
    assert "SIGNED_IN" not in [entry["action"] for entry in log]
    assert [entry["action"] for entry in log if entry["target"] == someone.email] == ["MEMBER_JOINED"]


async def test_credential_changes_are_recorded_by_provider_name_without_the_key_or_url(
    services: Services, gql: GraphQLClient, tenant: Tenant
) -> None:
    key = "sk-audit-" + "k" * 24
    url = "https://user:hunter2hunter2@llm.example.com/v1"
    await gql.run("SetCredential", input={"provider": "openai", "apiKey": key, "baseUrl": url})
    await gql.run("DeleteCredential", provider="openai")
    await gql.run("DeleteCredential", provider="openai")  # nothing left: nothing recorded

    log = [edge["node"] for edge in (await entries(gql))["edges"]]

    assert [(e["action"], e["target"]) for e in log[:2]] == [
        ("CREDENTIAL_DELETED", "openai"),
        ("CREDENTIAL_SET", "openai"),
    ]
    assert log[2]["action"] == "TOKEN_CREATED"
    async with services.db.pool.acquire() as connection:
        rows = await connection.fetch(
            "SELECT a::text AS row FROM audit_events a WHERE workspace_id = $1", tenant.principal.workspace_id
        )
    stored = " ".join(row["row"] for row in rows)
    assert "openai" in stored
    assert key not in stored
    assert "hunter2" not in stored


async def test_only_admins_and_owners_read_the_audit_log(
    services: Services, tenant: Tenant, http: httpx.AsyncClient
) -> None:
    editor = GraphQLClient(http, (await member(services, tenant, Role.EDITOR)).token)
    admin = GraphQLClient(http, (await member(services, tenant, Role.ADMIN)).token)

    _, refused = await editor.post(operation("AuditLog"))
    allowed = await entries(admin)

    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert allowed["edges"]
