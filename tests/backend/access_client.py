"""The access matrix's callers and workspaces on a real server: tokens, browser sessions, snapshots.

A `Site` is a workspace on the server: its owner's token (to make objects through the API), one
member per role with a password, a token of each role, and each member's browser session (signed
in over POST /auth/login, its CSRF token from GET /auth/session). `Actor`s send a case's request
over HTTP or, for subscriptions, over a graphql-transport-ws websocket.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from backend.accounts.repository import AccountsRepository
from backend.accounts.roles import Role
from backend.gql.context import CSRF_HEADER, SESSION_COOKIE, WORKSPACE_HEADER, WORKSPACE_PARAM
from backend.services import Services
from tests.backend.access_fixtures import KINDS, PASSWORD, VOLATILE_COLUMNS, Place
from tests.operations import operation
from tests.tenants import new_tenant

FIRST_MESSAGE_SECONDS = 20.0
"""How long a subscription may take to say anything, stimulated every half second meanwhile."""


@dataclass(frozen=True)
class Actor:
    """Who sends a case's request: a token, or a person's browser session acting in a workspace."""

    role: Role
    via: str
    """`token` or `session`."""
    token: str | None = None
    cookie: str | None = None
    csrf: str | None = None
    workspace: str | None = None
    """The slug a session names (header, or connection_init's `workspace`)."""

    def headers(self) -> dict[str, str]:
        """The headers of an HTTP request."""
        if self.token is not None:
            return {"Authorization": f"Bearer {self.token}"}
        return {"Cookie": f"{SESSION_COOKIE}={self.cookie}", CSRF_HEADER: self.csrf or "", **self._slug()}

    def _slug(self) -> dict[str, str]:
        return {} if self.workspace is None else {WORKSPACE_HEADER: self.workspace}

    def init_payload(self) -> dict[str, str]:
        """A websocket's connection_init payload."""
        if self.token is not None:
            return {"authToken": self.token}
        return {} if self.workspace is None else {WORKSPACE_PARAM: self.workspace}


class ServerOwner:
    """A workspace's owner token on the server, making objects through the API."""

    def __init__(self, http: httpx.AsyncClient, token: str, marker: str) -> None:
        self.http = http
        self.token = token
        self.marker = marker

    async def data(self, name: str, **variables: Any) -> dict[str, Any]:
        """Run operation `name` of graphql/*.graphql; fail on any error."""
        response = await self.http.post(
            "/graphql",
            json={"query": operation(name), "variables": variables},
            headers={"Authorization": f"Bearer {self.token}"},
        )
        body: dict[str, Any] = response.json()
        if "errors" in body or response.status_code != 200:
            raise AssertionError(f"{name} as the owner of {self.marker} failed: {body}")
        data: dict[str, Any] = body["data"]
        return data


@dataclass
class Site:
    """A workspace on the server, its owner and its members' actors."""

    slug: str
    id: UUID
    owner: ServerOwner
    actors: dict[Role, list[Actor]]
    shared: dict[str, str] = field(default_factory=dict)
    """One object of each kind, for the queries and subscriptions of every case."""
    markers: set[str] = field(default_factory=set)
    """Texts that identify this workspace's objects: seeing one from another workspace is a leak."""

    async def value(self, kind: str, *, fresh: bool) -> str:
        """An object of `kind` here: a new one, or the one every case shares."""
        if not fresh and kind in self.shared:
            return self.shared[kind]
        made = await KINDS[kind].make(self)
        if KINDS[kind].unknown is not None:
            self.markers.add(made)
        if not fresh:
            self.shared[kind] = made
        return made

    async def stimulate(self, stimulus: Callable[[Place], Awaitable[str]]) -> None:
        """Do what makes subscriptions here say something, remembering what it made."""
        self.markers.add(await stimulus(self))


async def sign_in(http: httpx.AsyncClient, email: str, workspace: str, role: Role) -> Actor:
    """A browser session of `email`, signed in with its password, acting in `workspace`."""
    login = await http.post("/auth/login", json={"email": email, "password": PASSWORD})
    if login.status_code != 200:
        raise AssertionError(f"signing in {email} failed: {login.status_code} {login.text}")
    cookie = login.cookies[SESSION_COOKIE]
    session = await http.get("/auth/session", headers={"Cookie": f"{SESSION_COOKIE}={cookie}"})
    described = session.json()
    roles = {item["slug"]: item["role"] for item in described["workspaces"]}
    if roles.get(workspace) != role.value:
        raise AssertionError(f"{email} should be {role} in {workspace}: {described}")
    return Actor(role, "session", cookie=cookie, csrf=described["csrfToken"], workspace=workspace)


async def open_site(
    services: Services, http: httpx.AsyncClient, password_hash: str, roles: Iterable[Role] = tuple(Role)
) -> Site:
    """A new workspace with its owner, and for each role a member (token and session) of it."""
    tenant = await new_tenant(services)
    repository = AccountsRepository()
    actors: dict[Role, list[Actor]] = {}
    for role in roles:
        email = f"{role}-{uuid4().hex[:10]}@{tenant.slug}.test"
        user_id = await repository.create_user(email, f"{role} of {tenant.slug}", password_hash)
        if user_id is None:
            raise AssertionError(f"{email} exists already")
        await repository.add_member(tenant.principal.workspace_id, user_id, role)
        token = (await services.accounts.create_token(tenant.slug, f"matrix {role}", role)).secret
        actors[role] = [Actor(role, "token", token=token), await sign_in(http, email, tenant.slug, role)]
    site = Site(
        slug=tenant.slug,
        id=tenant.principal.workspace_id,
        owner=ServerOwner(http, tenant.token, tenant.slug),
        actors=actors,
    )
    site.markers |= {tenant.slug, str(site.id)}
    return site


def outcome_of_message(message: dict[str, Any]) -> dict[str, Any]:
    """A subscription's first message in the shape of an HTTP answer (`data`, `errors`)."""
    kind = message.get("type")
    if kind == "next":
        payload: dict[str, Any] = message["payload"]
        return payload
    if kind == "error":
        return {"data": None, "errors": message["payload"]}
    if kind == "complete":  # done before saying anything: not a refusal
        return {"data": None, "completed": True}
    return {"data": None, "message": f"unexpected message {message}"}


async def subscribe(
    url: str,
    actor: Actor,
    document: str,
    variables: dict[str, Any],
    stimulate: Callable[[], Awaitable[None]],
) -> dict[str, Any]:
    """The first message of a subscription over a real websocket, stimulating until it comes."""
    headers = {} if actor.cookie is None else {"Cookie": f"{SESSION_COOKIE}={actor.cookie}"}
    async with connect(
        url.replace("http", "ws", 1) + "/graphql",
        subprotocols=[Subprotocol("graphql-transport-ws")],
        additional_headers=headers,
    ) as socket:
        await socket.send(json.dumps({"type": "connection_init", "payload": actor.init_payload()}))
        ack = json.loads(await asyncio.wait_for(socket.recv(), 10))
        if ack.get("type") != "connection_ack":
            return {"data": None, "message": f"not acknowledged: {ack}"}
        subscription = {"query": document, "variables": variables}
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscription}))
        deadline = asyncio.get_running_loop().time() + FIRST_MESSAGE_SECONDS
        wait = 0.1  # a refusal comes at once; a subscription that listens needs news to say anything
        while asyncio.get_running_loop().time() < deadline:
            try:
                message = json.loads(await asyncio.wait_for(socket.recv(), wait))
            except TimeoutError:
                await stimulate()
                wait = 0.5
                continue
            if message.get("type") == "ping":
                await socket.send(json.dumps({"type": "pong"}))
                continue
            return outcome_of_message(message)
    return {"data": None, "message": f"no message within {FIRST_MESSAGE_SECONDS}s"}


