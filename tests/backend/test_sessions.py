"""Browser sessions: cookie flags, fixation, CSRF, sign-out, password changes and workspace choice."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from litestar import Litestar

from backend.accounts.roles import Role
from backend.accounts.routes import THROTTLE
from backend.accounts.throttle import SignInThrottle
from backend.app import create_app
from backend.counters import MemoryCountingStore
from backend.services import Services
from tests.people import PASSWORD, Browser, Person, new_person
from tests.tenants import Tenant

CREATE = (
    'mutation { createWorkflow(input: {name: "csrf", definition: '
    '{nodes: [{id: "a", type: "template", params: {template: "x"}}], edges: []}}) { __typename } }'
)
WORKFLOWS = "{ workflows { edges { node { name } } } }"


@pytest.fixture
async def browser(app: Litestar) -> AsyncIterator[Browser]:
    """A fresh cookie-keeping client of the app."""
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Browser(client)


@pytest.fixture
async def member(tenant: Tenant) -> Person:
    """An editor of the test's workspace with a password."""
    return await new_person(tenant.principal.workspace_id, Role.EDITOR)


async def test_signing_in_sets_an_httponly_lax_session_cookie_for_the_whole_site(
    browser: Browser, member: Person
) -> None:
    response = await browser.sign_in(member)

    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("flowloom_session=fls_")
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "path=/", "samesite=lax"} <= flags
    assert "secure" not in flags  # served over plain http here; FLOWLOOM_PUBLIC_URL=https://… turns it on
    assert "fls_" not in response.text  # the secret only ever travels in the cookie


async def test_the_email_matches_whatever_its_case(browser: Browser, member: Person) -> None:
    upper = Person(id=member.id, email=member.email.upper(), password=member.password)

    assert (await browser.sign_in(upper)).status_code == 200


async def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(
    browser: Browser, member: Person
) -> None:
    wrong = await browser.sign_in(Person(id=member.id, email=member.email, password="not the password"))
    unknown = await browser.sign_in(Person(id=member.id, email="nobody@example.test", password=PASSWORD))

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert "set-cookie" not in wrong.headers


async def test_a_session_cookie_planted_before_sign_in_is_replaced_and_never_authenticates(
    browser: Browser, member: Person
) -> None:
    planted = "fls_planted-by-an-attacker"
    browser.client.cookies.set("flowloom_session", planted)

    response = await browser.sign_in(member)

    issued = response.cookies.get("flowloom_session")
    assert issued is not None
    assert issued != planted
    attacker = httpx.AsyncClient(transport=browser.client._transport, base_url="http://testserver")
    async with attacker:
        attacker.cookies.set("flowloom_session", planted)
        assert (await attacker.get("/auth/session")).status_code == 401


async def test_signing_in_again_starts_a_new_session(browser: Browser, member: Person) -> None:
    await browser.sign_in(member)
    first = browser.client.cookies.get("flowloom_session")

    await browser.sign_in(member)

    assert browser.client.cookies.get("flowloom_session") not in {None, first}


async def test_a_signed_in_browser_reads_its_workspace_over_graphql(
    browser: Browser, member: Person, tenant: Tenant
) -> None:
    await browser.sign_in(member)

    response = await browser.graphql("{ viewer { email role workspace { slug } } }", workspace=tenant.slug)

    assert response.json() == {
        "data": {"viewer": {"email": member.email, "role": "editor", "workspace": {"slug": tenant.slug}}}
    }


async def test_a_cookie_only_mutation_without_the_csrf_header_is_refused_and_changes_nothing(
    browser: Browser, member: Person, tenant: Tenant
) -> None:
    await browser.sign_in(member)

    refused = await browser.graphql(CREATE, workspace=tenant.slug, csrf=False)
    listed = await browser.graphql(WORKFLOWS, workspace=tenant.slug)

    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "CSRF_FAILED"
    assert listed.json()["data"]["workflows"]["edges"] == []


async def test_a_wrong_csrf_token_is_refused_and_the_right_one_accepted(
    browser: Browser, member: Person, tenant: Tenant
) -> None:
    await browser.sign_in(member)
    right = browser.csrf
    browser.csrf = "0" * 64
    refused = await browser.graphql(CREATE, workspace=tenant.slug)
    browser.csrf = right

    accepted = await browser.graphql(CREATE, workspace=tenant.slug)

    assert refused.status_code == 403
    assert accepted.json() == {"data": {"createWorkflow": {"__typename": "Workflow"}}}


