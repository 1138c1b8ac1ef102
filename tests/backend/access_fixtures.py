"""The access matrix's hint tables: what each root field's arguments get, and how to make it.

A new root field needs at most a line here:

- an argument named and typed like an existing one (`workflowId: ID`, `runId: ID`, `nodeId:
  String`, ...) is filled from `ARGUMENTS` without anyone saying so;
- an ambiguous one (`id: ID!` of which kind of object?) gets a line in `FIELD_ARGUMENTS`, keyed by
  the field (`Mutation.revokeToken`) or, for an input object's field, by the input type's name;
- an object of a new kind (a token, an invite, a member) gets a `Kind` in `KINDS`: how to make one
  in a workspace as its owner, and how an unknown id of that kind looks;
- a mutation that would damage the world other cases share beyond its arguments (leaving the
  workspace, deleting it, ending the caller's sessions) goes in `ISOLATED`: each of its cases then
  runs in a throwaway workspace with a throwaway member;
- a subscription that says nothing when a run starts in its workspace gets a stimulus in `STIMULI`.

Mutations always act on objects made for the case alone (a denied `deleteWorkflow` must leave *its*
workflow, an allowed one deletes a workflow nobody else uses). A field the tables cannot fill fails
the matrix test with the line to add; it is never skipped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID, uuid4

from backend.accounts.repository import AccountsRepository
from backend.accounts.roles import Role

HUMAN_WORKFLOW = {"nodes": [{"id": "ask", "type": "human", "params": {"prompt": "OK?", "schema": {}}}]}
"""One human node: its runs wait (WAITING) until someone answers, so they stay still between cases."""
PASSWORD = "matrix-password-1"
VOLATILE_COLUMNS = (
    "last_used_at",
    "last_seen_at",
    "heartbeat_at",
    "lease_owner",
    "lease_expires_at",
    "dispatched_at",
    "dispatches",
)
"""Columns that change by being used or executed, not by what a request asked for (left out of
snapshots): an executor releases a run's lease and queue mark just after the run starts waiting."""


class Owner(Protocol):
    """A workspace's owner on the server under test, making objects through the API."""

    marker: str
    """A text unique to the workspace, put into the names of what is made there (to spot leaks)."""

    async def data(self, name: str, **variables: Any) -> dict[str, Any]:
        """Run operation `name` of graphql/*.graphql; fail on any error."""
        ...


class Place(Protocol):
    """A workspace where objects are made: its owner, and the objects its cases share."""

    @property
    def owner(self) -> Owner:
        """The workspace's owner."""
        ...

    @property
    def id(self) -> UUID:
        """The workspace's id."""
        ...

    async def value(self, kind: str, *, fresh: bool) -> str:
        """An object of `kind` here: a new one, or the one every case shares."""
        ...


@dataclass(frozen=True)
class Ref:
    """An object of kind `kind`, made in the workspace a case aims at."""

    kind: str


@dataclass(frozen=True)
class Const:
    """The same value in every case."""

    value: Any


@dataclass(frozen=True)
class Kind:
    """A kind of object a field's argument can point at."""

    make: Callable[[Place], Awaitable[str]]
    """Make one in the owner's workspace; returns what the argument gets (an id, a name)."""
    unknown: Callable[[], str] | None
    """A value that points at nothing; None when values are names inside the caller's own workspace
    (a provider's name), which cannot point into another one."""


async def _workflow(place: Place) -> str:
    name = f"{place.owner.marker} {uuid4().hex[:8]}"
    created = await place.owner.data("CreateWorkflow", input={"name": name, "definition": HUMAN_WORKFLOW})
    workflow_id: str = created["createWorkflow"]["id"]
    return workflow_id


async def start_run(place: Place) -> str:
    """Start a run of the shared human workflow: it reports a status change, then opens a task."""
    workflow_id = await place.value("workflow", fresh=False)
    started = await place.owner.data("StartRun", workflowId=workflow_id, inputs={})
    run_id: str = started["startRun"]["id"]
    return run_id


