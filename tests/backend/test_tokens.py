"""API tokens over GraphQL: created with a role no higher than their creator's, listed without their
secrets, refused once expired or revoked."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import httpx

from backend.accounts.roles import Role
from backend.services import Services
from tests.backend.conftest import GraphQLClient
from tests.backend.token_support import member
from tests.operations import operation
from tests.tenants import Tenant, new_tenant

VIEWER_QUERY = "{ viewer { role workspace { slug } } }"


async def create(gql: GraphQLClient, role: str, **extra: Any) -> dict[str, Any]:
    data = await gql.run("CreateApiToken", input={"name": f"{role} token", "role": role, **extra})
    created: dict[str, Any] = data["createApiToken"]
    return created


async def status_with(http: httpx.AsyncClient, token: str) -> int:
    """The HTTP status of a query made with `token`."""
    return (await GraphQLClient(http, token).post(VIEWER_QUERY))[0]


async def test_a_created_token_acts_in_its_workspace_with_its_role(
    gql: GraphQLClient, http: httpx.AsyncClient, tenant: Tenant
) -> None:
    created = await create(gql, "RUNNER")

    assert created["__typename"] == "CreatedApiToken"
    assert created["token"]["role"] == "RUNNER"
    assert created["token"]["createdBy"] == f"{tenant.slug}@test.local"
    assert created["secret"].startswith(created["token"]["prefix"])
    viewer = await GraphQLClient(http, created["secret"]).run("Viewer")
    assert viewer["viewer"]["role"] == "runner"
    assert viewer["viewer"]["workspace"]["slug"] == tenant.slug


async def test_the_token_list_shows_every_token_of_the_workspace_and_never_a_secret(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    created = await create(gql, "VIEWER", expiresInDays=30)

    listed = (await gql.run("ApiTokens"))["apiTokens"]

    assert [token["name"] for token in listed] == ["VIEWER token", "test"]  # newest first
    assert listed[0] == created["token"]
    assert listed[0]["expiresAt"] is not None
    assert created["secret"] not in str(listed)


async def test_a_token_cannot_be_given_a_role_above_its_creators(
    services: Services, tenant: Tenant, http: httpx.AsyncClient
) -> None:
    admin = GraphQLClient(http, (await member(services, tenant, Role.ADMIN)).token)

    refused = await create(admin, "OWNER")
    allowed = await create(admin, "ADMIN")

    assert refused == {
        "__typename": "Refused",
        "code": "ROLE_TOO_HIGH",
        "message": "A admin cannot create a token with the role owner.",
    }
    assert allowed["token"]["role"] == "ADMIN"


async def test_a_token_of_a_lower_role_than_its_creator_creates_tokens_only_up_to_its_own(
    services: Services, tenant: Tenant, http: httpx.AsyncClient
) -> None:
    # an owner's admin token acts as an admin: it cannot mint the owner token its creator could
    admin_token = GraphQLClient(http, (await member(services, tenant, Role.OWNER, Role.ADMIN)).token)

    refused = await create(admin_token, "OWNER")

    assert refused["code"] == "ROLE_TOO_HIGH"


async def test_members_below_admin_cannot_see_or_create_tokens(
    services: Services, tenant: Tenant, http: httpx.AsyncClient
) -> None:
    editor = GraphQLClient(http, (await member(services, tenant, Role.EDITOR)).token)

    _, listed = await editor.post(operation("ApiTokens"))
    _, created = await editor.post(operation("CreateApiToken"), {"input": {"name": "mine", "role": "VIEWER"}})

    assert listed["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert created["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_an_expiry_outside_1_to_3650_days_and_a_blank_name_are_refused(gql: GraphQLClient) -> None:
    assert (await create(gql, "VIEWER", expiresInDays=0))["code"] == "INVALID_EXPIRY"
    assert (await create(gql, "VIEWER", expiresInDays=100_000_000))["code"] == "INVALID_EXPIRY"
    blank = await gql.run("CreateApiToken", input={"name": "  ", "role": "VIEWER"})
    assert blank["createApiToken"]["code"] == "INVALID_NAME"
    nul = await gql.run("CreateApiToken", input={"name": "a\x00b", "role": "VIEWER"})
    assert nul["createApiToken"]["code"] == "INVALID_NAME"


async def test_an_expired_token_is_refused(
    services: Services, gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    created = await create(gql, "VIEWER", expiresInDays=1)
    assert await status_with(http, created["secret"]) == 200

    async with services.db.pool.acquire() as connection:
        await connection.execute(
            "UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1",
            UUID(created["token"]["id"]),
        )

    assert await status_with(http, created["secret"]) == 401


async def test_a_revoked_token_is_refused_on_its_next_request(
    gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    created = await create(gql, "EDITOR")
    assert await status_with(http, created["secret"]) == 200

    revoked = (await gql.run("RevokeApiToken", id=created["token"]["id"]))["revokeApiToken"]

    assert revoked["__typename"] == "ApiToken"
    assert revoked["revokedAt"] is not None
    assert await status_with(http, created["secret"]) == 401


async def test_revoking_a_revoked_token_answers_the_same_and_changes_nothing(gql: GraphQLClient) -> None:
    created = await create(gql, "EDITOR")
    first = (await gql.run("RevokeApiToken", id=created["token"]["id"]))["revokeApiToken"]

    again = (await gql.run("RevokeApiToken", id=created["token"]["id"]))["revokeApiToken"]

    assert again == first


async def test_unknown_foreign_and_malformed_token_ids_are_not_found_alike(
    services: Services, gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    other = await new_tenant(services)
    foreign = (await create(GraphQLClient(http, other.token), "VIEWER"))["token"]["id"]

    answers = [
        (await gql.run("RevokeApiToken", id=token_id))["revokeApiToken"]
        for token_id in (str(uuid4()), foreign, "not-a-uuid")
    ]

    assert [answer["__typename"] for answer in answers] == ["NotFound"] * 3
    assert answers[1]["message"] == f"no token {foreign}"
    theirs = (await GraphQLClient(http, other.token).run("ApiTokens"))["apiTokens"]
    assert [token["revokedAt"] for token in theirs if token["id"] == foreign] == [None]
