"""Cancelling runs: live ones stop at once, waiting ones are closed, finished ones stay as they are."""

import time

import anyio

from engine.records import EventType, NodeStatus, RunStatus, TaskStatus, Transition
from engine.testing import InMemoryRunStore
from tests.engine.execution.rig import Rig, blocks, compiled, node, step, workflow


async def test_cancel_stops_an_in_flight_node_within_a_second() -> None:
    cancelled: list[str] = []
    rig = Rig({"slow": blocks(cancelled=cancelled)})
    graph = compiled(workflow(step("first"), step("slow")))
    run_id = await rig.start(graph)
    outcome: dict[str, RunStatus] = {}

    async def execute() -> None:
        outcome["status"] = await rig.engine.execute(run_id, graph)

    async with anyio.create_task_group() as group:
        group.start_soon(execute)
        await rig.sink.wait_for(rig.started("slow"))
        started = time.perf_counter()
        assert await rig.engine.cancel(run_id)
        elapsed = time.perf_counter() - started

    state = await rig.state(run_id)
    slow = next(row for row in state.node_runs if row.node_id == "slow")
    assert elapsed < 1
    assert cancelled == ["slow"]
    assert outcome["status"] is RunStatus.CANCELLED
    assert state.run.status is RunStatus.CANCELLED
    assert (slow.status, slow.error) == (NodeStatus.FAILED, "cancelled")
    assert rig.events(run_id)[-1].type is EventType.RUN_CANCELLED


async def test_cancelling_a_waiting_run_closes_its_open_tasks() -> None:
    rig = Rig()
    run_id, status = await rig.run(workflow(node("approve", "human", prompt="OK?")))
    assert status is RunStatus.WAITING

    assert await rig.engine.cancel(run_id)

    state = await rig.state(run_id)
    assert state.run.status is RunStatus.CANCELLED
    assert [task.status for task in state.tasks] == [TaskStatus.DONE]
    assert state.node_runs[0].status is NodeStatus.FAILED


async def test_cancelling_a_pending_run_records_it_cancelled() -> None:
    rig = Rig()
    graph = compiled(workflow(step("only")))
    run_id = await rig.start(graph)

    assert await rig.engine.cancel(run_id)

    assert await rig.engine.execute(run_id, graph) is RunStatus.CANCELLED
    assert rig.executions == {}


async def test_cancelling_a_finished_run_changes_nothing() -> None:
    rig = Rig()
    run_id, _ = await rig.run(workflow(step("only")))

    assert not await rig.engine.cancel(run_id)

    assert (await rig.state(run_id)).run.status is RunStatus.SUCCEEDED


class _SlowCommitStore(InMemoryRunStore):
    """Takes its time over the second commit, and says when it is in the middle of it."""

    def __init__(self) -> None:
        super().__init__()
        self.commits = 0
        self.inside = anyio.Event()

    async def commit(self, transition: Transition) -> None:
        self.commits += 1
        if self.commits == 2:
            self.inside.set()
            await anyio.sleep(0.05)
        await super().commit(transition)


async def test_cancelling_during_a_commit_lets_the_commit_finish_and_publish_first() -> None:
    store = _SlowCommitStore()
    rig = Rig({"slow": blocks()}, store=store)
    graph = compiled(workflow(step("first"), step("slow")))
    run_id = await rig.start(graph)

    async with anyio.create_task_group() as group:
        group.start_soon(rig.engine.execute, run_id, graph)
        await store.inside.wait()
        assert await rig.engine.cancel(run_id)

    persisted = rig.events(run_id)
    assert [event.seq for event in persisted] == list(range(1, len(persisted) + 1))
    assert rig.sink.of(run_id) == persisted
    assert (EventType.NODE_SUCCEEDED, "first") in [(event.type, event.node_id) for event in persisted]
    assert persisted[-1].type is EventType.RUN_CANCELLED