async def _waiting_run(place: Place) -> str:
    run_id = await start_run(place)
    owner = place.owner
    for _ in range(300):
        status = (await owner.data("RunStatus", id=run_id))["run"]["status"]
        if status == "WAITING":
            return run_id
        if status not in {"PENDING", "RUNNING"}:
            raise AssertionError(f"a human run ended {status} instead of waiting")
        await asyncio.sleep(0.05)
    raise AssertionError(f"run {run_id} did not reach WAITING")


async def _credential(place: Place) -> str:
    await place.owner.data("SetCredential", input={"provider": "openai", "apiKey": "sk-matrix"})
    return "openai"


async def _token(place: Place) -> str:
    created = await place.owner.data(
        "CreateApiToken", input={"name": f"{place.owner.marker} token", "role": "VIEWER"}
    )
    token_id: str = created["createApiToken"]["token"]["id"]
    return token_id


async def _member(place: Place) -> str:
    """A viewer of the workspace (made in the database: joining takes another person's session)."""
    repository = AccountsRepository()
    email = f"member-{uuid4().hex[:10]}@{place.owner.marker}.test"
    user_id = await repository.create_user(email, f"member of {place.owner.marker}", None)
    if user_id is None:
        raise AssertionError(f"{email} exists already")
    await repository.add_member(place.id, user_id, Role.VIEWER)
    return str(user_id)


async def _invite(place: Place) -> str:
    invited = await place.owner.data("InviteMember", email=f"{uuid4().hex[:10]}@invited.test", role="VIEWER")
    invite_id: str = invited["inviteMember"]["invite"]["id"]
    return invite_id


async def _new_slug(place: Place) -> str:
    del place  # a slug nobody has, wherever the case runs
    return f"m-{uuid4().hex[:12]}"


async def _collection(place: Place) -> str:
    made = await place.owner.data(
        "CreateCollection", input={"name": f"matrix {place.owner.marker} {uuid4().hex[:8]}"}
    )
    return str(made["createCollection"]["id"])


async def _document(place: Place) -> str:
    """A document of the shared collection, once ingested: nothing changes it in the background then."""
    collection = await place.value("collection", fresh=False)
    added = await place.owner.data(
        "AddDocuments",
        collectionId=collection,
        documents=[{"name": f"{place.owner.marker}.txt", "text": f"matrix {uuid4().hex}"}],
    )
    document = str(added["addDocuments"]["documents"][0]["id"])
    for _ in range(600):
        found = await place.owner.data("Collection", id=collection, first=100)
        statuses = {
            edge["node"]["id"]: edge["node"]["status"] for edge in found["collection"]["documents"]["edges"]
        }
        if statuses.get(document) in {"READY", "FAILED"}:
            return document
        await asyncio.sleep(0.05)
    raise AssertionError(f"document {document} was not ingested within 30 s")


async def _trigger(place: Place) -> str:
    """A webhook of the shared workflow."""
    workflow_id = await place.value("workflow", fresh=False)
    made = await place.owner.data("CreateTrigger", input={"workflowId": workflow_id, "kind": "WEBHOOK"})
    return str(made["createTrigger"]["trigger"]["id"])


async def _budget(place: Place) -> str:
    """A daily budget of a workflow of its own (one budget per workflow and period)."""
    workflow_id = await place.value("workflow", fresh=True)
    made = await place.owner.data(
        "SetBudget", input={"workflowId": workflow_id, "period": "DAY", "limitUsd": 1.0}
    )
    return str(made["setBudget"]["id"])


def _unknown_id() -> str:
    return str(uuid4())


KINDS: dict[str, Kind] = {
    "workflow": Kind(make=_workflow, unknown=_unknown_id),
    "run": Kind(make=_waiting_run, unknown=_unknown_id),
    "credential": Kind(make=_credential, unknown=None),
    "token": Kind(make=_token, unknown=_unknown_id),
    "member": Kind(make=_member, unknown=_unknown_id),
    "invite": Kind(make=_invite, unknown=_unknown_id),
    "new slug": Kind(make=_new_slug, unknown=None),
    "collection": Kind(make=_collection, unknown=_unknown_id),
    "document": Kind(make=_document, unknown=_unknown_id),
    "trigger": Kind(make=_trigger, unknown=_unknown_id),
    "budget": Kind(make=_budget, unknown=_unknown_id),
}

