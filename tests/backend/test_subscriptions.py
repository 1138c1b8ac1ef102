"""GraphQL subscriptions over websockets, in process: replay + live, protocol edges, the inbox."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncGenerator, Callable, Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from httpx_ws import WebSocketDisconnect
from litestar import Litestar
from strawberry.http.async_base_view import AsyncWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected

from backend.app import create_app
from backend.gql.websocket import FlowloomTransportWSHandler
from backend.services import Services
from tests.backend.conftest import GraphQLClient
from tests.backend.runs_support import create_workflow, start_run, wait_for
from tests.backend.ws_client import LEGACY_WS, Socket, websocket
from tests.fixtures_data import template_chain
from tests.operations import operation
from tests.servers.openai_fake import FakeOpenAI
from tests.tenants import Tenant, new_tenant

RUN_EVENTS = """
subscription ($runId: ID!, $afterSeq: Int) {
  runEvents(runId: $runId, afterSeq: $afterSeq) { runId seq type nodeId data }
}
"""


def human_gate() -> dict[str, Any]:
    return {
        "nodes": [
            {"id": "before", "type": "template", "params": {"template": "draft"}},
            {"id": "approve", "type": "human", "params": {"prompt": "OK?"}},
            {"id": "after", "type": "template", "params": {"template": "done"}},
        ],
        "edges": [{"from": "before", "to": "approve"}, {"from": "approve", "to": "after"}],
    }


async def connected(socket: Socket, tenant: Tenant) -> None:
    ack = await socket.init(tenant.token)
    assert ack["type"] == "connection_ack", ack


def seqs(payloads: list[dict[str, Any]]) -> list[int]:
    return [p["data"]["runEvents"]["seq"] for p in payloads if p["data"]["runEvents"]["type"] != "NODE_DELTA"]


async def test_a_finished_run_is_replayed_and_the_subscription_completes(
    app: Litestar, gql: GraphQLClient, tenant: Tenant
) -> None:
    started = await start_run(gql, await create_workflow(gql, template_chain(3)))
    done = await wait_for(gql, started["id"])

    async with websocket(app) as socket:
        await connected(socket, tenant)
        await socket.subscribe("1", RUN_EVENTS, {"runId": started["id"]})
        payloads, final = await socket.collect("1")

    assert final["type"] == "complete"
    assert seqs(payloads) == [event["seq"] for event in done["events"]]
    assert payloads[-1]["data"]["runEvents"]["type"] == "RUN_SUCCEEDED"


async def test_events_stream_live_across_a_pause_and_a_reconnect_misses_nothing(
    app: Litestar, gql: GraphQLClient, tenant: Tenant
) -> None:
    started = await start_run(gql, await create_workflow(gql, human_gate()))
    await wait_for(gql, started["id"], {"WAITING"})

    async with websocket(app) as socket:
        await connected(socket, tenant)
        await socket.subscribe("live", RUN_EVENTS, {"runId": started["id"]})
        first: list[dict[str, Any]] = []
        while not first or first[-1]["data"]["runEvents"]["type"] != "RUN_WAITING":
            message = await socket.receive()
            first.append(message["payload"])
    # disconnected mid-run; the run goes on without us
    await gql.run("SubmitHumanInput", runId=started["id"], nodeId="approve", input={})
    done = await wait_for(gql, started["id"])
    async with websocket(app) as socket:
        await connected(socket, tenant)
        await socket.subscribe("again", RUN_EVENTS, {"runId": started["id"], "afterSeq": seqs(first)[-1]})
        rest, final = await socket.collect("again")

    everything = seqs(first) + seqs(rest)
    assert final["type"] == "complete"
    assert everything == [event["seq"] for event in done["events"]]
    assert everything == list(range(1, len(everything) + 1))


async def test_subscribers_joining_at_random_moments_of_many_runs_get_every_event_once(
    app: Litestar, gql: GraphQLClient, tenant: Tenant, counting: Any
) -> None:
    definition = {
        "nodes": [
            {"id": f"s{i}", "type": "tool", "params": {"url": f"{counting.url}/s?delay=0.0{i % 3 + 1}"}}
            for i in range(6)
        ],
        "edges": [{"from": f"s{i}", "to": f"s{i + 1}"} for i in range(5)],
    }
    workflow_id = await create_workflow(gql, definition)
    rng = random.Random(7)

    async def subscriber(run_id: str) -> tuple[list[int], int]:
        await asyncio.sleep(rng.uniform(0, 0.3))
        after = rng.choice([0, 0, 1, 3])
        async with websocket(app) as socket:
            await connected(socket, tenant)
            await socket.subscribe("s", RUN_EVENTS, {"runId": run_id, "afterSeq": after})
            payloads, final = await socket.collect("s", within=30)
        assert final["type"] == "complete", final
        return seqs(payloads), after

    runs = [await start_run(gql, workflow_id) for _ in range(8)]
    received = await asyncio.gather(*(subscriber(run["id"]) for run in runs for _ in range(3)))

    for index, (got, after) in enumerate(received):
        run = await wait_for(gql, runs[index // 3]["id"])
        stored = [event["seq"] for event in run["events"] if event["seq"] > after]
        assert got == stored, (index, after)


async def test_an_unknown_or_foreign_run_errors_that_subscription_only(
    app: Litestar, gql: GraphQLClient, tenant: Tenant, services: Services
) -> None:
    mine = await start_run(gql, await create_workflow(gql, template_chain(2)))
    stranger = await new_tenant(services)
    stranger_gql = GraphQLClient(gql.http, stranger.token)
    theirs = await start_run(stranger_gql, await create_workflow(stranger_gql, template_chain(1)))

    async with websocket(app) as socket:
        await connected(socket, tenant)
        await socket.subscribe("foreign", RUN_EVENTS, {"runId": theirs["id"]})
        await socket.subscribe("unknown", RUN_EVENTS, {"runId": "00000000-0000-0000-0000-000000000000"})
        foreign, foreign_final = await socket.collect("foreign")
        unknown, unknown_final = await socket.collect("unknown")
        await socket.subscribe("mine", RUN_EVENTS, {"runId": mine["id"]})
        payloads, mine_final = await socket.collect("mine")

    # a field error of the subscription (GraphQL's execution error), then that operation ends
    assert [payload["errors"][0]["message"] for payload in foreign] == [f"no run {theirs['id']}"]
    assert [payload["data"] for payload in foreign] == [None]
    assert unknown[0]["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert (foreign_final["type"], unknown_final["type"]) == ("complete", "complete")
    assert mine_final["type"] == "complete"
    assert payloads[-1]["data"]["runEvents"]["type"] == "RUN_SUCCEEDED"


async def test_a_bad_token_closes_the_connection_4403(app: Litestar) -> None:
    async with websocket(app) as socket:
        await socket.send({"type": "connection_init", "payload": {"authToken": "flt_wrong"}})
        with pytest.raises(WebSocketDisconnect) as closed:
            await socket.receive()
    assert closed.value.code == 4403


async def test_no_connection_init_in_time_closes_4408(services: Services) -> None:
    quick = create_app(replace(services.settings, ws_init_timeout=0.2), services)
    async with websocket(quick) as socket:
        with pytest.raises(WebSocketDisconnect) as closed:
            await socket.receive(within=5)
    assert closed.value.code == 4408


async def test_a_malformed_message_closes_4400_and_the_server_keeps_serving(
    app: Litestar, tenant: Tenant
) -> None:
    async with websocket(app) as socket:
        await connected(socket, tenant)
        await socket.send({"type": "subscribe", "payload": {"query": "{ viewer { id } }"}})  # no id
        with pytest.raises(WebSocketDisconnect) as closed:
            await socket.receive()
    async with websocket(app) as socket:
        await connected(socket, tenant)
        await socket.subscribe("q", "query { viewer { role } }")
        payloads, _ = await socket.collect("q")

    assert closed.value.code == 4400
    assert payloads == [{"data": {"viewer": {"role": "owner"}}}]


async def test_browsers_connect_only_from_the_allowed_origins(services: Services, tenant: Tenant) -> None:
    ui = create_app(replace(services.settings, allowed_origins=("http://ui.example",)), services)
    async with websocket(ui, origin="http://ui.example") as socket:
        await connected(socket, tenant)
    refusals: list[int] = []
    try:
        async with websocket(ui, origin="http://evil.example"):
            pass
    except* WebSocketDisconnect as group:
        refusals = [error.code for error in group.exceptions if isinstance(error, WebSocketDisconnect)]

    # closed before it was accepted (uvicorn answers such a handshake with HTTP 403)
    assert refusals == [1008]


async def test_subscriptions_per_connection_are_limited(services: Services, tenant: Tenant) -> None:
    limited = create_app(replace(services.settings, max_subscriptions=2), services)
    async with websocket(limited) as socket:
        await connected(socket, tenant)
        for operation_id in ("a", "b"):
            await socket.subscribe(operation_id, "subscription { runUpdates { id } }")
        await socket.subscribe("c", "subscription { runUpdates { id } }")
        _, third = await socket.collect("c")

    assert third["type"] == "error"
    assert third["payload"][0]["message"] == "Subscription limit reached"


async def test_the_server_pings_idle_connections(services: Services, tenant: Tenant) -> None:
    chatty = create_app(replace(services.settings, ws_keepalive=0.1), services)
    async with websocket(chatty) as socket:
        await connected(socket, tenant)
        message = await socket.session.receive_json(timeout=5)

    assert message == {"type": "ping"}


async def test_the_legacy_graphql_ws_protocol_is_served(
    app: Litestar, gql: GraphQLClient, tenant: Tenant
) -> None:
    started = await start_run(gql, await create_workflow(gql, template_chain(1)))
    await wait_for(gql, started["id"])

    async with websocket(app, LEGACY_WS) as socket:
        ack = await socket.init(tenant.token)
        await socket.subscribe("1", RUN_EVENTS, {"runId": started["id"]})
        payloads, final = await socket.collect("1")

    assert ack["type"] == "connection_ack"
    assert final["type"] == "complete"
    assert payloads[-1]["data"]["runEvents"]["type"] == "RUN_SUCCEEDED"


async def test_run_updates_and_the_task_inbox_follow_the_workspace(
    app: Litestar, gql: GraphQLClient, tenant: Tenant
) -> None:
    workflow_id = await create_workflow(gql, human_gate())
    async with websocket(app) as socket:
        await connected(socket, tenant)
        await socket.subscribe("runs", "subscription { runUpdates { id status } }")
        await socket.subscribe("tasks", "subscription { humanTasks { runId nodeId status } }")
        await asyncio.sleep(0.05)  # let both subscriptions reach the broker
        started = await start_run(gql, workflow_id)
        await wait_for(gql, started["id"], {"WAITING"})
        await gql.run("SubmitHumanInput", runId=started["id"], nodeId="approve", input={"ok": 1})
        await wait_for(gql, started["id"])
        statuses: list[str] = []
        tasks: list[str] = []
        while "SUCCEEDED" not in statuses or "DONE" not in tasks:
            message = await socket.receive()
            data = message["payload"]["data"]
            if message["id"] == "runs":
                assert data["runUpdates"]["id"] == started["id"]
                statuses.append(data["runUpdates"]["status"])
            else:
                assert data["humanTasks"]["runId"] == started["id"]
                tasks.append(data["humanTasks"]["status"])

    # each delivery is the run as it is then: changes closer together than a delivery (on a busy
    # machine, the resume and the success) arrive as one, in order, and the last one always arrives
    assert is_in_order(statuses, ["RUNNING", "WAITING", "RUNNING", "SUCCEEDED"])
    assert statuses[-1] == "SUCCEEDED"
    assert is_in_order(tasks, ["OPEN", "DONE"])
    assert tasks[-1] == "DONE"


def is_in_order(seen: list[str], transitions: list[str]) -> bool:
    """Whether `seen` is `transitions` with some left out (merged into a later one), none reordered."""
    remaining = iter(transitions)
    return all(state in remaining for state in seen)


async def test_the_run_query_events_match_what_a_subscriber_received(
    app: Litestar, gql: GraphQLClient, tenant: Tenant
) -> None:
    started = await start_run(gql, await create_workflow(gql, template_chain(2)))
    async with websocket(app) as socket:
        await connected(socket, tenant)
        await socket.subscribe("1", RUN_EVENTS, {"runId": started["id"]})
        payloads, _ = await socket.collect("1")
    stored = (await gql.run("Run", id=started["id"]))["run"]["events"]

    assert [p["data"]["runEvents"] for p in payloads] == [
        {key: event[key] for key in ("runId", "seq", "type", "nodeId", "data")} for event in stored
    ]
    assert operation("Run")  # the documents the front end uses carry the same fields


async def test_llm_token_deltas_stream_live_to_a_subscriber(
    app: Litestar, gql: GraphQLClient, tenant: Tenant, openai_api: FakeOpenAI
) -> None:
    await gql.run(
        "SetCredential",
        input={"provider": "openai", "apiKey": openai_api.api_key, "baseUrl": openai_api.base_url},
    )
    definition = {
        "nodes": [
            {"id": "go", "type": "human", "params": {"prompt": "Start?"}},
            {
                "id": "ask",
                "type": "llm",
                "params": {"model": "openai-chat:m", "prompt": "say one two three four"},
            },
        ],
        "edges": [{"from": "go", "to": "ask"}],
    }
    started = await start_run(gql, await create_workflow(gql, definition))
    await wait_for(gql, started["id"], {"WAITING"})

    async with websocket(app) as socket:
        await connected(socket, tenant)
        await socket.subscribe("1", RUN_EVENTS, {"runId": started["id"]})
        while (await socket.receive())["payload"]["data"]["runEvents"]["type"] != "RUN_WAITING":
            pass  # replayed up to the pause: from here on, everything is live
        await gql.run("SubmitHumanInput", runId=started["id"], nodeId="go", input={})
        payloads, final = await socket.collect("1")

    events = [payload["data"]["runEvents"] for payload in payloads]
    deltas = [event["data"]["text"] for event in events if event["type"] == "NODE_DELTA"]
    succeeded = next(e for e in events if e["type"] == "NODE_SUCCEEDED" and e["nodeId"] == "ask")
    assert final["type"] == "complete"
    assert len(deltas) > 1
    assert "".join(deltas) == succeeded["data"]["output"] == "echo: say one two three four"
    assert events.index(succeeded) > max(i for i, e in enumerate(events) if e["type"] == "NODE_DELTA")


@pytest.mark.parametrize("frame", ["[1,2]", "1", '"x"', "null", "true"])
async def test_a_message_that_is_json_but_not_an_object_closes_4400(
    app: Litestar, tenant: Tenant, frame: str
) -> None:
    async with websocket(app) as socket:
        await connected(socket, tenant)
        await socket.session.send_text(frame)
        with pytest.raises(WebSocketDisconnect) as closed:
            await socket.receive()

    assert closed.value.code == 4400
    assert closed.value.reason == "WebSocket message must be a JSON object"


@pytest.mark.parametrize(
    "message",
    [
        {"type": "subscribe", "id": "1", "payload": "{ viewer { id } }"},
        {"type": "subscribe", "id": {"a": 1}, "payload": {"query": "{ viewer { id } }"}},
        {"type": "subscribe", "id": "1", "payload": {"query": 5}},
        {"type": "subscribe", "id": "1", "payload": {"query": "{ viewer { id } }", "variables": [1]}},
        {"type": "complete", "id": ["1"]},
    ],
)
async def test_a_subscribe_or_complete_message_of_the_wrong_shape_closes_4400(
    app: Litestar, tenant: Tenant, message: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    async with websocket(app) as socket:
        await connected(socket, tenant)
        await socket.send(message)
        with pytest.raises(WebSocketDisconnect) as closed:
            await socket.receive()

    assert closed.value.code == 4400
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


async def test_a_message_nested_too_deeply_to_decode_closes_4400(app: Litestar, tenant: Tenant) -> None:
    async with websocket(app) as socket:
        await connected(socket, tenant)
        await socket.session.send_text("[" * 5000 + "]" * 5000)
        with pytest.raises(WebSocketDisconnect) as closed:
            await socket.receive()

    assert closed.value.code == 4400


async def test_a_syntax_error_in_a_subscribe_closes_4400_without_a_logged_traceback(
    app: Litestar, tenant: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    async with websocket(app) as socket:
        await connected(socket, tenant)
        await socket.subscribe("broken", "subscription { runUpdates { id }")
        with pytest.raises(WebSocketDisconnect) as closed:
            await socket.receive()

    assert closed.value.code == 4400
    assert closed.value.reason.startswith("Syntax Error")
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


class ScriptedSocket(AsyncWebSocketAdapter):
    """A websocket (Strawberry's adapter interface) whose sends fail as scripted, then succeed."""

    def __init__(self, failures: list[Exception]) -> None:
        super().__init__(view=None)  # type: ignore[arg-type]
        self.failures = failures
        self.sent: list[Mapping[str, object]] = []

    async def iter_json(self, *, ignore_parsing_errors: bool = False) -> AsyncGenerator[object, None]:
        return
        yield

    async def send_json(self, message: Mapping[str, object]) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)

    async def close(self, code: int, reason: str) -> None:
        pass


