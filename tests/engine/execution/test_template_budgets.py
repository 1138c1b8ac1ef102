"""Templates that would compute or build too much fail their node, and never block the event loop."""

import time

import anyio
import pytest

from engine.limits import RunLimits
from engine.records import NodeStatus, RunStatus
from tests.engine.execution.rig import Rig, node, workflow

LIMITS = RunLimits(max_template_output_bytes=100_000, template_cpu_seconds=0.3)
RETRY = {"maxAttempts": 3, "backoffSeconds": 0.01}
LOOP_BOMB = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
DOUBLING = "{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}"


@pytest.mark.parametrize(
    ("template", "error"),
    [
        (LOOP_BOMB, "params.template: the template used more than 0.3 s of CPU time"),
        (
            "{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}",
            "params.template: the template recurses too deeply",
        ),
        (
            "{{ 'a' * 10**8 }}",
            "params.template: 'a' * 100000000 would be 100000000 characters long; the limit is 100000",
        ),
        ("{{ 9 ** 16000000 }}", "params.template: the power 9 ** 16000000 is too large"),
        ("{{ (9 ** inputs.n) % 7 }}", "params.template: the power 9 ** 8000000 is too large"),
        (DOUBLING, "params.template: the concatenation would be 131072 characters long; the limit is 100000"),
        (
            "{% for i in range(100000) %}{{ i }}{% endfor %}",
            "params.template: the template renders more than 100000 bytes",
        ),
    ],
    ids=["loop bomb", "macro recursion", "repetition", "power", "power of an input", "doubling", "output"],
)
async def test_a_pathological_template_fails_its_node_with_a_clear_message(template: str, error: str) -> None:
    rig = Rig(limits=LIMITS)

    run_id, status = await rig.run(
        workflow(node("t", "template", template=template)), inputs={"n": 8_000_000}
    )

    t = (await rig.latest(run_id))["t"]
    assert status is RunStatus.FAILED
    assert t.status is NodeStatus.FAILED
    assert t.error is not None
    assert t.error.startswith(error)


async def test_a_template_over_its_budget_is_not_retried() -> None:
    rig = Rig(limits=LIMITS)

    run_id, _ = await rig.run(
        workflow({**node("t", "template", template="{{ 'a' * 10**8 }}"), "retry": RETRY})
    )

    t = (await rig.latest(run_id))["t"]
    assert t.status is NodeStatus.FAILED
    assert t.attempts == 1


async def test_a_refusal_in_a_mapping_of_templates_names_its_field() -> None:
    rig = Rig(limits=LIMITS)
    value = {"fine": "{{ inputs.n }}", "huge": "{{ 'x' * 10**9 }}"}

    run_id, _ = await rig.run(workflow(node("out", "output", value=value)), inputs={"n": 1})

    assert (await rig.latest(run_id))["out"].error == (
        "params.value.huge: 'x' * 1000000000 would be 1000000000 characters long; the limit is 100000"
    )


async def test_a_condition_that_computes_too_much_fails_its_node() -> None:
    rig = Rig(limits=LIMITS)
    cases = [{"branch": "big", "when": "9 ** 16000000 > 0"}]

    run_id, _ = await rig.run(workflow(node("route", "condition", cases=cases, default="small")))

    assert (await rig.latest(run_id))["route"].error == (
        "params.cases[0].when: the power 9 ** 16000000 is too large"
        " (a template's integers have at most 16384 bits)"
    )


async def test_a_costly_template_does_not_block_the_event_loop() -> None:
    rig = Rig(limits=RunLimits(template_cpu_seconds=0.5))
    gaps: list[float] = []

    async def tick(done: anyio.Event) -> None:
        last = time.perf_counter()
        while not done.is_set():
            await anyio.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    done = anyio.Event()
    async with anyio.create_task_group() as group:
        group.start_soon(tick, done)
        run_id, status = await rig.run(workflow(node("t", "template", template=LOOP_BOMB)))
        done.set()

    assert status is RunStatus.FAILED
    assert "CPU time" in str((await rig.latest(run_id))["t"].error)
    assert sum(gaps) > 0.4  # the ticker ran all along the rendering...
    assert max(gaps) < 0.25  # ...and was never held up for long (the whole rendering takes 0.5 s)


async def test_a_node_time_limit_stops_a_template_rendering_in_a_thread() -> None:
    rig = Rig(limits=RunLimits(template_cpu_seconds=30))
    started = time.perf_counter()

    run_id, _ = await rig.run(workflow({**node("t", "template", template=LOOP_BOMB), "timeoutSeconds": 0.2}))

    assert (await rig.latest(run_id))["t"].error == "timed out after 0.2 seconds"
    assert time.perf_counter() - started < 5  # not the 30 s of the template's budget
