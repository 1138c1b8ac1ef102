"""Values a run cannot store never reach the store: the node that produces one fails, with the reason."""

from pydantic import JsonValue

from engine.limits import RunLimits
from engine.nodes.base import HumanWait, NodeContext, NodeError, NodeResult
from engine.records import EventType, NodeStatus, RunStatus
from tests.engine.execution.rig import Behaviour, Rig, compiled, edge, step, workflow

RETRY = {"maxAttempts": 3, "backoffSeconds": 0.01}


def outputs(value: JsonValue) -> Behaviour:
    """A step whose output is `value`."""

    async def behaviour(context: NodeContext) -> JsonValue:
        return value

    return behaviour


async def test_an_output_with_a_nul_character_fails_its_node_and_the_run() -> None:
    rig = Rig({"bad": outputs({"a": "x\x00y"})})

    run_id, status = await rig.run(workflow(step("bad"), step("after")))

    latest = await rig.latest(run_id)
    assert status is RunStatus.FAILED
    assert latest["bad"].status is NodeStatus.FAILED
    assert latest["bad"].output is None
    assert latest["bad"].error == "the output at a contains a NUL character (U+0000), which cannot be stored"
    assert "after" not in latest
    assert (await rig.state(run_id)).run.error == f"node bad failed: {latest['bad'].error}"


async def test_an_output_with_a_lone_surrogate_fails_its_node() -> None:
    rig = Rig({"bad": outputs(["fine", "x\ud800"])})

    run_id, _ = await rig.run(workflow(step("bad")))

    error = (await rig.latest(run_id))["bad"].error
    assert error == "the output at [1] contains a lone surrogate (U+D800), which is not valid Unicode text"


async def test_a_key_with_a_nul_character_fails_its_node() -> None:
    rig = Rig({"bad": outputs({"outer": {"k\x00": 1}})})

    run_id, _ = await rig.run(workflow(step("bad")))

    error = (await rig.latest(run_id))["bad"].error
    assert error == (
        "the output at outer has a key that contains a NUL character (U+0000), which cannot be stored"
    )


async def test_a_non_finite_number_fails_its_node() -> None:
    rig = Rig({"bad": outputs({"score": float("inf")})})

    run_id, _ = await rig.run(workflow(step("bad")))

    error = (await rig.latest(run_id))["bad"].error
    assert error == "the output at score is inf, which JSON cannot represent"


async def test_an_output_over_the_size_limit_fails_its_node() -> None:
    rig = Rig({"big": outputs("x" * 2000)}, limits=RunLimits(max_output_bytes=1000))

    run_id, _ = await rig.run(workflow(step("big")))

    assert (await rig.latest(run_id))["big"].error == "the output is 2,002 bytes as JSON; the limit is 1,000"


async def test_an_output_nested_past_the_depth_limit_fails_its_node() -> None:
    deep: JsonValue = "leaf"
    for _ in range(5):
        deep = [deep]
    rig = Rig({"deep": outputs(deep), "fine": outputs([[["leaf"]]])}, limits=RunLimits(max_json_depth=4))

    run_id, _ = await rig.run(workflow(step("fine"), step("deep")))

    latest = await rig.latest(run_id)
    assert latest["fine"].status is NodeStatus.SUCCEEDED
    assert latest["deep"].error == "the output at [0][0][0][0] is nested more than 4 levels deep"


async def test_an_unstorable_output_is_not_retried() -> None:
    rig = Rig({"bad": outputs("\x00")})

    run_id, _ = await rig.run(workflow(step("bad", retry=RETRY)))

    assert rig.executions["bad"] == 1
    assert rig.events(run_id, EventType.NODE_RETRYING) == []


async def test_an_unstorable_output_takes_the_default_output_when_the_node_has_one() -> None:
    rig = Rig({"bad": outputs("\x00")})

    run_id, status = await rig.run(workflow(step("bad", onError="default", defaultOutput="fallback")))

    bad = (await rig.latest(run_id))["bad"]
    assert status is RunStatus.SUCCEEDED
    assert bad.output == "fallback"
    assert bad.error == "the output contains a NUL character (U+0000), which cannot be stored"