async def settle(pool: asyncpg.Pool, workspace_id: UUID) -> None:
    """Wait until no run of the workspace is executing (what they write is not a request's doing)."""
    for _ in range(600):
        busy = await pool.fetchval(
            "SELECT count(*) FROM runs WHERE workspace_id = $1 AND status IN ('PENDING', 'RUNNING')",
            workspace_id,
        )
        if busy == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"runs of workspace {workspace_id} still executing after 30 s")


async def snapshot(pool: asyncpg.Pool, workspace_id: UUID) -> dict[str, list[str]]:
    """Every row of the workspace in every table that has a workspace_id, and the workspace's own."""
    await settle(pool, workspace_id)
    tables = await pool.fetch(
        "SELECT table_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND column_name = 'workspace_id' ORDER BY table_name"
    )
    state = {}
    for table in [row["table_name"] for row in tables]:
        rows = await pool.fetch(
            f'SELECT (to_jsonb(t) - $2::text[])::text AS row FROM "{table}" t WHERE workspace_id = $1',
            workspace_id,
            list(VOLATILE_COLUMNS),
        )
        state[table] = sorted(row["row"] for row in rows)
    workspace = await pool.fetch(
        "SELECT to_jsonb(w)::text AS row FROM workspaces w WHERE id = $1", workspace_id
    )
    state["workspaces"] = [row["row"] for row in workspace]
    return state


def changes(before: dict[str, list[str]], after: dict[str, list[str]]) -> str | None:
    """What changed between two snapshots, briefly; None when nothing did."""
    said = []
    for table in sorted(set(before) | set(after)):
        old, new = set(before.get(table, [])), set(after.get(table, []))
        if old != new:
            said.append(f"{table}: {len(new - old)} row(s) new or changed, {len(old - new)} gone or changed")
    return "; ".join(said) or None
