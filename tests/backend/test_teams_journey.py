"""The teams issue's acceptance path, as a new user walks it, on a real `flowloom serve`.

Setup link → first owner → a second workspace → an invitation → the invitee signs in through the
OpenID provider and accepts → reads but cannot edit; a runner token starts a run but cannot edit;
a token of one workspace sees nothing of another.
"""

from __future__ import annotations

import re
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.fixtures_data import template_chain
from tests.operations import operation
from tests.processes import Server, flowloom_env, free_port, run_cli
from tests.servers.oidc_state import CLIENT_ID, CLIENT_SECRET, OidcProvider

OWNER = {"email": "ada@example.com", "password": "a long enough passphrase", "displayName": "Ada"}
GRACE = "grace@corp.example"


class Browser:
    """A cookie-keeping browser on the server, sending the CSRF header and a workspace like the app."""

    def __init__(self, server: Server) -> None:
        self.http = httpx.Client(base_url=server.url, timeout=30)
        self.csrf = ""

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.http.close()

    def refresh(self) -> dict[str, Any]:
        session: dict[str, Any] = self.http.get("/auth/session").json()
        self.csrf = session["csrfToken"]
        return session

    def run(self, operation_name: str, workspace: str, **variables: Any) -> dict[str, Any]:
        body: dict[str, Any] = self.http.post(
            "/graphql",
            json={"query": operation(operation_name), "variables": variables},
            headers={"X-CSRF-Token": self.csrf, "X-Flowloom-Workspace": workspace},
        ).json()
        return body


def setup_token(server: Server) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = re.search(r"/setup\?token=(fll_\S+)", server.output_so_far())
        if found:
            return found.group(1)
        time.sleep(0.1)
    raise AssertionError(server.output_so_far())


def as_token(server: Server, token: str, name: str, **variables: Any) -> dict[str, Any]:
    return server.graphql(token, operation(name), variables)


def test_a_team_is_set_up_invited_and_held_to_its_roles(tmp_path: Path, oidc_provider: OidcProvider) -> None:
    port = free_port()
    oidc_provider.register_client(
        CLIENT_ID, CLIENT_SECRET, (f"http://127.0.0.1:{port}/auth/oidc/test/callback",)
    )
    env = flowloom_env(
        FLOWLOOM_HOME=str(tmp_path),
        FLOWLOOM_OIDC_PROVIDERS="test",
        FLOWLOOM_OIDC_TEST_ISSUER=oidc_provider.issuer,
        FLOWLOOM_OIDC_TEST_CLIENT_ID=CLIENT_ID,
        FLOWLOOM_OIDC_TEST_CLIENT_SECRET=CLIENT_SECRET,
        FLOWLOOM_OIDC_TEST_NAME="Corp SSO",
    )
    server = Server(env, port=port).wait_ready()
    stack = ExitStack()
    try:
        # the first owner, from the printed setup link
        owner = stack.enter_context(Browser(server))
        assert owner.http.post("/auth/setup", json={"token": setup_token(server), **OWNER}).status_code == 201
        owner.refresh()

        # a second workspace, a workflow in it, and an invitation for a viewer
        created = owner.run("CreateWorkspace", "default", name="Team B", slug="team-b")
        assert created["data"]["createWorkspace"]["slug"] == "team-b", created
        workflow = owner.run(
            "CreateWorkflow", "team-b", input={"name": "Team B flow", "definition": template_chain(1)}
        )["data"]["createWorkflow"]
        invited = owner.run("InviteMember", "team-b", email=GRACE, role="VIEWER")["data"]["inviteMember"]
        invite_token = parse_qs(urlsplit(invited["url"]).query)["token"][0]

        # the invitee signs in through the OpenID provider (invite-only) and accepts
        oidc_provider.login_as(sub="grace-1", email=GRACE, name="Grace")
        grace = stack.enter_context(Browser(server))
        start = grace.http.get("/auth/oidc/test/login", params={"next": f"/invite?token={invite_token}"})
        back = httpx.get(start.headers["location"]).headers["location"]
        landed = grace.http.get(back)
        assert landed.headers["location"] == f"/invite?token={invite_token}", landed.text
        assert grace.refresh()["user"]["email"] == GRACE
        accepted = grace.run("AcceptInvite", "team-b", token=invite_token)
        assert accepted["data"]["acceptInvite"]["slug"] == "team-b", accepted
        assert [w["role"] for w in grace.refresh()["workspaces"]] == ["viewer"]

        # the viewer reads but cannot edit
        listed = grace.run("Workflows", "team-b")["data"]["workflows"]["edges"]
        assert [edge["node"]["id"] for edge in listed] == [workflow["id"]]
        edit = grace.run("UpdateWorkflow", "team-b", id=workflow["id"], input={"name": "mine now"})
        assert edit["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert grace.run("StartRun", "team-b", workflowId=workflow["id"])["errors"][0]["extensions"][
            "code"
        ] == ("FORBIDDEN")

        # a runner token starts a run but cannot edit the workflow
        runner = owner.run("CreateApiToken", "team-b", input={"name": "ci", "role": "RUNNER"})
        runner_token = runner["data"]["createApiToken"]["secret"]
        started = as_token(server, runner_token, "StartRun", workflowId=workflow["id"])
        assert started["data"]["startRun"]["__typename"] == "Run", started
        refused = as_token(server, runner_token, "UpdateWorkflow", id=workflow["id"], input={"name": "x"})
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

        # a token of the default workspace sees nothing of team B
        issued = run_cli("token", "create", env=env)
        assert issued.returncode == 0, issued.stderr
        default_token = issued.stdout.strip()
        assert as_token(server, default_token, "Workflow", id=workflow["id"])["data"]["workflow"] is None
        assert as_token(server, default_token, "Workflows")["data"]["workflows"]["edges"] == []
        run = as_token(server, default_token, "Run", id=started["data"]["startRun"]["id"])
        assert run["data"]["run"] is None
    finally:
        stack.close()
        assert server.stop() == 0
    assert "Traceback" not in server.output()
