"""Templates as nodes see them: `input`, `inputs`, `iteration` and `nodes`, through the shared sandbox."""

from engine.nodes.template import parse_json_text
from engine.records import NodeStatus, RunStatus
from tests.engine.execution.rig import Rig, edge, node, step, workflow


async def test_nodes_named_like_dict_methods_are_reachable() -> None:
    rig = Rig()
    definition = workflow(
        step("items"),
        step("get"),
        node(
            "out",
            "output",
            value="{{ nodes['items'].output }}/{{ nodes.items.output }}/{{ nodes.get.output }}",
        ),
    )

    run_id, _ = await rig.run(definition, inputs="x")

    assert (await rig.state(run_id)).run.output == "x/x/x"


async def test_reading_a_node_without_output_fails_naming_it() -> None:
    cases = [{"branch": "yes", "when": "false"}]
    definition = workflow(
        node("check", "condition", cases=cases, default="no"),
        step("skipped"),
        step("other"),
        node("out", "template", template="{{ nodes.skipped.output }}"),
        edges=[
            edge("check", "skipped", "yes"),
            edge("check", "other", "no"),
            edge("skipped", "out"),
            edge("other", "out"),
        ],
    )
    rig = Rig()

    run_id, status = await rig.run(definition)

    out = (await rig.latest(run_id))["out"]
    assert status is RunStatus.FAILED
    assert out.error == "params.template: node 'skipped' has no output (it has not run or did not succeed)"


async def test_a_template_can_test_whether_a_node_has_output() -> None:
    rig = Rig()
    template = "{{ 'ran' if nodes.a is defined else 'did not run' }}"
    definition = workflow(step("a"), node("out", "template", template=template))

    run_id, _ = await rig.run(definition)

    assert (await rig.latest(run_id))["out"].output == "ran"


async def test_a_lone_expression_keeps_its_type_and_text_around_it_makes_text() -> None:
    rig = Rig()
    definition = workflow(
        node(
            "out", "output", value={"list": "{{ inputs.numbers }}", "text": "n={{ inputs.numbers | length }}"}
        )
    )

    run_id, _ = await rig.run(definition, inputs={"numbers": [1, 2]})

    assert (await rig.state(run_id)).run.output == {"list": [1, 2], "text": "n=2"}


async def test_a_template_node_outputs_json_when_its_text_is_json_and_text_otherwise() -> None:
    rig = Rig()
    definition = workflow(
        step("root"),
        node("json", "template", template='{"n": {{ input }}}'),
        node("text", "template", template="n is {{ input }}"),
        edges=[edge("root", "json"), edge("root", "text")],
    )

    run_id, _ = await rig.run(definition, inputs=3)

    assert (await rig.state(run_id)).run.output == {"json": {"n": 3}, "text": "n is 3"}


async def test_templates_see_the_iteration_and_the_run_inputs() -> None:
    rig = Rig()
    definition = workflow(node("out", "template", template="{{ iteration }}:{{ inputs.name }}"))

    run_id, _ = await rig.run(definition, inputs={"name": "Ada"})

    latest = (await rig.latest(run_id))["out"]
    assert (latest.status, latest.output) == (NodeStatus.SUCCEEDED, "0:Ada")


def test_text_that_only_python_reads_as_json_stays_text() -> None:
    assert parse_json_text("-Infinity") == "-Infinity"
    assert parse_json_text("[1, NaN]") == "[1, NaN]"
    assert parse_json_text(' {"a": [1, true, null]}') == {"a": [1, True, None]}
    assert parse_json_text("true story") == "true story"
