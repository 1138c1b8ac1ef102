"""`flowloom token create|list|revoke` and `flowloom user create`, run as an operator runs them."""

from __future__ import annotations

import asyncio
import re
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from litestar import Litestar

from backend.accounts.digests import TOKEN_PREFIX
from backend.services import Services
from tests.backend.conftest import GraphQLClient
from tests.processes import FLOWLOOM, flowloom_env, run_cli
from tests.tenants import Tenant

STRONG = "a long enough passphrase"


def database_env(services: Services) -> dict[str, str]:
    """The session's migrated database, as a deployment with DATABASE_URL sees it."""
    dsn = services.settings.database_url
    assert dsn is not None
    return flowloom_env(
        FLOWLOOM_HOME=str(services.settings.home), DATABASE_URL=dsn, FLOWLOOM_SECRET_KEY="test-secret"
    )


async def cli(services: Services, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `flowloom *args` (with `stdin` piped in, when given) without blocking the event loop."""
    env = database_env(services)
    if stdin is None:
        return await asyncio.to_thread(run_cli, *args, env=env)
    return await asyncio.to_thread(
        subprocess.run,
        [FLOWLOOM, *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single `flowloom: error: …` line of a failed command."""
    assert result.returncode == 1, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("flowloom: error: "), result.stderr
    return lines[0].removeprefix("flowloom: error: ")


@pytest.fixture
async def browser(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the in-process app that keeps its own cookies."""
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]  # see tests/backend/conftest.py
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def role_of(http: httpx.AsyncClient, token: str) -> str | None:
    status, body = await GraphQLClient(http, token).post("{ viewer { role } }")
    return None if status != 200 else str(body["data"]["viewer"]["role"])


async def test_token_create_issues_a_token_with_the_role_and_expiry_asked_for(
    services: Services, tenant: Tenant, http: httpx.AsyncClient
) -> None:
    result = await cli(
        services,
        "token",
        "create",
        "--workspace",
        tenant.slug,
        "--role",
        "runner",
        "--expires",
        "12h",
        "--name",
        "ci",
    )

    assert result.returncode == 0, result.stderr
    secret = result.stdout.strip()
    assert secret.startswith(TOKEN_PREFIX)
    assert await role_of(http, secret) == "runner"
    listed = await GraphQLClient(http, tenant.token).run("ApiTokens")
    ci = next(token for token in listed["apiTokens"] if token["name"] == "ci")
    assert ci["role"] == "RUNNER"
    assert ci["expiresAt"] is not None


async def test_token_create_keeps_todays_default_an_owner_token_that_never_expires(
    services: Services, tenant: Tenant, http: httpx.AsyncClient
) -> None:
    result = await cli(services, "token", "create", "--workspace", tenant.slug)

    assert await role_of(http, result.stdout.strip()) == "owner"
    listed = await GraphQLClient(http, tenant.token).run("ApiTokens")
    assert listed["apiTokens"][0]["name"] == "cli"
    assert listed["apiTokens"][0]["expiresAt"] is None


async def test_token_create_refuses_an_unknown_role_a_bad_lifetime_and_an_unknown_workspace(
    services: Services, tenant: Tenant
) -> None:
    role = await cli(services, "token", "create", "--workspace", tenant.slug, "--role", "superuser")
    lifetime = await cli(services, "token", "create", "--workspace", tenant.slug, "--expires", "30 days")
    workspace = await cli(services, "token", "create", "--workspace", "no-such-workspace")

    assert one_error_line(role) == "unknown role 'superuser': use one of viewer, runner, editor, admin, owner"
    assert one_error_line(lifetime) == "--expires takes a lifetime such as 30d, 12h or 90m, not '30 days'"
    assert one_error_line(workspace) == "no workspace named 'no-such-workspace'"


async def test_token_list_shows_a_table_of_the_workspaces_tokens_without_secrets(
    services: Services, tenant: Tenant
) -> None:
    created = await cli(
        services, "token", "create", "--workspace", tenant.slug, "--role", "viewer", "--name", "dash"
    )

    listed = await cli(services, "token", "list", "--workspace", tenant.slug)

    assert listed.returncode == 0, listed.stderr
    header, *rows = listed.stdout.strip().splitlines()
    assert header.split() == [
        "ID",
        "NAME",
        "PREFIX",
        "ROLE",
        "CREATED",
        "BY",
        "LAST",
        "USED",
        "EXPIRES",
        "REVOKED",
    ]
    assert [row.split()[1:4] for row in rows] == [
        ["dash", created.stdout[:10], "viewer"],
        ["test", tenant.token[:10], "owner"],
    ]
    assert rows[0].split()[4:] == [f"{tenant.slug}@test.local", "never", "never", "-"]
    assert created.stdout.strip() not in listed.stdout


async def test_token_revoke_refuses_the_token_from_then_on_and_the_list_says_so(
    services: Services, tenant: Tenant, http: httpx.AsyncClient
) -> None:
    secret = (
        await cli(services, "token", "create", "--workspace", tenant.slug, "--name", "old")
    ).stdout.strip()
    listed = await GraphQLClient(http, tenant.token).run("ApiTokens")
    token_id = next(token["id"] for token in listed["apiTokens"] if token["name"] == "old")

    revoked = await cli(services, "token", "revoke", "--workspace", tenant.slug, token_id)

    assert revoked.returncode == 0, revoked.stderr
    assert revoked.stdout.strip() == f"revoked {token_id} (old)"
    assert await role_of(http, secret) is None
    table = (await cli(services, "token", "list", "--workspace", tenant.slug)).stdout
    row = next(row for row in table.splitlines() if row.startswith(token_id))
    assert re.search(r"  \d{4}-\d\d-\d\d \d\d:\d\d$", row), row  # the REVOKED column, last


async def test_token_revoke_of_an_unknown_or_malformed_id_is_one_error_line(
    services: Services, tenant: Tenant
) -> None:
    unknown = await cli(
        services, "token", "revoke", "--workspace", tenant.slug, "00000000-0000-0000-0000-000000000000"
    )
    malformed = await cli(services, "token", "revoke", "--workspace", tenant.slug, "abc")

    assert one_error_line(unknown) == (
        f"no token 00000000-0000-0000-0000-000000000000 in workspace '{tenant.slug}'"
    )
    assert one_error_line(malformed).startswith(f"no token 'abc' in workspace '{tenant.slug}'")


async def test_user_create_reads_the_password_from_stdin_and_the_user_signs_in_with_it(
    services: Services, tenant: Tenant, browser: httpx.AsyncClient
) -> None:
    email = f"ada-{tenant.slug}@example.com"

    created = await cli(
        services,
        "user",
        "create",
        "--email",
        email,
        "--role",
        "editor",
        "--workspace",
        tenant.slug,
        "--name",
        "Ada",
        "--password-stdin",
        stdin=STRONG + "\n",
    )

    assert created.returncode == 0, created.stderr
    assert created.stdout.startswith(f"created {email} (")
    signed_in = await browser.post("/auth/login", json={"email": email.upper(), "password": STRONG})
    assert signed_in.status_code == 200, signed_in.text
    session = await browser.get("/auth/session")
    assert session.json()["user"]["displayName"] == "Ada"
    assert [(w["slug"], w["role"]) for w in session.json()["workspaces"]] == [(tenant.slug, "editor")]


async def test_user_create_reads_stdin_when_it_is_not_a_terminal_even_without_the_flag(
    services: Services, tenant: Tenant, browser: httpx.AsyncClient
) -> None:
    email = f"grace-{tenant.slug}@example.com"

    created = await cli(
        services,
        "user",
        "create",
        "--email",
        email,
        "--role",
        "viewer",
        "--workspace",
        tenant.slug,
        stdin=STRONG,
    )

    assert created.returncode == 0, created.stderr
    signed_in = await browser.post("/auth/login", json={"email": email, "password": STRONG})
    assert signed_in.status_code == 200, signed_in.text


async def test_user_create_refuses_a_weak_password_a_taken_email_a_bad_role_and_email(
    services: Services, tenant: Tenant
) -> None:
    email = f"linus-{tenant.slug}@example.com"
    args = ("user", "create", "--workspace", tenant.slug, "--role", "viewer")
    await cli(services, *args, "--email", email, stdin=STRONG)

    weak = await cli(services, *args, "--email", f"x{email}", stdin="short")
    taken = await cli(services, *args, "--email", email.upper(), stdin=STRONG)
    role = await cli(services, "user", "create", "--email", email, "--role", "god", stdin=STRONG)
    not_an_email = await cli(services, *args, "--email", "linus", stdin=STRONG)

    assert one_error_line(weak) == "password refused: Use at least 10 characters."
    assert one_error_line(taken) == f"An account with the email {email.upper()} exists already."
    assert one_error_line(role).startswith("unknown role 'god'")
    assert one_error_line(not_an_email) == "Enter an email address such as ada@example.com."


def test_the_first_owner_created_on_a_fresh_home_takes_over_the_placeholder_owners_tokens(
    tmp_path: Path,
) -> None:
    env = flowloom_env(FLOWLOOM_HOME=str(tmp_path))
    earlier = run_cli("token", "create", env=env)
    assert earlier.returncode == 0, earlier.stderr

    created = subprocess.run(
        [FLOWLOOM, "user", "create", "--email", "owner@example.com", "--role", "owner"],
        env=env,
        input=STRONG,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert created.returncode == 0, created.stderr
    table = run_cli("token", "list", env=env).stdout
    assert table.splitlines()[1].split()[1:5] == ["cli", earlier.stdout[:10], "owner", "owner@example.com"]
