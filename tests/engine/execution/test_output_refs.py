"""Large inputs and outputs are stored once, in the node run (and run); events carry references."""

from pydantic import JsonValue

from engine.limits import RunLimits
from engine.nodes.base import NodeContext
from engine.records import EventType, RunStatus
from tests.engine.execution.rig import Behaviour, Rig, step, workflow

LIMITS = RunLimits(max_event_output_bytes=100)


async def test_an_output_past_the_limit_is_referenced_from_its_events_and_kept_whole_in_the_node_run() -> (
    None
):
    big = "x" * 200
    rig = Rig(limits=LIMITS, behaviours={"make": _returning(big)})

    run_id, status = await rig.run(workflow(step("make"), step("pass")))

    assert status is RunStatus.SUCCEEDED
    made, passed = rig.events(run_id, EventType.NODE_SUCCEEDED)
    assert made.data == {"iteration": 0, "outputRef": {"nodeId": "make", "iteration": 0, "bytes": 202}}
    assert passed.data == {"iteration": 0, "outputRef": {"nodeId": "pass", "iteration": 0, "bytes": 202}}
    started = rig.events(run_id, EventType.NODE_STARTED)[1]
    assert started.data == {
        "iteration": 0,
        "attempt": 1,
        "inputRef": {"nodeId": "pass", "iteration": 0, "bytes": 202},
    }
    [done] = rig.events(run_id, EventType.RUN_SUCCEEDED)
    assert isinstance(done.data, dict)
    assert done.data["outputRef"] == {"bytes": 211}
    assert "output" not in done.data
    latest = await rig.latest(run_id)
    assert (latest["make"].output, latest["pass"].input, latest["pass"].output) == (big, big, big)
    assert (await rig.state(run_id)).run.output == {"pass": big}


async def test_outputs_up_to_the_limit_and_every_output_with_a_limit_of_0_are_copied() -> None:
    for limits, size in ((LIMITS, 98), (RunLimits(max_event_output_bytes=0), 5_000)):
        value = "y" * size
        rig = Rig(limits=limits, behaviours={"make": _returning(value)})

        run_id, _ = await rig.run(workflow(step("make")))

        [made] = rig.events(run_id, EventType.NODE_SUCCEEDED)
        assert made.data == {"iteration": 0, "output": value}


def _returning(value: str) -> Behaviour:
    async def behaviour(_: NodeContext) -> JsonValue:
        return value

    return behaviour