def pinging(socket: ScriptedSocket) -> FlowloomTransportWSHandler:
    """A handler pinging `socket` every 10 ms as if its connection were acknowledged."""

    class Quick(FlowloomTransportWSHandler):
        interval = 0.01

    handler = Quick(
        view=None,  # type: ignore[arg-type]
        websocket=socket,
        context=None,
        root_value=None,
        schema=None,  # type: ignore[arg-type]
        connection_init_wait_timeout=timedelta(seconds=60),
    )
    handler.connection_acknowledged = True
    handler.on_request_accepted()
    return handler


async def test_a_failed_ping_is_logged_once_and_pinging_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    socket = ScriptedSocket([ConnectionResetError("connection reset by peer")])
    handler = pinging(socket)
    try:
        await wait_until(lambda: len(socket.sent) >= 2)
    finally:
        await handler.shutdown()

    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert [record.getMessage() for record in errors] == [
        "sending a keep-alive ping to an unauthenticated websocket failed (0 operations open); "
        "pinging again in 0.01s"
    ]
    assert errors[0].exc_info is not None
    assert isinstance(errors[0].exc_info[1], ConnectionResetError)


async def test_the_pinger_stops_quietly_once_the_socket_is_gone(caplog: pytest.LogCaptureFixture) -> None:
    socket = ScriptedSocket([WebSocketDisconnected()])
    handler = pinging(socket)
    try:
        await wait_until(handler._pinger.done)
    finally:
        await handler.shutdown()

    assert socket.sent == []
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


async def wait_until(condition: Callable[[], bool], within: float = 5) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.005)


async def test_a_query_over_the_legacy_protocol_is_refused_as_the_clients_mistake(
    app: Litestar, tenant: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    async with websocket(app, LEGACY_WS) as socket:
        await socket.init(tenant.token)
        await socket.subscribe("1", "{ viewer { email } }")
        message = await socket.receive()

    assert message["type"] == "error"
    assert message["payload"]["message"] == "queries are not allowed"
    assert message["payload"]["extensions"]["code"] == "BAD_USER_INPUT"
    assert not [record for record in caplog.records if record.levelname == "ERROR"]
