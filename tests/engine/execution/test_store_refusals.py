"""When the store refuses what a step holds, the run fails with the reason; it is never left running."""

from engine.records import EventType, NodeStatus, RunStatus, UnstorableTransitionError
from tests.engine.execution.rig import CrashingStore, Rig, compiled, step, workflow


async def test_a_refused_step_fails_the_run_with_the_reason_and_closes_its_nodes() -> None:
    refusal = UnstorableTransitionError("invalid byte sequence for encoding UTF8: 0x00")
    rig = Rig(
        store=CrashingStore(crash_on=3, error=refusal)
    )  # 1: run + a start, 2: a done + b start, 3: b done

    run_id, status = await rig.run(workflow(step("a"), step("b"), step("c")))

    state = await rig.state(run_id)
    latest = await rig.latest(run_id)
    assert status is RunStatus.FAILED
    assert state.run.status is RunStatus.FAILED
    assert state.run.error == (
        "a step of the run could not be recorded: invalid byte sequence for encoding UTF8: 0x00"
    )
    assert latest["a"].status is NodeStatus.SUCCEEDED
    assert (latest["b"].status, latest["b"].error) == (NodeStatus.FAILED, "cancelled")
    assert "c" not in latest
    assert [event.type for event in rig.events(run_id)][-2:] == [EventType.NODE_FAILED, EventType.RUN_FAILED]
    assert [event.seq for event in rig.events(run_id)] == list(range(1, len(rig.events(run_id)) + 1))


async def test_a_run_that_cannot_go_on_is_failed_with_the_reason() -> None:
    rig = Rig()
    graph = compiled(workflow(step("a")))
    run_id = await rig.start(graph)

    assert await rig.engine.fail(run_id, "its workflow version no longer validates")

    state = await rig.state(run_id)
    assert (state.run.status, state.run.error) == (
        RunStatus.FAILED,
        "its workflow version no longer validates",
    )
    assert [event.data for event in rig.events(run_id, EventType.RUN_FAILED)] == [
        {"error": "its workflow version no longer validates"}
    ]


async def test_failing_a_finished_run_changes_nothing() -> None:
    rig = Rig()
    run_id, _ = await rig.run(workflow(step("a")))

    assert not await rig.engine.fail(run_id, "too late")

    assert (await rig.state(run_id)).run.status is RunStatus.SUCCEEDED
