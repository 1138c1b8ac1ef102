"""Members: listing, changing roles, removing, leaving; owners' rules and the last owner."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from litestar import Litestar

from backend.accounts.roles import Role
from backend.services import Services
from tests.backend.workspaces_support import (
    Browser,
    Program,
    audit_actions,
    clients_of,
    join,
    open_session,
    token_for,
)
from tests.operations import operation
from tests.tenants import Tenant, new_tenant


@pytest.fixture
async def browsers(app: Litestar) -> AsyncIterator[list[Browser]]:
    """Three browsers, each with its own cookie jar."""
    async with clients_of(app)() as a, clients_of(app)() as b, clients_of(app)() as c:
        yield [Browser(a), Browser(b), Browser(c)]


@pytest.fixture
async def owner(browsers: list[Browser], services: Services, tenant: Tenant) -> Browser:
    """The tenant's owner, signed in in the first browser."""
    await open_session(services, browsers[0], tenant.principal.user_id, tenant.slug)
    return browsers[0]


async def test_members_lists_everyone_with_their_role_for_any_member(
    owner: Browser, browsers: list[Browser], services: Services, tenant: Tenant
) -> None:
    viewer = await join(services, tenant, Role.VIEWER, browsers[1])

    listed = (await browsers[1].run("Members"))["members"]

    assert [(m["email"], m["role"]) for m in listed] == [
        (f"{tenant.slug}@test.local", "OWNER"),
        (viewer.email, "VIEWER"),
    ]


async def test_an_admin_changes_roles_below_owner(
    owner: Browser, browsers: list[Browser], services: Services, tenant: Tenant
) -> None:
    await join(services, tenant, Role.ADMIN, browsers[1])
    member = await join(services, tenant, Role.VIEWER)

    changed = await browsers[1].run("ChangeMemberRole", userId=str(member.user_id), role="EDITOR")
    listed = {m["userId"]: m["role"] for m in (await owner.run("Members"))["members"]}

    assert changed["changeMemberRole"]["role"] == "EDITOR"
    assert listed[str(member.user_id)] == "EDITOR"
    assert "role_changed" in await audit_actions(services, tenant.principal.workspace_id)


async def test_only_an_owner_makes_or_unmakes_owners(
    owner: Browser, browsers: list[Browser], services: Services, tenant: Tenant
) -> None:
    await join(services, tenant, Role.ADMIN, browsers[1])
    member = await join(services, tenant, Role.EDITOR)
    admin = browsers[1]

    promote = await admin.run("ChangeMemberRole", userId=str(member.user_id), role="OWNER")
    demote = await admin.run("ChangeMemberRole", userId=str(tenant.principal.user_id), role="VIEWER")
    remove = await admin.run("RemoveMember", userId=str(tenant.principal.user_id))
    by_owner = await owner.run("ChangeMemberRole", userId=str(member.user_id), role="OWNER")

    assert promote["changeMemberRole"]["code"] == "OWNER_REQUIRED"
    assert demote["changeMemberRole"]["code"] == "OWNER_REQUIRED"
    assert remove["removeMember"]["code"] == "OWNER_REQUIRED"
    assert by_owner["changeMemberRole"]["role"] == "OWNER"


async def test_the_last_owner_can_be_neither_demoted_nor_removed_nor_leave(
    owner: Browser, tenant: Tenant
) -> None:
    me = str(tenant.principal.user_id)

    demoted = (await owner.run("ChangeMemberRole", userId=me, role="ADMIN"))["changeMemberRole"]
    removed = (await owner.run("RemoveMember", userId=me))["removeMember"]
    left = (await owner.run("LeaveWorkspace"))["leaveWorkspace"]
    still = (await owner.run("Members"))["members"]

    assert [r["code"] for r in (demoted, removed, left)] == ["LAST_OWNER"] * 3
    assert [(m["userId"], m["role"]) for m in still] == [(me, "OWNER")]


async def test_one_of_two_owners_steps_down_and_then_is_no_longer_the_last(
    owner: Browser, browsers: list[Browser], services: Services, tenant: Tenant
) -> None:
    second = await join(services, tenant, Role.OWNER, browsers[1])

    stepped = await owner.run("ChangeMemberRole", userId=str(tenant.principal.user_id), role="ADMIN")
    refused = await browsers[1].run("LeaveWorkspace")

    assert stepped["changeMemberRole"]["role"] == "ADMIN"
    assert refused["leaveWorkspace"]["code"] == "LAST_OWNER"
    assert second.user_id