async def test_a_human_prompt_with_a_nul_character_fails_its_node() -> None:
    async def asks(context: NodeContext) -> NodeResult:
        return NodeResult(wait=HumanWait(prompt="approve\x00?", schema={"type": "boolean"}))

    rig = Rig({"ask": asks})

    run_id, status = await rig.run(workflow(step("ask")))

    state = await rig.state(run_id)
    assert status is RunStatus.FAILED
    assert state.tasks == ()
    assert state.node_runs[0].error == "the prompt contains a NUL character (U+0000), which cannot be stored"


async def test_an_error_message_is_stored_with_unstorable_characters_replaced_and_bounded() -> None:
    async def shouts(context: NodeContext) -> JsonValue:
        raise NodeError("bad\x00byte\ud800" + "!" * 10_000, retryable=False)

    rig = Rig({"loud": shouts})

    run_id, _ = await rig.run(workflow(step("loud")))

    error = (await rig.latest(run_id))["loud"].error
    assert error is not None
    assert error.startswith("bad\ufffdbyte\ufffd!!!")
    assert len(error) == 4000
    assert error.endswith("…")


async def test_a_run_output_over_the_size_limit_fails_the_run() -> None:
    rig = Rig({"a": outputs("x" * 600), "b": outputs("y" * 600)}, limits=RunLimits(max_output_bytes=1000))

    run_id, status = await rig.run(workflow(step("a"), step("b"), edges=[]))

    state = await rig.state(run_id)
    assert status is RunStatus.FAILED
    assert state.run.output is None
    assert state.run.error == "the run output is 1,215 bytes as JSON; the limit is 1,000"
    assert all(row.status is NodeStatus.SUCCEEDED for row in state.node_runs)


async def test_a_join_whose_inputs_together_pass_the_limit_fails_without_running() -> None:
    rig = Rig({"a": outputs("x" * 600), "b": outputs("y" * 600)}, limits=RunLimits(max_output_bytes=1000))
    definition = workflow(
        step("a"),
        step("b"),
        step("join", onError="errorEdge"),
        step("handler"),
        edges=[edge("a", "join"), edge("b", "join"), edge("join", "handler", "error")],
    )

    run_id, status = await rig.run(definition)

    latest = await rig.latest(run_id)
    assert status is RunStatus.SUCCEEDED
    assert rig.executions["join"] == 0
    assert latest["join"].status is NodeStatus.FAILED
    assert latest["join"].input is None
    assert latest["join"].error == "the input is 1,215 bytes as JSON; the limit is 1,000"
    assert latest["handler"].output == {"error": latest["join"].error, "nodeId": "join"}


async def test_a_node_whose_output_would_pass_the_runs_total_fails() -> None:
    rig = Rig(
        {"a": outputs("x" * 398), "b": outputs("y" * 398), "c": outputs("z" * 398)},
        limits=RunLimits(max_run_output_bytes=1000),
    )

    run_id, status = await rig.run(workflow(step("a"), step("b"), step("c")))

    latest = await rig.latest(run_id)
    assert status is RunStatus.FAILED
    assert (latest["a"].status, latest["b"].status) == (NodeStatus.SUCCEEDED, NodeStatus.SUCCEEDED)
    assert latest["c"].output is None
    assert (
        latest["c"].error == "the run's node outputs would add up to 1,200 bytes as JSON; the limit is 1,000"
    )


async def test_the_runs_total_counts_what_was_recorded_before_a_resume() -> None:
    rig = Rig(
        {"a": outputs("x" * 398), "b": outputs("y" * 398), "c": outputs("z" * 398)},
        limits=RunLimits(max_run_output_bytes=1000),
    )
    definition = workflow(
        step("a"),
        step("b"),
        {"id": "ask", "type": "human", "params": {"prompt": "go?", "schema": {}}},
        step("c"),
    )
    run_id, status = await rig.run(definition)
    assert status is RunStatus.WAITING

    graph = compiled(definition)
    await rig.engine.submit(run_id, "ask", None, graph)
    assert await rig.new_engine().execute(run_id, graph) is RunStatus.FAILED

    assert (await rig.latest(run_id))["c"].error == (
        "the run's node outputs would add up to 1,204 bytes as JSON; the limit is 1,000"
    )
