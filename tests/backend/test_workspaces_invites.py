"""Invitations: inviting, the link's page, accepting with a new or an existing account, withdrawing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar import Litestar

from backend.accounts.live_links import link_base
from backend.accounts.roles import Role
from backend.services import Services
from tests.backend.workspaces_support import (
    PASSWORD,
    Browser,
    Clients,
    audit_actions,
    clients_of,
    join,
    open_session,
)
from tests.tenants import Tenant, new_tenant


@pytest.fixture
def clients(app: Litestar) -> Clients:
    return clients_of(app)


@pytest.fixture
async def owner(clients: Clients, services: Services, tenant: Tenant) -> AsyncIterator[Browser]:
    """The tenant's owner in a browser, acting in the tenant's workspace."""
    async with clients() as client:
        browser = Browser(client)
        await open_session(services, browser, tenant.principal.user_id, tenant.slug)
        yield browser


async def invite(owner: Browser, email: str, role: str = "EDITOR") -> dict[str, Any]:
    result: dict[str, Any] = (await owner.run("InviteMember", email=email, role=role))["inviteMember"]
    return result


def token_of(issued: dict[str, Any]) -> str:
    return str(issued["url"]).partition("?token=")[2]


async def accept(client: httpx.AsyncClient, token: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post(
        "/auth/invite/accept", json={"token": token, "password": password, "displayName": "Ada"}
    )


async def test_an_invited_person_creates_their_account_from_the_link_and_joins_signed_in(
    owner: Browser, clients: Clients, services: Services, tenant: Tenant
) -> None:
    issued = await invite(owner, "ada@example.com", "EDITOR")
    pending = (await owner.run("Invites"))["invites"]
    async with clients() as client:
        described = await client.get("/auth/links/invite", params={"token": token_of(issued)})
        accepted = await accept(client, token_of(issued))
        ada = Browser(client)
        ada.took_cookie(accepted)
        ada.workspace = tenant.slug
        workspaces = (await ada.run("Workspaces"))["workspaces"]
    after = (await owner.run("Invites"))["invites"]

    assert issued["url"].startswith("http://testserver/invite?token=fll_")
    assert (issued["mailed"], issued["invite"]["role"]) == (False, "EDITOR")
    assert [i["email"] for i in pending] == ["ada@example.com"]
    assert described.status_code == 200
    assert described.json() | {"expiresAt": None} == {
        "kind": "invite",
        "workspace": {"name": f"Workspace {tenant.slug}", "slug": tenant.slug},
        "email": "ada@example.com",
        "role": "editor",
        "expiresAt": None,
        "accountExists": False,
    }
    assert accepted.status_code == 201
    assert accepted.json()["workspace"] == {
        "slug": tenant.slug,
        "name": f"Workspace {tenant.slug}",
        "role": "editor",
    }
    assert [(w["slug"], w["role"]) for w in workspaces] == [(tenant.slug, "EDITOR")]
    assert after == []
    actions = await audit_actions(services, tenant.principal.workspace_id)
    assert actions[-2:] == ["member_invited", "member_joined"]


async def test_an_invitation_link_works_once(owner: Browser, clients: Clients) -> None:
    token = token_of(await invite(owner, "once@example.com"))
    async with clients() as first, clients() as second:
        used = await accept(first, token)
        reused = await accept(second, token)
        described = await second.get("/auth/links/invite", params={"token": token})

    assert used.status_code == 201
    assert (reused.status_code, reused.json()["error"]["code"]) == (400, "INVALID_LINK")
    assert described.status_code == 404


async def test_an_admin_cannot_invite_an_owner_and_an_owner_can(
    owner: Browser, clients: Clients, services: Services, tenant: Tenant
) -> None:
    async with clients() as client:
        admin = Browser(client)
        await join(services, tenant, Role.ADMIN, admin)

        by_admin = await invite(admin, "boss@example.com", "OWNER")
        admin_peer = await invite(admin, "peer@example.com", "ADMIN")
    by_owner = await invite(owner, "boss@example.com", "OWNER")

    assert (by_admin["__typename"], by_admin["code"]) == ("Refused", "ROLE_TOO_HIGH")
    assert admin_peer["__typename"] == "IssuedInvite"
    assert (by_owner["__typename"], by_owner["invite"]["role"]) == ("IssuedInvite", "OWNER")


@pytest.mark.parametrize(
    ("email", "code"),
    [("not-an-email", "INVALID_EMAIL"), ("a@b", "INVALID_EMAIL"), ("nul\x00@example.com", "INVALID_EMAIL")],
)
async def test_a_malformed_email_is_refused(owner: Browser, email: str, code: str) -> None:
    result = await invite(owner, email)

    assert (result["__typename"], result["code"]) == ("Refused", code)


async def test_inviting_a_member_is_refused(owner: Browser, tenant: Tenant) -> None:
    result = await invite(owner, f"{tenant.slug.upper()}@TEST.LOCAL")

    assert (result["__typename"], result["code"]) == ("Refused", "ALREADY_MEMBER")


async def test_inviting_again_replaces_the_earlier_link(owner: Browser, clients: Clients) -> None:
    first = token_of(await invite(owner, "twice@example.com", "VIEWER"))
    second = await invite(owner, "Twice@Example.com", "RUNNER")
    async with clients() as client:
        old = await client.get("/auth/links/invite", params={"token": first})
    pending = (await owner.run("Invites"))["invites"]

    assert old.status_code == 404
    assert [(i["email"], i["role"]) for i in pending] == [("Twice@Example.com", "RUNNER")]
    assert second["__typename"] == "IssuedInvite"


async def test_an_invitation_for_another_email_is_refused_and_stays_usable_by_its_person(
    owner: Browser, clients: Clients, services: Services, tenant: Tenant
) -> None:
    elsewhere = await new_tenant(services)
    async with clients() as a, clients() as b, clients() as c:
        wrong, right = Browser(a), Browser(b)
        await join(services, elsewhere, Role.VIEWER, wrong)
        invited = await join(services, elsewhere, Role.VIEWER, right)
        token = token_of(await invite(owner, invited.email.upper(), "RUNNER"))

        refused = (await wrong.run("AcceptInvite", token=token))["acceptInvite"]
        as_new_account = await accept(c, token)
        described = (await c.get("/auth/links/invite", params={"token": token})).json()
        accepted = (await right.run("AcceptInvite", token=token))["acceptInvite"]
        again = (await right.run("AcceptInvite", token=token))["acceptInvite"]
        slugs = [(w["slug"], w["role"]) for w in (await right.run("Workspaces"))["workspaces"]]

    assert (refused["__typename"], refused["code"]) == ("Refused", "WRONG_ACCOUNT")
    assert (as_new_account.status_code, as_new_account.json()["error"]["code"]) == (400, "EMAIL_TAKEN")
    assert described["accountExists"] is True
    assert (accepted["__typename"], accepted["slug"], accepted["role"]) == (
        "Workspace",
        tenant.slug,
        "RUNNER",
    )
    assert (again["__typename"], again["code"]) == ("Refused", "INVALID_LINK")
    assert slugs == [(elsewhere.slug, "VIEWER"), (tenant.slug, "RUNNER")]


async def test_a_withdrawn_invitation_no_longer_works(
    owner: Browser, clients: Clients, services: Services, tenant: Tenant
) -> None:
    issued = await invite(owner, "withdrawn@example.com")
    invite_id = issued["invite"]["id"]
    elsewhere = await new_tenant(services)

    revoked = (await owner.run("RevokeInvite", id=invite_id))["revokeInvite"]
    twice = (await owner.run("RevokeInvite", id=invite_id))["revokeInvite"]
    async with clients() as client:
        stranger = Browser(client)
        await open_session(services, stranger, elsewhere.principal.user_id, elsewhere.slug)
        foreign = (await stranger.run("RevokeInvite", id=invite_id))["revokeInvite"]
        described = await client.get("/auth/links/invite", params={"token": token_of(issued)})
        accepted = await accept(client, token_of(issued))

    assert revoked == {"__typename": "RevokedInvite", "id": invite_id}
    assert twice["__typename"] == foreign["__typename"] == "NotFound"
    assert described.status_code == 404
    assert accepted.json()["error"]["code"] == "INVALID_LINK"
    actions = await audit_actions(services, tenant.principal.workspace_id)
    assert actions[-2:] == ["member_invited", "invite_revoked"]  # the failed attempts are not changes


async def test_the_invitations_of_a_deleted_workspace_no_longer_work(
    owner: Browser, clients: Clients
) -> None:
    slug = f"gone-{owner.csrf[:8]}"
    await owner.run("CreateWorkspace", name="Soon gone", slug=slug)
    owner.workspace = slug
    token = token_of(await invite(owner, "late@example.com"))

    await owner.run("DeleteWorkspace", confirmSlug=slug)
    async with clients() as client:
        described = await client.get("/auth/links/invite", params={"token": token})
        accepted = await accept(client, token)

    assert described.status_code == 404
    assert accepted.json()["error"]["code"] == "INVALID_LINK"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/auth/links/invite", {}),
        ("/auth/links/invite", {"token": ""}),
        ("/auth/links/invite", {"token": "fll_" + "x" * 5000}),
        ("/auth/links/invite", {"token": "fll_\u00e9\u4e2d"}),
        ("/auth/links/setup", {"token": "fll_abc"}),
        ("/auth/links/bogus", {"token": "fll_abc"}),
    ],
)
async def test_a_wrong_link_is_not_found(clients: Clients, path: str, params: dict[str, str]) -> None:
    async with clients() as client:
        response = await client.get(path, params=params)

    assert (response.status_code, response.json()["error"]["code"]) == (404, "INVALID_LINK")


async def test_accepting_with_a_malformed_token_or_password_is_a_client_error(clients: Clients) -> None:
    bodies = [
        b'{"token": "fll_\\ud800", "password": "a long enough password"}',
        b'{"token": "fll_x", "password": "short"}',
        b'{"token": "fll_x", "password": "a long enough \\u0000 password"}',
        b'{"token": "fll_x"}',
        b'{"token": "fll_x", "password": "a long enough password", "extra": 1}',
        b"[1, 2]",
    ]
    async with clients() as client:
        for path in ("/auth/invite/accept", "/auth/password/reset"):
            for body in bodies:
                response = await client.post(path, content=body, headers={"Content-Type": "application/json"})
                assert response.status_code == 400, (path, body, response.text)
                assert "error" in response.json()


@pytest.mark.parametrize("token", ["", "fll_\ud800", "fll_" + "x" * 300, "flt_not-a-link", "nul\x00"])
async def test_accepting_a_malformed_token_over_graphql_is_refused(
    clients: Clients, services: Services, tenant: Tenant, token: str
) -> None:
    async with clients() as client:
        person = Browser(client)
        await join(services, tenant, Role.VIEWER, person)

        result = (await person.run("AcceptInvite", token=token))["acceptInvite"]

    assert (result["__typename"], result["code"]) == ("Refused", "INVALID_LINK")


@pytest.mark.parametrize(
    ("public_url", "request_base", "expected"),
    [
        ("https://flow.example", "http://10.0.0.5:8000/", "https://flow.example"),
        (None, "http://10.0.0.5:8000/", "http://10.0.0.5:8000"),
        ("https://flow.example/app/", "http://x/", "https://flow.example/app"),
    ],
)
def test_links_point_at_the_public_url_else_at_the_url_the_request_came_to(
    public_url: str | None, request_base: str, expected: str
) -> None:
    assert link_base(public_url, request_base) == expected
