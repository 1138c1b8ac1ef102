"""Run events and transitions: gap-free, in order, each with the change it describes, few commits."""

from pydantic import JsonValue

from engine.nodes.base import NodeContext, NodeResult
from engine.records import EventType, RunStatus, Transition, Usage
from engine.testing import InMemoryRunStore
from tests.engine.execution.rig import Rig, edge, node, step, workflow


class CountingStore(InMemoryRunStore):
    """Counts commits."""

    def __init__(self) -> None:
        super().__init__()
        self.transitions: list[Transition] = []

    async def commit(self, transition: Transition) -> None:
        self.transitions.append(transition)
        await super().commit(transition)


async def test_events_are_numbered_without_gaps_and_published_in_order_once_committed() -> None:
    rig = Rig()
    cases = [{"branch": "left", "when": "true"}]
    definition = workflow(
        node("check", "condition", cases=cases),
        step("left"), step("right"), step("join"),
        edges=[edge("check", "left", "left"), edge("check", "right", "default"),
               edge("left", "join"), edge("right", "join")],
    )  # fmt: skip

    run_id, _ = await rig.run(definition)

    persisted = rig.events(run_id)
    assert [event.seq for event in persisted] == list(range(1, len(persisted) + 1))
    assert rig.sink.of(run_id) == persisted
    assert [(event.type, event.node_id) for event in persisted] == [
        (EventType.RUN_STARTED, None),
        (EventType.NODE_STARTED, "check"),
        (EventType.NODE_SUCCEEDED, "check"),
        (EventType.NODE_STARTED, "left"),
        (EventType.NODE_SKIPPED, "right"),
        (EventType.NODE_SUCCEEDED, "left"),
        (EventType.NODE_STARTED, "join"),
        (EventType.NODE_SUCCEEDED, "join"),
        (EventType.RUN_SUCCEEDED, None),
    ]
    assert (await rig.state(run_id)).run.last_seq == len(persisted)


async def test_a_chain_of_ten_takes_eleven_commits() -> None:
    store = CountingStore()
    rig = Rig(store=store)

    await rig.run(workflow(*(step(f"n{index}") for index in range(10))))

    assert len(store.transitions) == 11
    assert store.transitions[0].events[0].type is EventType.RUN_STARTED
    assert [event.type for event in store.transitions[-1].events] == [
        EventType.NODE_SUCCEEDED,
        EventType.RUN_SUCCEEDED,
    ]


async def test_each_node_start_is_committed_before_its_executor_runs() -> None:
    store = CountingStore()
    seen: list[bool] = []

    async def look(context: NodeContext) -> JsonValue:
        recorded = await store.load(context.run_id)
        assert recorded is not None
        seen.extend(row.node_id == context.node_id for row in recorded.node_runs if row.status == "RUNNING")
        return None

    rig = Rig({"a": look, "b": look}, store=store)

    await rig.run(workflow(step("a"), step("b")))

    assert seen == [True, True]


async def test_node_usage_is_summed_into_the_run() -> None:
    async def spend(context: NodeContext) -> NodeResult:
        return NodeResult(output="x", usage=Usage(input_tokens=10, output_tokens=5, requests=1))

    rig = Rig({"a": spend, "b": spend})

    run_id, _ = await rig.run(workflow(step("a"), step("b")))

    run = (await rig.state(run_id)).run
    assert run.usage == Usage(input_tokens=20, output_tokens=10, requests=2)
    assert rig.events(run_id)[-1].data == {
        "output": {"b": "x"},
        "usage": {"inputTokens": 20, "outputTokens": 10, "requests": 2},
    }


async def test_token_deltas_are_published_but_not_persisted() -> None:
    async def stream(context: NodeContext) -> JsonValue:
        context.emit_delta("Hel")
        context.emit_delta("lo")
        return "Hello"

    rig = Rig({"talk": stream})

    run_id, status = await rig.run(workflow(step("talk")))

    deltas = [event for event in rig.sink.of(run_id, ephemeral=True) if event.ephemeral]
    assert status is RunStatus.SUCCEEDED
    assert [(event.seq, event.data) for event in deltas] == [
        (2, {"iteration": 0, "text": "Hel"}),
        (2, {"iteration": 0, "text": "lo"}),
    ]
    assert all(not event.ephemeral for event in rig.events(run_id))
