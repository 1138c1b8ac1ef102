"""The first owner, as a new user meets it: `flowloom serve` prints a one-time setup link."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx

from tests.processes import Server, flowloom_env, run_cli

LINK = re.compile(r"(https?://\S+)/setup\?token=(fll_\S+)")
OWNER = {"email": "Ada@Example.test", "password": "a long enough passphrase", "displayName": "Ada"}


def setup_link(server: Server, timeout: float = 10) -> tuple[str, str]:
    """The base URL and token of the setup link the server printed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = LINK.search(server.output_so_far())
        if found:
            return found.group(1), found.group(2)
        time.sleep(0.1)
    raise AssertionError(f"no setup link printed: {server.output_so_far()}")


def test_the_setup_link_creates_the_first_owner_once_and_is_not_printed_again(tmp_path: Path) -> None:
    env = flowloom_env(FLOWLOOM_HOME=str(tmp_path), FLOWLOOM_SESSION_IDLE_SECONDS="3")
    server = Server(env).wait_ready()
    try:
        base, token = setup_link(server)
        assert base == server.url
        assert httpx.get(f"{server.url}/auth/providers").json()["setupRequired"] is True
        with httpx.Client(base_url=server.url) as browser:
            created = browser.post("/auth/setup", json={"token": token, **OWNER})
            again = browser.post("/auth/setup", json={"token": token, **OWNER, "email": "eve@example.test"})
            session = browser.get("/auth/session")

            assert created.status_code == 201, created.text
            assert again.status_code == 400
            assert again.json()["error"]["code"] == "INVALID_LINK"
            assert session.json()["user"]["email"] == OWNER["email"]
            assert [(w["slug"], w["role"]) for w in session.json()["workspaces"]] == [("default", "owner")]

            time.sleep(4)  # longer than FLOWLOOM_SESSION_IDLE_SECONDS without a request
            assert browser.get("/auth/session").status_code == 401
        assert httpx.get(f"{server.url}/auth/providers").json()["setupRequired"] is False
        # the command line's tokens act for the owner who was just set up
        issued = run_cli("token", "create", env=env)
        assert issued.returncode == 0, issued.stderr
        viewer = server.graphql(issued.stdout.strip(), "{ viewer { email role } }")
        assert viewer == {"data": {"viewer": {"email": OWNER["email"], "role": "owner"}}}
    finally:
        assert server.stop() == 0
    restarted = Server(env, port=server.port).wait_ready()
    try:
        signed_in = httpx.post(
            f"{restarted.url}/auth/login", json={"email": "ada@example.test", "password": OWNER["password"]}
        )
        assert signed_in.status_code == 200
    finally:
        assert restarted.stop() == 0
    assert "/setup?token=" not in restarted.output()


def test_cookies_are_secure_when_flowloom_is_served_over_https(tmp_path: Path) -> None:
    env = flowloom_env(FLOWLOOM_HOME=str(tmp_path), FLOWLOOM_PUBLIC_URL="https://flowloom.example/")
    server = Server(env).wait_ready()
    try:
        base, token = setup_link(server)
        created = httpx.post(f"{server.url}/auth/setup", json={"token": token, **OWNER})
    finally:
        server.stop()

    assert base == "https://flowloom.example"
    flags = {part.strip().lower() for part in created.headers["set-cookie"].split(";")}
    assert {"secure", "httponly", "samesite=lax", "path=/"} <= flags
