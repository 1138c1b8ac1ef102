"""The access matrix, proven against a real server: every root field, every role, own and foreign.

Fields come from schema.graphql; the permission each one needs from the Strawberry schema
(`check_declarations`); what a role holds from `permissions_of` (README's "Permissions" section
says the same in words). Each case is sent by a real API token and by a real browser session of a
member with that role (signed in with a password, CSRF token and workspace header as a browser
page sends them); subscriptions go over a graphql-transport-ws websocket.

- Allowed: no FORBIDDEN (nor a server error); a typed problem is fine, but in the caller's own
  workspace the objects the arguments name are found (not null, not NotFound).
- Denied: exactly one error, coded FORBIDDEN, no data, and the workspace unchanged.
- Foreign: with workspace A's credentials, ids of workspace B get the same answer as unknown ids
  (ids normalised), nothing of B shows, and B is unchanged. A session that names B, where its person
  is no member, is refused every workspace permission.

Arguments are built from the SDL types with the hint tables of tests/backend/access_fixtures.py.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import asyncpg
import httpx
import pytest

from backend.accounts.passwords import hash_password
from backend.accounts.roles import WORKSPACE_PERMISSIONS, Permission, Role, permissions_of
from backend.gql.permissions import FORBIDDEN, check_declarations
from backend.gql.schema import Mutation, Query, Subscription
from backend.services import Services
from tests.backend.access_client import Actor, Site, changes, open_site, snapshot, subscribe
from tests.backend.access_fixtures import ISOLATED, KINDS, PASSWORD, stimulus
from tests.backend.access_operations import (
    Arguments,
    RootField,
    arguments,
    document,
    normalised,
    refs,
    resolve,
    root_fields,
    schema,
)
from tests.processes import Server, flowloom_env

ROOTS = root_fields(schema())
SCOPES = ("own", "foreign")
NOT_AN_ANSWER = {
    FORBIDDEN,
    "INTERNAL_SERVER_ERROR",
    "UNAUTHENTICATED",
    "CSRF_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
    "GRAPHQL_PARSE_FAILED",
}
"""Codes an allowed case must not get: refusals, bugs, and documents the generator got wrong."""


@cache
def declared_permissions() -> dict[str, Permission]:
    """The permission every root field declares, by `Type.field` (raises if one declares none)."""
    return check_declarations((Query, Mutation, Subscription))


def allowed(permission: Permission, actor: Actor, member: bool) -> bool:
    """What README's matrix says of `actor` (acting in a workspace it is a member of, or not)."""
    if permission is Permission.ACCOUNT:
        return actor.via == "session"
    if permission in WORKSPACE_PERMISSIONS:
        return member and permission in permissions_of(actor.role)
    return True  # PUBLIC and SIGNED_IN: whoever is signed in


@dataclass
class World:
    """The server, a workspace A whose members act, and a workspace B they must not reach."""

    services: Services
    url: str
    http: httpx.AsyncClient
    home: Site
    foreign: Site
    password_hash: str

    @property
    def pool(self) -> asyncpg.Pool:
        """The test database, for snapshots."""
        return self.services.db.pool

    async def site_for(self, root: RootField, role: Role) -> Site:
        """Workspace A, or a throwaway workspace with one member for the fields that damage theirs."""
        if root.key not in ISOLATED:
            return self.home
        return await open_site(self.services, self.http, self.password_hash, (role,))

    async def send(
        self,
        actor: Actor,
        root: RootField,
        text: str,
        variables: dict[str, Any],
        stimulate: Callable[[], Awaitable[None]],
    ) -> dict[str, Any]:
        """The answer to one case: the HTTP status and body, or a subscription's first message."""
        if root.operation == "subscription":
            return await subscribe(self.url, actor, text, variables, stimulate)
        response = await self.http.post(
            "/graphql", json={"query": text, "variables": variables}, headers=actor.headers()
        )
        return {"status": response.status_code, **response.json()}


