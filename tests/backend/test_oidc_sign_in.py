"""OpenID sign-in through Flowloom's own routes, as a browser does it, against the real test provider."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import httpx
import pytest

from backend.accounts.links import LinkKind, LinkRepository
from backend.accounts.oidc import OidcClients
from backend.accounts.roles import Role
from backend.app import create_app
from backend.services import Services
from tests.people import Browser, new_person
from tests.servers.oidc_state import CLIENT_ID, CLIENT_SECRET, OidcProvider
from tests.tenants import Tenant

SITE = "http://testserver"
CALLBACK = f"{SITE}/auth/oidc/test/callback"
VIEWER = "{ viewer { email role workspace { slug } } }"
CREATE = 'mutation { createWorkflow(input: {name: "x", definition: {nodes: [], edges: []}}) { __typename } }'

Site = Callable[..., httpx.AsyncClient]
"""Opens a browser on a Flowloom whose test provider has the given settings changes."""


@pytest.fixture
async def site(services: Services, oidc_provider: OidcProvider) -> AsyncIterator[Site]:
    oidc_provider.register_client(CLIENT_ID, CLIENT_SECRET, (CALLBACK,))
    opened: list[httpx.AsyncClient] = []

    def open_browser(**changes: Any) -> httpx.AsyncClient:
        provider = oidc_provider.settings(**changes)
        settings = dataclasses.replace(services.settings, oidc_providers=(provider,))
        configured = dataclasses.replace(
            services, settings=settings, oidc=OidcClients((provider,), services.oidc_http)
        )
        app = create_app(settings, configured)
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        browser = httpx.AsyncClient(transport=transport, base_url=SITE)
        opened.append(browser)
        return browser

    yield open_browser
    for browser in opened:
        await browser.aclose()


async def at_provider(url: str) -> str:
    """The provider signs its current user in at once and redirects back: where to."""
    async with httpx.AsyncClient() as real:
        answer = await real.get(url)
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


async def sign_in(browser: httpx.AsyncClient, next_path: str = "/") -> httpx.Response:
    """The whole round trip; returns Flowloom's answer to the callback."""
    start = await browser.get("/auth/oidc/test/login", params={"next": next_path})
    assert start.status_code == 302, start.text
    return await browser.get(await at_provider(start.headers["location"]))


def landed(response: httpx.Response) -> str:
    """Where a callback sends the browser."""
    assert response.status_code == 302, response.text
    return response.headers["location"]


async def graphql(browser: httpx.AsyncClient, query: str, workspace: str) -> dict[str, Any]:
    session = (await browser.get("/auth/session")).json()
    headers = {"X-CSRF-Token": session["csrfToken"], "X-Flowloom-Workspace": workspace}
    body: dict[str, Any] = (await browser.post("/graphql", json={"query": query}, headers=headers)).json()
    return body


async def test_a_new_person_is_provisioned_into_the_configured_workspace_and_reads_but_cannot_edit(
    site: Site, oidc_provider: OidcProvider, tenant: Tenant
) -> None:
    browser = site(jit_workspace=tenant.slug, jit_role="viewer")
    oidc_provider.login_as(sub="sub-jit", email=f"{tenant.slug}@corp.example", name="Grace")

    answer = await sign_in(browser, next_path="/workflows")

    assert landed(answer) == "/workflows"
    assert (answer.cookies.get("flowloom_session") or "").startswith("fls_")
    viewer = await graphql(browser, VIEWER, tenant.slug)
    assert viewer["data"]["viewer"] == {
        "email": f"{tenant.slug}@corp.example",
        "role": "viewer",
        "workspace": {"slug": tenant.slug},
    }
    refused = await graphql(browser, CREATE, tenant.slug)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_the_same_subject_signs_in_as_the_same_user_next_time(
    site: Site, oidc_provider: OidcProvider, tenant: Tenant
) -> None:
    browser = site(jit_workspace=tenant.slug)
    oidc_provider.login_as(sub=f"sub-{tenant.slug}", email=f"{tenant.slug}@corp.example")
    await sign_in(browser)
    first = (await browser.get("/auth/session")).json()["user"]["id"]
    oidc_provider.login_as(sub=f"sub-{tenant.slug}", email=f"renamed-{tenant.slug}@corp.example")

    await sign_in(browser)

    assert (await browser.get("/auth/session")).json()["user"]["id"] == first


async def test_invite_only_refuses_a_stranger(
    site: Site, oidc_provider: OidcProvider, tenant: Tenant
) -> None:
    browser = site()
    oidc_provider.login_as(sub="sub-stranger", email=f"stranger-{tenant.slug}@corp.example")

    answer = await sign_in(browser)

    assert landed(answer) == "/signin?error=NOT_INVITED"
    assert "flowloom_session" not in answer.cookies
    assert (await browser.get("/auth/session")).status_code == 401


async def test_invite_only_lets_in_a_verified_email_with_a_pending_invitation(
    site: Site, oidc_provider: OidcProvider, tenant: Tenant
) -> None:
    email = f"invited-{tenant.slug}@corp.example"
    await LinkRepository().create(
        LinkKind.INVITE, 3600, workspace_id=tenant.principal.workspace_id, email=email, role=Role.VIEWER
    )
    browser = site()
    oidc_provider.login_as(sub=f"sub-{tenant.slug}", email=email.upper())

    answer = await sign_in(browser)

    assert landed(answer) == "/"
    session = (await browser.get("/auth/session")).json()
    assert session["user"]["email"] == email.upper()
    assert session["workspaces"] == []  # they join by accepting the invitation


