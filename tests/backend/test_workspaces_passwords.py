"""Passwords: reset links issued by a workspace's managers, changing one's own, and mailed links."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from litestar import Litestar

from backend.accounts.access_repository import AccessRepository
from backend.accounts.audit import AuditLog
from backend.accounts.invitations import InvitationService, IssuedInvite
from backend.accounts.invites_repository import InvitesRepository
from backend.accounts.links import LinkRepository
from backend.accounts.mail import Mailer
from backend.accounts.members_repository import MembersRepository
from backend.accounts.password_resets import IssuedReset, PasswordService
from backend.accounts.repository import AccountsRepository
from backend.accounts.roles import Role
from backend.services import Services
from tests.backend.smtp_sink import SmtpSink
from tests.backend.workspaces_support import (
    PASSWORD,
    Browser,
    Clients,
    audit_actions,
    clients_of,
    join,
    open_session,
)
from tests.processes import free_port
from tests.tenants import Tenant

NEW_PASSWORD = "a brand new passphrase"


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


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/auth/login", json={"email": email, "password": password})


async def signed_in(client: httpx.AsyncClient) -> bool:
    return (await client.get("/auth/session")).status_code == 200


async def test_a_reset_link_sets_a_new_password_and_ends_every_earlier_session(
    owner: Browser, clients: Clients, services: Services, tenant: Tenant
) -> None:
    async with clients() as first, clients() as second, clients() as third:
        member = await join(services, tenant, Role.EDITOR, Browser(first))
        assert (await sign_in(second, member.email, PASSWORD)).status_code == 200
        issued = (await owner.run("CreatePasswordReset", userId=str(member.user_id)))["createPasswordReset"]
        token = issued["url"].partition("?token=")[2]

        described = await third.get("/auth/links/reset", params={"token": token})
        reset = await third.post("/auth/password/reset", json={"token": token, "password": NEW_PASSWORD})
        reused = await third.post("/auth/password/reset", json={"token": token, "password": NEW_PASSWORD})
        sessions = [await signed_in(first), await signed_in(second), await signed_in(third)]
        old_password = await sign_in(second, member.email, PASSWORD)
        new_password = await sign_in(second, member.email, NEW_PASSWORD)

    assert issued["url"].startswith("http://testserver/reset-password?token=fll_")
    assert (issued["email"], issued["mailed"]) == (member.email, False)
    assert (described.json()["kind"], described.json()["email"]) == ("reset", member.email)
    assert (reset.status_code, reset.json()["userId"]) == (200, str(member.user_id))
    assert reused.json()["error"]["code"] == "INVALID_LINK"
    assert sessions == [False, False, True]
    assert (old_password.status_code, new_password.status_code) == (401, 200)
    actions = await audit_actions(services, tenant.principal.workspace_id)
    assert actions[-2:] == ["password_reset_issued", "password_reset"]


async def test_an_admin_cannot_issue_a_reset_for_an_owner(
    clients: Clients, services: Services, tenant: Tenant
) -> None:
    async with clients() as client:
        admin = Browser(client)
        await join(services, tenant, Role.ADMIN, admin)
        editor = await join(services, tenant, Role.EDITOR)

        for_owner = await admin.run("CreatePasswordReset", userId=str(tenant.principal.user_id))
        for_editor = await admin.run("CreatePasswordReset", userId=str(editor.user_id))

    assert for_owner["createPasswordReset"]["code"] == "OWNER_REQUIRED"
    assert for_editor["createPasswordReset"]["__typename"] == "PasswordResetLink"


async def test_a_reset_link_stops_working_when_its_person_leaves_the_workspace(
    owner: Browser, clients: Clients, services: Services, tenant: Tenant
) -> None:
    member = await join(services, tenant, Role.VIEWER)
    issued = (await owner.run("CreatePasswordReset", userId=str(member.user_id)))["createPasswordReset"]
    token = issued["url"].partition("?token=")[2]

    await owner.run("RemoveMember", userId=str(member.user_id))
    async with clients() as client:
        reset = await client.post("/auth/password/reset", json={"token": token, "password": NEW_PASSWORD})

    assert reset.json()["error"]["code"] == "INVALID_LINK"


async def test_changing_ones_password_needs_the_current_one_and_ends_ones_other_sessions(
    clients: Clients, services: Services, tenant: Tenant
) -> None:
    async with clients() as first, clients() as second:
        me = Browser(first)
        member = await join(services, tenant, Role.VIEWER, me)
        assert (await sign_in(second, member.email, PASSWORD)).status_code == 200

        wrong = await me.run("ChangePassword", current="not my password", new=NEW_PASSWORD)
        unstorable = await me.run("ChangePassword", current="lone \ud800 surrogate", new=NEW_PASSWORD)
        weak = await me.run("ChangePassword", current=PASSWORD, new="short")
        changed = await me.run("ChangePassword", current=PASSWORD, new=NEW_PASSWORD)
        sessions = [await signed_in(first), await signed_in(second)]

    assert wrong["changePassword"]["code"] == "WRONG_PASSWORD"
    assert unstorable["changePassword"]["code"] == "WRONG_PASSWORD"
    assert weak["changePassword"]["code"] == "WEAK_PASSWORD"
    assert changed["changePassword"] == {"__typename": "PasswordChanged", "userId": str(member.user_id)}
    assert sessions == [True, False]


async def test_a_token_cannot_change_its_creators_password(clients: Clients, tenant: Tenant) -> None:
    async with clients() as client:
        response = await client.post(
            "/graphql",
            json={"query": 'mutation { changePassword(current: "x", new: "y") { __typename } }'},
            headers={"Authorization": f"Bearer {tenant.token}"},
        )

    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def mailing_through(services: Services, smtp_url: str) -> tuple[InvitationService, PasswordService]:
    """The invitation and password services as the app wires them, with a mail server configured."""
    mailer = Mailer(smtp_url, "flowloom@test.local")
    invitations = InvitationService(
        accounts=services.accounts,
        repository=AccountsRepository(),
        members=MembersRepository(),
        invites=InvitesRepository(),
        links=LinkRepository(),
        audit=AuditLog(),
        mailer=mailer,
        link_ttl_seconds=3600,
    )
    passwords = PasswordService(
        accounts=services.accounts,
        repository=AccountsRepository(),
        members=MembersRepository(),
        invites=InvitesRepository(),
        links=LinkRepository(),
        access=AccessRepository(),
        audit=AuditLog(),
        mailer=mailer,
        link_ttl_seconds=3600,
    )
    return invitations, passwords


async def test_invitations_and_resets_are_mailed_when_a_mail_server_is_configured(
    services: Services, tenant: Tenant
) -> None:
    sink = SmtpSink()
    port = await sink.start()
    try:
        invitations, passwords = mailing_through(services, f"smtp://127.0.0.1:{port}")
        invited = await invitations.invite(
            tenant.principal, "mailed@example.com", Role.VIEWER, "https://flow.example"
        )
        member = await join(services, tenant, Role.VIEWER)
        reset = await passwords.issue_reset(tenant.principal, str(member.user_id), "https://flow.example")
    finally:
        await sink.stop()

    assert isinstance(invited, IssuedInvite)
    assert isinstance(reset, IssuedReset)
    assert (invited.mailed, reset.mailed) == (True, True)
    assert [(m["To"], m["From"]) for m in sink.messages] == [
        ("mailed@example.com", "flowloom@test.local"),
        (member.email, "flowloom@test.local"),
    ]
    assert invited.url in sink.messages[0].get_content()
    assert reset.url in sink.messages[1].get_content()
    assert invited.url.startswith("https://flow.example/invite?token=")


async def test_an_unreachable_mail_server_still_gives_the_link(services: Services, tenant: Tenant) -> None:
    invitations, _ = mailing_through(services, f"smtp://127.0.0.1:{free_port()}")

    invited = await invitations.invite(tenant.principal, "unmailed@example.com", Role.VIEWER, "http://x")

    assert isinstance(invited, IssuedInvite)
    assert invited.mailed is False
    assert "?token=fll_" in invited.url


@pytest.mark.parametrize("url", ["http://mail.example", "smtp://", "mail.example:25"])
def test_a_malformed_smtp_url_is_refused_at_start(url: str) -> None:
    with pytest.raises(ValueError, match="FLOWLOOM_SMTP_URL"):
        Mailer(url, "flowloom@localhost")
