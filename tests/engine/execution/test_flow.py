"""How a run flows through its graph: order, concurrency, joins, branches and skips, output."""

import anyio
from pydantic import JsonValue

from engine.nodes.base import NodeContext
from engine.records import EventType, NodeStatus, RunStatus
from tests.engine.execution.rig import Behaviour, JsonObject, Rig, edge, node, step, workflow


async def test_a_chain_runs_each_node_once_in_order_and_outputs_its_leaf() -> None:
    rig = Rig()

    run_id, status = await rig.run(workflow(step("a"), step("b"), step("c")), inputs={"x": 1})

    assert status is RunStatus.SUCCEEDED
    assert [event.node_id for event in rig.events(run_id, EventType.NODE_STARTED)] == ["a", "b", "c"]
    assert rig.executions == {"a": 1, "b": 1, "c": 1}
    assert (await rig.state(run_id)).run.output == {"c": {"x": 1}}


async def test_independent_branches_run_concurrently() -> None:
    # Each branch waits for the other to have started: run one after the other, they would time out.
    started = {"left": anyio.Event(), "right": anyio.Event()}

    def meets(other: str) -> Behaviour:
        async def behaviour(context: NodeContext) -> JsonValue:
            started[context.node_id].set()
            with anyio.fail_after(2):
                await started[other].wait()
            return context.node_id

        return behaviour

    rig = Rig({"left": meets("right"), "right": meets("left")})
    definition = workflow(
        step("root"), step("left"), step("right"), edges=[edge("root", "left"), edge("root", "right")]
    )

    run_id, status = await rig.run(definition)

    assert status is RunStatus.SUCCEEDED
    assert (await rig.state(run_id)).run.output == {"left": "left", "right": "right"}


async def test_a_join_waits_for_all_its_parents_and_gets_their_outputs_by_id() -> None:
    async def slow(context: NodeContext) -> JsonValue:
        await anyio.sleep(0.05)
        return "slow"

    async def fast(context: NodeContext) -> JsonValue:
        return "fast"

    rig = Rig({"slow": slow, "fast": fast})
    definition = workflow(
        step("root"), step("slow"), step("fast"), step("join"),
        edges=[edge("root", "slow"), edge("root", "fast"), edge("slow", "join"), edge("fast", "join")],
    )  # fmt: skip

    run_id, _ = await rig.run(definition)

    latest = await rig.latest(run_id)
    assert latest["join"].input == {"slow": "slow", "fast": "fast"}
    assert rig.executions["join"] == 1


def _branching() -> JsonObject:
    cases = [{"branch": "yes", "when": "input.go"}]
    return workflow(
        node("check", "condition", cases=cases, default="no"),
        step("taken"),
        step("untaken"),
        step("only_fed_by_untaken"),
        step("join"),
        edges=[
            edge("check", "taken", "yes"),
            edge("check", "untaken", "no"),
            edge("untaken", "only_fed_by_untaken"),
            edge("taken", "join"),
            edge("only_fed_by_untaken", "join"),
        ],
    )


async def test_an_untaken_branch_is_skipped_with_everything_only_it_feeds() -> None:
    rig = Rig()

    run_id, status = await rig.run(_branching(), inputs={"go": True})

    latest = await rig.latest(run_id)
    assert status is RunStatus.SUCCEEDED
    assert latest["check"].branch == "yes"
    assert latest["untaken"].status is NodeStatus.SKIPPED
    assert latest["only_fed_by_untaken"].status is NodeStatus.SKIPPED
    assert {event.node_id for event in rig.events(run_id, EventType.NODE_SKIPPED)} == {
        "untaken",
        "only_fed_by_untaken",
    }
    assert "untaken" not in rig.executions


async def test_a_join_after_a_skipped_branch_runs_with_the_taken_one_alone() -> None:
    rig = Rig()

    run_id, _ = await rig.run(_branching(), inputs={"go": True})

    join = (await rig.latest(run_id))["join"]
    assert join.status is NodeStatus.SUCCEEDED
    assert join.input == {"go": True}  # the condition passes its input on; one active edge: no mapping


async def test_an_output_node_shapes_the_run_output() -> None:
    rig = Rig()
    definition = workflow(
        node("n1", "template", template='{"score": {{ inputs.score }}}'),
        node(
            "out", "output", value={"score": "{{ nodes.n1.output.score }}", "text": "got {{ input.score }}"}
        ),
    )

    run_id, _ = await rig.run(definition, inputs={"score": 0.5})

    assert (await rig.state(run_id)).run.output == {"score": 0.5, "text": "got 0.5"}


async def test_several_output_nodes_make_a_mapping_of_their_outputs() -> None:
    rig = Rig()
    definition = workflow(
        step("root"),
        node("first", "output", value="{{ input }}"),
        node("second", "output", value="two"),
        edges=[edge("root", "first"), edge("root", "second")],
    )

    run_id, _ = await rig.run(definition, inputs=[1])

    assert (await rig.state(run_id)).run.output == {"first": [1], "second": "two"}
