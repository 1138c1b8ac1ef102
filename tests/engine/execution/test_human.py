"""Human nodes: the run waits, resumes on valid input, and takes the `timeout` branch when due."""

import anyio
from pydantic import JsonValue

from engine.execution import Accepted, InvalidInput, NoOpenTask
from engine.nodes.base import NodeContext
from engine.records import EventType, NodeStatus, RunStatus, TaskStatus
from tests.engine.execution.rig import AdvancingClock, JsonObject, Rig, compiled, edge, node, step, workflow

SCHEMA = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}


def approval(**params: JsonValue) -> JsonObject:
    """before → approve (human) → after, and approve -timeout→ late."""
    return workflow(
        step("before"),
        node("approve", "human", prompt="Approve {{ input.item }}?", schema=SCHEMA, **params),
        step("after"),
        step("late"),
        edges=[edge("before", "approve"), edge("approve", "after"), edge("approve", "late", "timeout")],
    )


def approval_beside_held() -> JsonObject:
    """`approval()` with a node `held` beside the human node (both after `before`)."""
    definition = approval()
    definition["nodes"].append(step("held"))
    definition["edges"].append(edge("before", "held"))
    return definition


async def test_a_human_node_pauses_the_run_until_input_is_submitted() -> None:
    rig = Rig()
    graph = compiled(approval())
    run_id = await rig.start(graph, {"item": "the budget"})

    assert await rig.engine.execute(run_id, graph) is RunStatus.WAITING
    waiting = rig.events(run_id, EventType.NODE_WAITING, EventType.RUN_WAITING)
    assert [event.data for event in waiting] == [
        {"iteration": 0, "prompt": "Approve the budget?", "schema": SCHEMA},
        {"nodes": ["approve"]},
    ]

    assert await rig.engine.submit(run_id, "approve", {"ok": True}, graph) == Accepted()
    assert await rig.engine.execute(run_id, graph) is RunStatus.SUCCEEDED

    latest = await rig.latest(run_id)
    assert rig.executions == {"before": 1, "approve": 1, "after": 1}
    assert (latest["approve"].output, latest["approve"].branch) == ({"ok": True}, "submitted")
    assert latest["after"].input == {"ok": True}
    assert latest["late"].status is NodeStatus.SKIPPED


async def test_input_that_breaks_the_schema_is_refused_and_the_run_keeps_waiting() -> None:
    rig = Rig()
    graph = compiled(approval())
    run_id = await rig.start(graph, {"item": "x"})
    await rig.engine.execute(run_id, graph)

    outcome = await rig.engine.submit(run_id, "approve", {"ok": "yes"}, graph)

    assert isinstance(outcome, InvalidInput)
    assert outcome.errors == ["$.ok: 'yes' is not of type 'boolean'"]
    state = await rig.state(run_id)
    assert state.run.status is RunStatus.WAITING
    assert [task.status for task in state.tasks] == [TaskStatus.OPEN]


async def test_a_second_submit_finds_no_open_task() -> None:
    rig = Rig()
    graph = compiled(approval())
    run_id = await rig.start(graph, {"item": "x"})
    await rig.engine.execute(run_id, graph)
    await rig.engine.submit(run_id, "approve", {"ok": True}, graph)

    outcome = await rig.engine.submit(run_id, "approve", {"ok": False}, graph)

    assert isinstance(outcome, NoOpenTask)


async def test_input_for_a_node_that_never_asked_finds_no_open_task() -> None:
    rig = Rig()
    graph = compiled(approval())
    run_id = await rig.start(graph, {"item": "x"})
    await rig.engine.execute(run_id, graph)

    assert isinstance(await rig.engine.submit(run_id, "after", {"ok": True}, graph), NoOpenTask)