async def test_two_owners_demoting_each_other_at_once_leave_one_owner(
    owner: Browser, browsers: list[Browser], services: Services, tenant: Tenant
) -> None:
    for _ in range(5):  # each round starts with two owners racing
        other = await join(services, tenant, Role.OWNER, browsers[1])
        mine = str(tenant.principal.user_id)

        results = await asyncio.gather(
            owner.run("ChangeMemberRole", userId=str(other.user_id), role="ADMIN"),
            browsers[1].run("ChangeMemberRole", userId=mine, role="ADMIN"),
        )

        outcomes = sorted(r["changeMemberRole"]["__typename"] for r in results)
        owners = [m for m in (await owner.run("Members"))["members"] if m["role"] == "OWNER"]
        assert outcomes == ["Member", "Refused"]
        assert len(owners) == 1
        if owners[0]["userId"] != mine:  # the other won: put things back for the next round
            await open_session(services, owner, other.user_id, tenant.slug)
            await owner.run("ChangeMemberRole", userId=mine, role="OWNER")
            await open_session(services, owner, tenant.principal.user_id, tenant.slug)
        await owner.run("RemoveMember", userId=str(other.user_id))


async def test_a_removed_member_loses_the_workspace_and_their_tokens_of_it(
    app: Litestar, owner: Browser, browsers: list[Browser], services: Services, tenant: Tenant
) -> None:
    member = await join(services, tenant, Role.EDITOR, browsers[1])
    token = await token_for(services, tenant, member.user_id, Role.EDITOR)

    removed = (await owner.run("RemoveMember", userId=str(member.user_id)))["removeMember"]
    async with clients_of(app)() as client:
        with_token = await Program(client, token).post(operation("Workflows"))
    with_session = await browsers[1].post(operation("Workflows"))
    listed = (await browsers[1].run("Workspaces"))["workspaces"]

    assert (removed["__typename"], removed["email"]) == ("RemovedMember", member.email)
    assert with_token.status_code == 401
    assert with_session.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert listed == []
    assert "member_removed" in await audit_actions(services, tenant.principal.workspace_id)


async def test_a_member_leaves_and_sees_the_workspace_no_more(
    owner: Browser, browsers: list[Browser], services: Services, tenant: Tenant
) -> None:
    member = await join(services, tenant, Role.RUNNER, browsers[1])

    left = (await browsers[1].run("LeaveWorkspace"))["leaveWorkspace"]
    listed = (await browsers[1].run("Workspaces"))["workspaces"]
    members = [m["userId"] for m in (await owner.run("Members"))["members"]]

    assert (left["__typename"], left["userId"]) == ("RemovedMember", str(member.user_id))
    assert listed == []
    assert str(member.user_id) not in members
    assert "member_left" in await audit_actions(services, tenant.principal.workspace_id)


async def test_a_token_cannot_leave_for_its_creator(app: Litestar, tenant: Tenant) -> None:
    async with clients_of(app)() as client:
        response = await Program(client, tenant.token).post(operation("LeaveWorkspace"))

    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_members_of_another_workspace_look_exactly_like_unknown_ones(
    owner: Browser, services: Services, tenant: Tenant
) -> None:
    stranger = await new_tenant(services)
    answers = []
    for user_id in (str(stranger.principal.user_id), str(uuid4()), "not-a-uuid"):
        changed = (await owner.run("ChangeMemberRole", userId=user_id, role="VIEWER"))["changeMemberRole"]
        removed = (await owner.run("RemoveMember", userId=user_id))["removeMember"]
        reset = (await owner.run("CreatePasswordReset", userId=user_id))["createPasswordReset"]
        answers.append(
            {(r["__typename"], r["message"].replace(user_id, "?")) for r in (changed, removed, reset)}
        )

    assert answers[0] == answers[1] == answers[2]
    assert {kind for kind, _ in answers[0]} == {"NotFound"}
    assert [m.role for m in await services.workspaces.members(stranger.principal)] == [Role.OWNER]


async def test_an_editor_cannot_manage_members(
    browsers: list[Browser], services: Services, tenant: Tenant
) -> None:
    await join(services, tenant, Role.EDITOR, browsers[1])
    me = str(tenant.principal.user_id)

    codes = [
        await browsers[1].error_code("ChangeMemberRole", userId=me, role="VIEWER"),
        await browsers[1].error_code("RemoveMember", userId=me),
        await browsers[1].error_code("InviteMember", email="x@example.com", role="VIEWER"),
        await browsers[1].error_code("Invites"),
    ]

    assert codes == ["FORBIDDEN"] * 4
