"""Loops through a condition: each round re-runs the loop body, up to the condition's bound."""

import anyio
from pydantic import JsonValue

from engine.nodes.base import NodeContext
from engine.records import EventType, NodeStatus, RunStatus
from tests.engine.execution.rig import JsonObject, Rig, compiled, edge, node, step, workflow


def counting_loop(*, until: int, max_iterations: int = 10) -> JsonObject:
    """start → work (n + 1) → check: `again` back to work while n < until, else `done` → finish."""
    cases = [{"branch": "again", "when": f"input.n < {until}"}]
    return workflow(
        step("start"),
        node("work", "template", template='{"n": {{ input.n + 1 }}}'),
        node("check", "condition", cases=cases, default="done", maxIterations=max_iterations),
        step("finish"),
        edges=[
            edge("start", "work"),
            edge("work", "check"),
            edge("check", "work", "again"),
            edge("check", "finish", "done"),
        ],
    )


async def test_a_bounded_loop_goes_round_until_its_condition_exits() -> None:
    rig = Rig()

    run_id, status = await rig.run(counting_loop(until=3), inputs={"n": 0})

    assert status is RunStatus.SUCCEEDED
    work = await rig.rows(run_id, "work")
    assert [(row.iteration, row.input, row.output) for row in work] == [
        (0, {"n": 0}, {"n": 1}),
        (1, {"n": 1}, {"n": 2}),
        (2, {"n": 2}, {"n": 3}),
    ]
    assert [row.branch for row in await rig.rows(run_id, "check")] == ["again", "again", "done"]
    finish = await rig.rows(run_id, "finish")
    assert [(row.iteration, row.status, row.input) for row in finish] == [(0, NodeStatus.SUCCEEDED, {"n": 3})]
    assert (await rig.state(run_id)).run.output == {"finish": {"n": 3}}


async def test_a_loop_never_skips_what_follows_it_while_it_goes_round() -> None:
    rig = Rig()

    run_id, _ = await rig.run(counting_loop(until=3), inputs={"n": 0})

    assert rig.events(run_id, EventType.NODE_SKIPPED) == []


async def test_a_loop_going_round_more_often_than_its_bound_fails_the_run() -> None:
    rig = Rig()

    run_id, status = await rig.run(counting_loop(until=5, max_iterations=2), inputs={"n": 0})

    run = (await rig.state(run_id)).run
    assert status is RunStatus.FAILED
    assert run.error == "node work would run more than 2 times (maxIterations of the loop through check)"
    assert len(await rig.rows(run_id, "work")) == 2
    assert rig.events(run_id)[-1].type is EventType.RUN_FAILED


async def test_a_join_inside_a_loop_waits_for_this_rounds_parents() -> None:
    async def slow_second_round(context: NodeContext) -> JsonValue:
        if context.iteration == 1:
            await anyio.sleep(0.05)
        return context.input

    rig = Rig({"slow": slow_second_round})
    cases = [{"branch": "again", "when": "input.n < 3"}]
    definition = workflow(
        step("start"),
        node("work", "template", template='{"n": {{ input.n + 1 }}}'),
        step("fast"),
        step("slow"),
        node("join", "template", template="{{ input.slow | tojson }}"),
        node("check", "condition", cases=cases, default="done"),
        step("finish"),
        edges=[
            edge("start", "work"),
            edge("work", "fast"),
            edge("work", "slow"),
            edge("fast", "join"),
            edge("slow", "join"),
            edge("join", "check"),
            edge("check", "work", "again"),
            edge("check", "finish", "done"),
        ],
    )

    run_id, status = await rig.run(definition, inputs={"n": 0})

    joins = await rig.rows(run_id, "join")
    assert status is RunStatus.SUCCEEDED
    assert [row.input for row in joins] == [
        {"fast": {"n": 1}, "slow": {"n": 1}},
        {"fast": {"n": 2}, "slow": {"n": 2}},
        {"fast": {"n": 3}, "slow": {"n": 3}},
    ]


async def test_retrying_a_run_that_failed_on_its_loop_bound_fails_on_it_again() -> None:
    rig = Rig()
    graph = compiled(counting_loop(until=5, max_iterations=2))
    run_id = await rig.start(graph, {"n": 0})
    assert await rig.engine.execute(run_id, graph) is RunStatus.FAILED

    assert await rig.engine.retry(run_id)
    assert await rig.engine.execute(run_id, graph) is RunStatus.FAILED

    assert rig.executions["work"] == 2
    assert rig.events(run_id, EventType.NODE_SKIPPED) == []
