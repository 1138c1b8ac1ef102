"""Continuing runs from their records: after a crash, a retry, a re-run from a node; one owner at a time."""

import anyio
import pytest
from pydantic import JsonValue

from engine.nodes.base import NodeContext
from engine.records import EventType, NodeRun, NodeStatus, RunStatus, Transition
from engine.testing import pending_run
from tests.engine.execution.rig import CrashingStore, Rig, compiled, fails, step, workflow


async def test_after_a_crash_only_the_interrupted_node_runs_again_with_its_attempt_counted() -> None:
    store = CrashingStore(crash_on=3)  # 1: run + a start, 2: a done + b start, 3: b done + c start
    rig = Rig(store=store)
    graph = compiled(workflow(step("a"), step("b"), step("c")))
    run_id = await rig.start(graph, "in")
    with pytest.raises(ConnectionError):
        await rig.engine.execute(run_id, graph)
    interrupted = await rig.latest(run_id)
    assert (interrupted["a"].status, interrupted["b"].status) == (NodeStatus.SUCCEEDED, NodeStatus.RUNNING)

    store.crash_on = 0
    status = await rig.new_engine().execute(run_id, graph)

    latest = await rig.latest(run_id)
    assert status is RunStatus.SUCCEEDED
    assert rig.executions == {"a": 1, "b": 2, "c": 1}
    assert (latest["a"].attempts, latest["b"].attempts, latest["c"].attempts) == (1, 2, 1)
    assert [event.seq for event in rig.events(run_id)] == list(range(1, len(rig.events(run_id)) + 1))


async def test_retry_reruns_only_the_failed_node() -> None:
    rig = Rig({"flaky": fails(1, retryable=False)})
    graph = compiled(workflow(step("a"), step("flaky"), step("c")))
    run_id = await rig.start(graph)
    assert await rig.engine.execute(run_id, graph) is RunStatus.FAILED

    assert await rig.engine.retry(run_id)
    assert await rig.engine.execute(run_id, graph) is RunStatus.SUCCEEDED

    latest = await rig.latest(run_id)
    assert rig.executions == {"a": 1, "flaky": 2, "c": 1}
    assert latest["flaky"].attempts == 2
    assert (await rig.state(run_id)).run.error is None
    assert len(rig.events(run_id, EventType.RUN_RESUMED)) == 1


async def test_only_a_failed_run_can_be_retried() -> None:
    rig = Rig()
    run_id, _ = await rig.run(workflow(step("a")))

    assert not await rig.engine.retry(run_id)


async def test_a_pending_node_run_with_an_input_reruns_the_workflow_from_that_node() -> None:
    rig = Rig()
    graph = compiled(workflow(step("a"), step("b"), step("c")))
    first, _ = await rig.run(workflow(step("a"), step("b"), step("c")), "original")
    copied = (await rig.latest(first))["a"]
    rerun = pending_run("original")
    await rig.store.create(rerun)
    prepared = (
        copied._replace(run_id=rerun.id),
        NodeRun(rerun.id, "b", 0, NodeStatus.PENDING, input="changed"),
    )
    await rig.store.commit(Transition(rerun, 0, prepared))

    assert await rig.engine.execute(rerun.id, graph) is RunStatus.SUCCEEDED

    latest = await rig.latest(rerun.id)
    assert rig.executions == {"a": 1, "b": 2, "c": 2}
    assert (latest["b"].input, latest["c"].output) == ("changed", "changed")


async def test_executing_a_run_that_is_already_executing_waits_for_that_execution() -> None:
    release = anyio.Event()

    async def held(context: NodeContext) -> JsonValue:
        await release.wait()
        return "done"

    rig = Rig({"held": held})
    graph = compiled(workflow(step("held")))
    run_id = await rig.start(graph)
    statuses: list[RunStatus] = []

    async def execute() -> None:
        statuses.append(await rig.engine.execute(run_id, graph))

    async with anyio.create_task_group() as group:
        group.start_soon(execute)
        await rig.sink.wait_for(rig.started("held"))
        group.start_soon(execute)
        await anyio.sleep(0.01)
        release.set()

    assert statuses == [RunStatus.SUCCEEDED, RunStatus.SUCCEEDED]
    assert rig.executions == {"held": 1}


async def test_an_execution_overtaken_by_another_owner_stops_quietly() -> None:
    release = anyio.Event()

    async def held(context: NodeContext) -> JsonValue:
        await release.wait()
        return "done"

    rig = Rig({"held": held})
    other_process = rig.new_engine()
    graph = compiled(workflow(step("held"), step("next")))
    run_id = await rig.start(graph)
    statuses: list[RunStatus] = []

    async def execute() -> None:
        statuses.append(await rig.engine.execute(run_id, graph))

    async with anyio.create_task_group() as group:
        group.start_soon(execute)
        await rig.sink.wait_for(rig.started("held"))
        assert await other_process.cancel(run_id)  # not live there: recorded directly
        release.set()

    assert statuses == [RunStatus.CANCELLED]
    assert "next" not in rig.executions
    assert (await rig.latest(run_id))["held"].error == "cancelled"


async def test_executing_an_unknown_run_raises_key_error() -> None:
    rig = Rig()

    with pytest.raises(KeyError):
        await rig.engine.execute(pending_run().id, compiled(workflow(step("a"))))
