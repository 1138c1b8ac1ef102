"""When nodes fail: time limits, retries with backoff, and what `onError` makes of the last failure."""

import time

import anyio
from pydantic import JsonValue

from engine.nodes.base import NodeContext, NodeResult
from engine.records import EventType, NodeStatus, RunStatus
from tests.engine.execution.rig import Rig, blocks, edge, fails, node, step, workflow
from tests.json_values import at

RETRY = {"maxAttempts": 3, "backoffSeconds": 0.02, "backoffMultiplier": 2}


async def test_a_node_past_its_time_limit_fails() -> None:
    rig = Rig({"slow": blocks()})

    run_id, status = await rig.run(workflow(step("slow", timeoutSeconds=0.05)))

    slow = (await rig.latest(run_id))["slow"]
    assert status is RunStatus.FAILED
    assert slow.status is NodeStatus.FAILED
    assert slow.error == "timed out after 0.05 seconds"


async def test_a_failing_node_is_retried_with_growing_backoff_and_then_succeeds() -> None:
    rig = Rig({"flaky": fails(2)})

    started = time.perf_counter()
    run_id, status = await rig.run(workflow(step("flaky", retry=RETRY)))
    elapsed = time.perf_counter() - started

    retries = rig.events(run_id, EventType.NODE_RETRYING)
    assert status is RunStatus.SUCCEEDED
    assert [event.data for event in retries] == [
        {"iteration": 0, "attempt": 1, "error": "failure 1", "delaySeconds": 0.02},
        {"iteration": 0, "attempt": 2, "error": "failure 2", "delaySeconds": 0.04},
    ]
    assert elapsed >= 0.06
    assert (await rig.latest(run_id))["flaky"].attempts == 3
    assert [at(event.data, "attempt") for event in rig.events(run_id, EventType.NODE_STARTED)] == [1, 2, 3]


async def test_retries_stop_at_max_attempts() -> None:
    rig = Rig({"broken": fails(5)})

    run_id, status = await rig.run(workflow(step("broken", retry=RETRY)))

    assert status is RunStatus.FAILED
    assert rig.executions["broken"] == 3
    assert (await rig.state(run_id)).run.error == "node broken failed: failure 3"


async def test_a_non_retryable_failure_is_not_retried() -> None:
    rig = Rig({"broken": fails(5, retryable=False)})

    run_id, _ = await rig.run(workflow(step("broken", retry=RETRY)))

    assert rig.executions["broken"] == 1
    assert rig.events(run_id, EventType.NODE_RETRYING) == []


async def test_on_error_fail_fails_the_run_and_cancels_the_nodes_still_running() -> None:
    cancelled: list[str] = []

    async def fail_soon(context: NodeContext) -> JsonValue | NodeResult:
        await anyio.sleep(0.02)
        return await fails(1, retryable=False)(context)

    rig = Rig({"breaks": fail_soon, "slow": blocks(cancelled=cancelled)})
    definition = workflow(
        step("root"), step("breaks"), step("slow"), edges=[edge("root", "breaks"), edge("root", "slow")]
    )

    run_id, status = await rig.run(definition)

    state = await rig.state(run_id)
    latest = {row.node_id: row for row in state.node_runs}
    assert status is RunStatus.FAILED
    assert state.run.error == "node breaks failed: failure 1"
    assert latest["slow"].status is NodeStatus.FAILED
    assert latest["slow"].error == "cancelled"
    assert cancelled == ["slow"]
    assert rig.events(run_id)[-1].data == {"error": "node breaks failed: failure 1"}


async def test_on_error_edge_follows_the_error_edge_with_the_error_as_input() -> None:
    rig = Rig({"breaks": fails(1, retryable=False)})
    definition = workflow(
        step("breaks", onError="errorEdge"), step("normal"), step("handler"),
        edges=[edge("breaks", "normal"), edge("breaks", "handler", "error")],
    )  # fmt: skip

    run_id, status = await rig.run(definition)

    latest = await rig.latest(run_id)
    assert status is RunStatus.SUCCEEDED
    assert (latest["breaks"].status, latest["breaks"].branch) == (NodeStatus.FAILED, "error")
    assert latest["normal"].status is NodeStatus.SKIPPED
    assert latest["handler"].input == {"error": "failure 1", "nodeId": "breaks"}


async def test_on_error_default_succeeds_with_the_default_output_and_keeps_the_error() -> None:
    rig = Rig({"breaks": fails(1, retryable=False)})
    definition = workflow(step("breaks", onError="default", defaultOutput={"fallback": True}), step("after"))

    run_id, status = await rig.run(definition)

    latest = await rig.latest(run_id)
    assert status is RunStatus.SUCCEEDED
    assert latest["breaks"].status is NodeStatus.SUCCEEDED
    assert latest["breaks"].output == {"fallback": True}
    assert latest["breaks"].error == "failure 1"
    assert latest["after"].input == {"fallback": True}


async def test_a_template_error_at_run_time_names_the_field_and_the_variable() -> None:
    rig = Rig()
    definition = workflow(node("greet", "template", template="Hello {{ input.name }}"))

    run_id, status = await rig.run(definition, inputs={"nom": "Ada"})

    assert status is RunStatus.FAILED
    greet = (await rig.latest(run_id))["greet"]
    assert greet.error == "params.template: 'dict object' has no attribute 'name'"


async def test_a_template_error_is_not_retried() -> None:
    rig = Rig()
    definition = workflow({**node("greet", "template", template="{{ input.name }}"), "retry": RETRY})

    await rig.run(definition, inputs={})

    assert rig.executions["greet"] == 1