@pytest.fixture(scope="module")
def server(services: Services, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`flowloom serve` on the test database (migrated by `services`)."""
    dsn = services.settings.database_url
    assert dsn is not None
    env = flowloom_env(
        FLOWLOOM_HOME=str(tmp_path_factory.mktemp("matrix-home")),
        DATABASE_URL=dsn,
        FLOWLOOM_SECRET_KEY="test-secret",
        # the matrix sends a few thousand requests a minute from one address and a handful of tokens
        FLOWLOOM_RATE_LIMIT_PER_MINUTE="1000000",
        FLOWLOOM_RATE_LIMIT_PER_ADDRESS_PER_MINUTE="1000000",
    )
    process = Server(env).wait_ready()
    yield process
    assert process.stop() == 0, process.output()[-5000:]
    output = process.output()
    assert "Traceback" not in output, output[output.find("Traceback") - 2000 :][:8000]


@pytest.fixture(scope="module")
async def world(services: Services, server: Server) -> AsyncIterator[World]:
    """Workspace A with a member, a token and a session per role; workspace B with only its owner."""
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        password_hash = await hash_password(PASSWORD)
        home = await open_site(services, http, password_hash)
        foreign = await open_site(services, http, password_hash, ())
        yield World(services, server.url, http, home, foreign, password_hash)


def verdict(answer: dict[str, Any], expected: bool) -> list[str]:
    """What is wrong with an answer that should be allowed (`expected`) or refused."""
    errors = answer.get("errors") or []
    codes = [(error.get("extensions") or {}).get("code") for error in errors]
    if "message" in answer:
        return [f"no answer: {answer['message']}"]
    if expected:
        wrong = [error for error, code in zip(errors, codes, strict=True) if code in NOT_AN_ANSWER]
        status = answer.get("status", 200)
        return (
            [f"refused or failed although allowed (HTTP {status}): {wrong}"] if wrong or status != 200 else []
        )
    data = answer.get("data")
    leaked = data is not None and any(value is not None for value in data.values())
    if codes != [FORBIDDEN] or leaked:
        return [f"expected exactly one FORBIDDEN error and no data, got {answer}"]
    return []


def _found(answer: dict[str, Any], field: str) -> bool:
    """Whether an answer shows the object it was asked about (not null, not NotFound)."""
    data = answer.get("data") or {}
    return data.get(field) is not None and '"NotFound"' not in json.dumps(data)


class Case:
    """One (field, role, scope) of the matrix, sent by each of the role's actors."""

    def __init__(self, world: World, site: Site, root: RootField, passed: Arguments) -> None:
        self.world = world
        self.site = site
        self.root = root
        self.passed = passed
        self.permission = declared_permissions()[root.key]
        self.text = document(root, passed)
        self.kinds = sorted({ref.kind for _kind, value in passed.values.values() for ref in refs(value)})
        self.fresh = root.operation == "mutation"  # mutations act on objects made for them alone

    def variables(self, values: dict[str, str]) -> dict[str, Any]:
        """The case's variables with `values` (by kind) in place of its references."""
        return {
            name: resolve(template, lambda ref: values[ref.kind])
            for name, (_kind, template) in self.passed.values.items()
        }

    async def own(self, actor: Actor) -> list[str]:
        """Acting in the actor's workspace, on its objects."""
        expected = allowed(self.permission, actor, member=True)
        values = {kind: await self.site.value(kind, fresh=self.fresh) for kind in self.kinds}
        before = None if expected else await snapshot(self.world.pool, self.site.id)
        answer = await self.world.send(
            actor, self.root, self.text, self.variables(values), self._stimulus(self.site)
        )
        problems = verdict(answer, expected)
        if expected and self.kinds and not _found(answer, self.root.name):
            problems.append(f"the workspace's own objects were answered as unknown: {answer}")
        if before is not None:
            changed = changes(before, await snapshot(self.world.pool, self.site.id))
            if changed:
                problems.append(f"refused, yet the workspace changed: {changed}")
        return problems

    async def foreign(self, actor: Actor, member: bool = True) -> list[str]:
        """Acting with the actor's credentials on workspace B's objects, and on unknown ones."""
        expected = allowed(self.permission, actor, member)
        foreign = self.world.foreign
        values = {kind: await foreign.value(kind, fresh=self.fresh) for kind in self.kinds}
        baseline = [await snapshot(self.world.pool, foreign.id)]
        action = stimulus(self.root.key)

        async def stimulate() -> None:
            # B first: its news would reach a leaking subscription before A's. What B's owner does
            # here is the test's doing, so B's state is taken again after it.
            await foreign.stimulate(action)
            baseline[0] = await snapshot(self.world.pool, foreign.id)
            await self.site.stimulate(action)

        answer = await self.world.send(actor, self.root, self.text, self.variables(values), stimulate)
        problems = verdict(answer, expected)
        hidden = {value: f"<{kind}>" for kind, value in values.items()}
        unknown = {kind: make() for kind in self.kinds if (make := KINDS[kind].unknown) is not None}
        if unknown:
            other = await self.world.send(
                actor, self.root, self.text, self.variables({**values, **unknown}), stimulate
            )
            mine = normalised(answer, hidden)
            theirs = normalised(other, {value: f"<{kind}>" for kind, value in unknown.items()})
            if mine != theirs:
                problems.append(f"B's ids answered {mine}, unknown ids {theirs}")
        shown = json.dumps(normalised(answer, hidden), ensure_ascii=False)
        leaks = sorted(marker for marker in foreign.markers if marker in shown)
        if leaks:
            problems.append(f"B shows through ({leaks}): {shown[:2000]}")
        changed = changes(baseline[0], await snapshot(self.world.pool, foreign.id))
        if changed:
            problems.append(f"workspace B changed: {changed}")
        return problems

    def _stimulus(self, site: Site) -> Callable[[], Awaitable[None]]:
        action = stimulus(self.root.key)

        async def stimulate() -> None:
            await site.stimulate(action)

        return stimulate


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize("root", ROOTS, ids=str)
async def test_root_field_obeys_the_permission_matrix(
    world: World, root: RootField, role: Role, scope: str
) -> None:
    assert root.key in declared_permissions(), f"{root.key} is missing from the Strawberry schema"
    passed = arguments(root)
    assert not passed.missing, "\n".join(passed.missing)
    site = await world.site_for(root, role)
    case = Case(world, site, root, passed)
    failures = []
    for actor in site.actors[role]:
        found = await (case.own(actor) if scope == "own" else case.foreign(actor))
        failures += [f"{root} as {role} by {actor.via}, {scope} workspace: {problem}" for problem in found]
    if scope == "foreign":
        session = next(actor for actor in site.actors[role] if actor.via == "session")
        naming_b = replace(session, workspace=world.foreign.slug)
        found = await case.foreign(naming_b, member=False)
        failures += [f"{root} as {role} by a session naming B: {problem}" for problem in found]
    assert not failures, "\n".join(failures)


def test_every_field_of_schema_graphql_declares_a_permission() -> None:
    declared = declared_permissions()

    assert sorted(str(root) for root in ROOTS) == sorted(declared), "schema.graphql is stale: make schema"


def test_the_matrix_covers_every_kind_the_hints_name() -> None:
    named = {
        ref.kind for root in ROOTS for _kind, value in arguments(root).values.values() for ref in refs(value)
    }

    assert named <= set(KINDS), f"kinds without a maker in KINDS: {sorted(named - set(KINDS))}"