ARGUMENTS: dict[tuple[str, str], Ref | Const] = {
    # (argument or input field name, named type) → value
    ("workflowId", "ID"): Ref("workflow"),
    ("runId", "ID"): Ref("run"),
    ("nodeId", "String"): Const("ask"),
    ("input", "JSON"): Const({"answer": "yes"}),
    ("definition", "JSON"): Const(HUMAN_WORKFLOW),
    ("name", "String"): Const("matrix workflow"),
    ("provider", "String"): Ref("credential"),
    ("apiKey", "String"): Const("sk-matrix"),
    ("userId", "ID"): Ref("member"),
    ("email", "String"): Const("invitee@matrix.test"),
    ("token", "String"): Const("fll_not-a-real-invitation"),
    ("current", "String"): Const("not the current password"),
    ("new", "String"): Const("a new matrix password"),
    ("confirmSlug", "String"): Const("not-this-workspace"),
    ("collectionId", "ID"): Ref("collection"),
    ("query", "String"): Const("matrix"),
    ("text", "String"): Const("a matrix document"),
    ("files", "Upload"): Const([]),
    ("topK", "Int"): Const(3),
    ("mediaType", "String"): Const("text/plain"),
    ("description", "String"): Const("matrix collection"),
    ("language", "String"): Const("simple"),
}
FIELD_ARGUMENTS: dict[tuple[str, str], Ref | Const] = {
    # (Type.field or input type, argument) → value, where name and type alone are ambiguous
    ("Query.workflow", "id"): Ref("workflow"),
    ("Query.run", "id"): Ref("run"),
    ("Mutation.updateWorkflow", "id"): Ref("workflow"),
    ("Mutation.deleteWorkflow", "id"): Ref("workflow"),
    ("Mutation.cancelRun", "id"): Ref("run"),
    ("Mutation.retryRun", "id"): Ref("run"),
    ("SetCredentialInput", "provider"): Const("openai"),
    ("Mutation.revokeApiToken", "id"): Ref("token"),
    ("Mutation.revokeInvite", "id"): Ref("invite"),
    ("Mutation.createWorkspace", "slug"): Ref("new slug"),
    ("Query.collection", "id"): Ref("collection"),
    ("Mutation.updateCollection", "id"): Ref("collection"),
    ("Mutation.deleteCollection", "id"): Ref("collection"),
    ("Mutation.reindexCollection", "id"): Ref("collection"),
    ("Mutation.deleteDocument", "id"): Ref("document"),
    ("Mutation.updateTrigger", "id"): Ref("trigger"),
    ("Mutation.rotateTriggerSecret", "id"): Ref("trigger"),
    ("Mutation.deleteTrigger", "id"): Ref("trigger"),
    # a fixed window: the foreign case compares two answers, which "the last 24 hours" would not keep equal
    ("Query.runStats", "since"): Const("2026-11-30T00:00:00+00:00"),
    ("Query.runStats", "until"): Const("2026-12-02T00:00:00+00:00"),
    ("Query.runStats", "timeZone"): Const("UTC"),
    ("Query.costs", "from"): Const("2026-11-30"),
    ("Query.costs", "to"): Const("2026-12-02"),
    ("SetBudgetInput", "limitUsd"): Const(0.5),
    ("Mutation.deleteBudget", "id"): Ref("budget"),
}
ISOLATED: frozenset[str] = frozenset({"Mutation.leaveWorkspace"})
"""Fields whose every case runs in a throwaway workspace, as a throwaway member (`Type.field`)."""


STIMULI: dict[str, Callable[[Place], Awaitable[str]]] = {"Subscription.documentProgress": _document}
"""What makes subscription `Type.field` say something, if starting a run does not (returns the id
of what it made)."""


def stimulus(field: str) -> Callable[[Place], Awaitable[str]]:
    """What to do in a workspace until subscription `field` sends its first message."""
    return STIMULI.get(field, start_run)