async def test_an_unverified_email_never_links_to_an_existing_account(
    site: Site, oidc_provider: OidcProvider, tenant: Tenant
) -> None:
    person = await new_person(tenant.principal.workspace_id, Role.OWNER)
    browser = site(jit_workspace=tenant.slug)
    oidc_provider.login_as(sub=f"attacker-{tenant.slug}", email=person.email, verified=False)

    answer = await sign_in(browser)

    assert landed(answer) == "/signin?error=EMAIL_NOT_VERIFIED"
    assert (await browser.get("/auth/session")).status_code == 401
    oidc_provider.login_as(sub=f"owner-{tenant.slug}", email=person.email, verified=True)
    linked = await sign_in(browser)
    assert landed(linked) == "/"
    assert (await browser.get("/auth/session")).json()["user"]["id"] == str(person.id)


async def test_a_tampered_state_is_refused(site: Site, oidc_provider: OidcProvider, tenant: Tenant) -> None:
    browser = site(jit_workspace=tenant.slug)
    oidc_provider.login_as(sub="sub-state", email=f"state-{tenant.slug}@corp.example")
    start = await browser.get("/auth/oidc/test/login")
    back = urlsplit(await at_provider(start.headers["location"]))
    query = parse_qs(back.query)
    forged = urlunsplit(back._replace(query=f"code={query['code'][0]}&state=forged"))

    answer = await browser.get(forged)

    assert landed(answer) == "/signin?error=state_mismatch"
    assert (await browser.get("/auth/session")).status_code == 401


async def test_a_callback_replayed_or_opened_in_another_browser_signs_no_one_in(
    site: Site, oidc_provider: OidcProvider, tenant: Tenant
) -> None:
    browser = site(jit_workspace=tenant.slug)
    oidc_provider.login_as(sub="sub-replay", email=f"replay-{tenant.slug}@corp.example")
    start = await browser.get("/auth/oidc/test/login")
    callback = await at_provider(start.headers["location"])
    victim = site(jit_workspace=tenant.slug)

    in_another_browser = await victim.get(callback)
    first = await browser.get(callback)
    replayed = await browser.get(callback)

    assert landed(in_another_browser) == "/signin?error=state_mismatch"
    assert landed(first) == "/"
    assert landed(replayed) == "/signin?error=state_mismatch"


@pytest.mark.parametrize(
    ("claims", "code"),
    [
        ({"aud": ["another-client"]}, "wrong_audience"),
        ({"iss": "https://impostor.example.com"}, "wrong_issuer"),
        ({"nonce": "someone-elses"}, "nonce_mismatch"),
        ({"exp": int(time.time()) - 600}, "expired"),
    ],
)
async def test_a_bad_id_token_is_refused(
    site: Site, oidc_provider: OidcProvider, tenant: Tenant, claims: dict[str, Any], code: str
) -> None:
    browser = site(jit_workspace=tenant.slug)
    oidc_provider.login_as(sub=f"sub-{code}", email=f"{code}-{tenant.slug}@corp.example")
    oidc_provider.override_claims(**claims)

    answer = await sign_in(browser)

    assert landed(answer) == f"/signin?error={code}"
    assert (await browser.get("/auth/session")).status_code == 401


async def test_a_key_rotation_after_the_keys_were_cached_is_followed(
    site: Site, oidc_provider: OidcProvider, tenant: Tenant
) -> None:
    browser = site(jit_workspace=tenant.slug)
    oidc_provider.login_as(sub="sub-rotation", email=f"rotation-{tenant.slug}@corp.example")
    assert landed(await sign_in(browser)) == "/"
    oidc_provider.rotate_key()

    assert landed(await sign_in(browser)) == "/"
    oidc_provider.signing = "unpublished"
    assert landed(await sign_in(browser)) == "/signin?error=unknown_key"


async def test_the_next_path_never_leaves_the_site(
    site: Site, oidc_provider: OidcProvider, tenant: Tenant
) -> None:
    browser = site(jit_workspace=tenant.slug)
    oidc_provider.login_as(sub="sub-next", email=f"next-{tenant.slug}@corp.example")

    answer = await sign_in(browser, next_path="//evil.example/steal")

    assert landed(answer) == "/"


async def test_an_unknown_provider_goes_back_to_the_sign_in_page(site: Site) -> None:
    answer = await site().get("/auth/oidc/nobody/login")

    assert landed(answer) == "/signin?error=unknown_provider"


async def test_the_providers_endpoint_lists_each_configured_provider(site: Site) -> None:
    listed = (await site(name="Corporate SSO").get("/auth/providers")).json()

    assert listed["providers"] == [
        {"id": "test", "name": "Corporate SSO", "loginUrl": "/auth/oidc/test/login"}
    ]
    assert listed["password"] is True


async def test_a_person_signed_in_with_a_password_keeps_working(site: Site, tenant: Tenant) -> None:
    person = await new_person(tenant.principal.workspace_id, Role.RUNNER)
    browser = Browser(site())

    assert (await browser.sign_in(person)).status_code == 200