async def test_graphql_over_get_with_the_cookie_answers_queries_but_never_mutations(
    browser: Browser, member: Person, tenant: Tenant
) -> None:
    await browser.sign_in(member)
    headers = {"X-Flowloom-Workspace": tenant.slug}

    query = await browser.client.get("/graphql", params={"query": WORKFLOWS}, headers=headers)
    mutation = await browser.client.get("/graphql", params={"query": CREATE}, headers=headers)

    assert query.status_code == 200
    assert "errors" not in query.json()
    assert mutation.status_code in {400, 405}
    listed = await browser.graphql(WORKFLOWS, workspace=tenant.slug)
    assert listed.json()["data"]["workflows"]["edges"] == []


async def test_the_session_endpoint_gives_the_csrf_token_and_the_workspaces(
    browser: Browser, member: Person, tenant: Tenant
) -> None:
    await browser.sign_in(member)

    session = (await browser.client.get("/auth/session")).json()

    assert session["csrfToken"] == browser.csrf
    assert session["user"]["email"] == member.email
    assert [(w["slug"], w["role"]) for w in session["workspaces"]] == [(tenant.slug, "editor")]


async def test_signing_out_ends_the_session_for_good(
    browser: Browser, member: Person, tenant: Tenant
) -> None:
    await browser.sign_in(member)
    cookie = browser.client.cookies.get("flowloom_session")

    signed_out = await browser.client.post("/auth/logout", headers={"X-CSRF-Token": browser.csrf or ""})

    assert signed_out.status_code == 200
    replay = httpx.AsyncClient(transport=browser.client._transport, base_url="http://testserver")
    async with replay:
        replay.cookies.set("flowloom_session", cookie or "")
        assert (await replay.get("/auth/session")).status_code == 401
        assert (await replay.post("/graphql", json={"query": WORKFLOWS})).status_code == 401


async def test_signing_out_without_the_csrf_header_is_refused(browser: Browser, member: Person) -> None:
    await browser.sign_in(member)

    refused = await browser.client.post("/auth/logout")

    assert refused.status_code == 403
    assert (await browser.client.get("/auth/session")).status_code == 200


async def test_a_form_post_cannot_sign_anyone_in(browser: Browser, member: Person) -> None:
    response = await browser.client.post(
        "/auth/login", data={"email": member.email, "password": member.password}
    )

    assert response.status_code == 415
    assert "set-cookie" not in response.headers


async def test_a_workspace_the_person_does_not_belong_to_is_forbidden_like_an_unknown_one(
    browser: Browser, member: Person, services: Services
) -> None:
    await browser.sign_in(member)
    other = await services.accounts.ensure_workspace("s-" + member.email[2:12], "Other", "o@x.test", "O")
    del other

    foreign = await browser.graphql(WORKFLOWS, workspace="s-" + member.email[2:12])
    unknown = await browser.graphql(WORKFLOWS, workspace="no-such-workspace")

    assert foreign.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert foreign.json()["errors"][0]["message"] == unknown.json()["errors"][0]["message"]


async def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(
    app: Litestar, member: Person, services: Services
) -> None:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as first,
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as second,
    ):
        here, there = Browser(first), Browser(second)
        await here.sign_in(member)
        await there.sign_in(member)
        caller = await services.accounts.session_caller(first.cookies.get("flowloom_session"))
        assert caller is not None

        assert await services.accounts.change_password(caller, PASSWORD, "a brand new passphrase") is None

        assert (await first.get("/auth/session")).status_code == 200
        assert (await second.get("/auth/session")).status_code == 401
        old = await Browser(second).sign_in(member)
        assert old.status_code == 401


async def test_repeated_failed_sign_ins_slow_down_then_lock_the_account_here_for_a_while(
    services: Services, member: Person
) -> None:
    app = create_app(services.settings, services)
    app.state[THROTTLE] = SignInThrottle(MemoryCountingStore(), base_delay=0.001, max_delay=0.01)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        browser = Browser(client)
        wrong = Person(id=member.id, email=member.email, password="not the password")
        answers = [(await browser.sign_in(wrong)).status_code for _ in range(10)]
        locked = await browser.sign_in(member)  # the right password, too late

    assert answers == [401] * 10
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "SIGN_IN_LOCKED"
    assert 0 < int(locked.headers["retry-after"]) <= 900
    assert "set-cookie" not in locked.headers


async def test_a_person_in_no_workspace_yet_sees_a_null_viewer_and_no_workspace_data(
    browser: Browser,
) -> None:
    loner = await new_person()
    await browser.sign_in(loner)

    viewer = await browser.graphql("{ viewer { email } }")
    workflows = await browser.graphql(WORKFLOWS)

    assert viewer.json() == {"data": {"viewer": None}}
    assert workflows.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