async def test_a_task_found_due_takes_the_timeout_branch() -> None:
    clock = AdvancingClock()
    rig = Rig(clock=clock)
    graph = compiled(approval(timeoutSeconds=60))
    run_id = await rig.start(graph, {"item": "x"})
    assert await rig.engine.execute(run_id, graph) is RunStatus.WAITING

    clock.advance(seconds=120)
    assert await rig.engine.execute(run_id, graph) is RunStatus.SUCCEEDED

    state = await rig.state(run_id)
    latest = {row.node_id: row for row in state.node_runs}
    assert (latest["approve"].status, latest["approve"].branch) == (NodeStatus.SUCCEEDED, "timeout")
    assert latest["approve"].output is None
    assert latest["late"].status is NodeStatus.SUCCEEDED
    assert latest["after"].status is NodeStatus.SKIPPED
    assert [task.status for task in state.tasks] == [TaskStatus.DONE]


async def test_a_task_falling_due_while_other_branches_run_takes_the_timeout_branch() -> None:
    async def slow(context: NodeContext) -> JsonValue:
        await anyio.sleep(0.3)
        return "slow"

    rig = Rig({"slow": slow})
    definition = approval(timeoutSeconds=0.05)
    definition["nodes"].append(step("slow"))
    definition["edges"].append(edge("before", "slow"))
    graph = compiled(definition)
    run_id = await rig.start(graph, {"item": "x"})

    assert await rig.engine.execute(run_id, graph) is RunStatus.SUCCEEDED

    assert (await rig.latest(run_id))["approve"].branch == "timeout"
    assert rig.events(run_id, EventType.RUN_WAITING) == []


async def test_input_submitted_while_other_branches_run_is_taken_by_the_live_execution() -> None:
    release = anyio.Event()

    async def held(context: NodeContext) -> JsonValue:
        await release.wait()
        return "held"

    rig = Rig({"held": held})
    graph = compiled(approval_beside_held())
    run_id = await rig.start(graph, {"item": "x"})
    outcome: dict[str, object] = {}

    async def execute() -> None:
        outcome["status"] = await rig.engine.execute(run_id, graph)

    async with anyio.create_task_group() as group:
        group.start_soon(execute)
        await rig.sink.wait_for(lambda event: event.type is EventType.NODE_WAITING)
        outcome["submit"] = await rig.engine.submit(run_id, "approve", {"ok": True}, graph)
        outcome["after_started"] = bool([e for e in rig.events(run_id) if rig.started("after")(e)])
        release.set()

    assert outcome == {"submit": Accepted(), "after_started": True, "status": RunStatus.SUCCEEDED}
    assert rig.events(run_id, EventType.RUN_WAITING, EventType.RUN_RESUMED) == []


async def test_executing_a_waiting_run_again_changes_nothing() -> None:
    rig = Rig()
    graph = compiled(approval())
    run_id = await rig.start(graph, {"item": "x"})
    await rig.engine.execute(run_id, graph)
    before = rig.events(run_id)

    assert await rig.engine.execute(run_id, graph) is RunStatus.WAITING

    assert rig.events(run_id) == before


async def test_input_for_a_run_whose_execution_died_while_other_branches_ran_is_recorded_for_the_next() -> (
    None
):
    release = anyio.Event()
    calls: list[str] = []

    async def held(context: NodeContext) -> JsonValue:
        calls.append("held")
        await release.wait()
        return "held"

    rig = Rig({"held": held})
    graph = compiled(approval_beside_held())
    run_id = await rig.start(graph, {"item": "x"})
    async with anyio.create_task_group() as group:  # the first process dies: nothing more is recorded
        group.start_soon(rig.engine.execute, run_id, graph)
        await rig.sink.wait_for(lambda event: event.type is EventType.NODE_WAITING)
        group.cancel_scope.cancel()
    other = rig.new_engine()

    outcome = await other.submit(run_id, "approve", {"ok": True}, graph)
    recorded = (await rig.state(run_id)).run.status
    release.set()
    status = await other.execute(run_id, graph)

    assert (outcome, recorded, status) == (Accepted(), RunStatus.RUNNING, RunStatus.SUCCEEDED)
    assert calls == ["held", "held"]
    assert (await rig.latest(run_id))["held"].attempts == 2
    assert rig.events(run_id, EventType.RUN_WAITING, EventType.RUN_RESUMED) == []
