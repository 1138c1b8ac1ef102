"""Problems with templates: syntax, names, and what they read of nodes and run inputs."""

import tracemalloc

import pytest

from engine.graph import validate_definition
from tests.engine.workflows import condition, edge, llm, located, node, only_problem, template, workflow

INPUTS = {"type": "object", "properties": {"topic": {"type": "string"}}}


def test_invalid_jinja_is_a_template_syntax_problem_with_jinjas_message_and_line() -> None:
    raw = workflow(llm("a", "Line one\n{{ input }\nLine three"))

    problem = only_problem(validate_definition(raw))

    assert located(problem) == ("TEMPLATE_SYNTAX", "nodes[0].params.prompt", "a")
    assert "line 2" in problem.message
    assert "unexpected '}'" in problem.message


def test_an_unknown_filter_is_a_template_syntax_problem() -> None:
    raw = workflow(template("a", "{{ input | shout }}"))

    problem = only_problem(validate_definition(raw))

    assert (problem.code, problem.path) == ("TEMPLATE_SYNTAX", "nodes[0].params.template")
    assert "shout" in problem.message


def test_a_template_nested_too_deeply_to_parse_is_a_template_syntax_problem() -> None:
    raw = workflow(template("a", "{{ " + "(" * 2000 + "1" + ")" * 2000 + " }}"))

    problem = only_problem(validate_definition(raw))

    assert located(problem) == ("TEMPLATE_SYNTAX", "nodes[0].params.template", "a")


def test_an_invalid_condition_expression_is_a_template_syntax_problem() -> None:
    raw = workflow(node("route", "condition", cases=[{"branch": "hot", "when": "input.score >"}]))

    problem = only_problem(validate_definition(raw))

    assert located(problem) == (
        "TEMPLATE_SYNTAX",
        "nodes[0].params.cases[0].when",
        "route",
    )


def test_a_condition_expression_with_more_after_it_is_a_template_syntax_problem() -> None:
    raw = workflow(node("route", "condition", cases=[{"branch": "hot", "when": "input }} {{ input"}]))

    assert only_problem(validate_definition(raw)).code == "TEMPLATE_SYNTAX"


def test_a_name_outside_the_template_context_is_a_template_unknown_variable() -> None:
    raw = workflow(llm("a", "Summarize {{ text }}"))

    problem = only_problem(validate_definition(raw))

    assert located(problem) == (
        "TEMPLATE_UNKNOWN_VARIABLE",
        "nodes[0].params.prompt",
        "a",
    )
    assert "'text'" in problem.message


def test_names_bound_by_the_template_itself_and_jinja_globals_are_known() -> None:
    text = (
        "{% set n = 3 %}{% for i in range(n) %}{{ i }}{{ loop.index }}{% endfor %}{{ iteration }}{{ inputs }}"
    )
    raw = workflow(template("a", text))

    assert validate_definition(raw).valid


def test_reading_a_node_that_does_not_exist_is_a_template_unknown_node() -> None:
    raw = workflow(template("a", "{{ nodes.ghost.output }}"))

    problem = only_problem(validate_definition(raw))

    assert located(problem) == ("TEMPLATE_UNKNOWN_NODE", "nodes[0].params.template", "a")


def test_reading_a_node_that_runs_later_is_a_template_not_upstream() -> None:
    raw = workflow(template("a", "{{ nodes.b.output }}"), template("b"))

    problem = only_problem(validate_definition(raw))

    assert located(problem) == ("TEMPLATE_NOT_UPSTREAM", "nodes[0].params.template", "a")


def test_reading_a_node_on_a_parallel_branch_is_a_template_not_upstream() -> None:
    raw = workflow(
        template("start"),
        template("left"),
        template("right", "{{ nodes['left'].output }}"),
        edges=[edge("start", "left"), edge("start", "right")],
    )

    problem = only_problem(validate_definition(raw))

    assert (problem.code, problem.node_id) == ("TEMPLATE_NOT_UPSTREAM", "right")


def test_reading_any_ancestor_by_attribute_or_by_item_is_valid() -> None:
    raw = workflow(
        template("first-step"),
        template("second"),
        template("third", "{{ nodes['first-step'].output }} {{ nodes.second.output }}"),
    )

    assert validate_definition(raw).valid


def test_in_a_loop_a_node_may_read_the_nodes_after_it_on_the_loop() -> None:
    raw = workflow(
        template("start"),
        template("draft", "{% if iteration %}{{ nodes.review.output }}{% endif %}"),
        template("review"),
        condition("check", "again"),
        edges=[
            edge("start", "draft"),
            edge("draft", "review"),
            edge("review", "check"),
            edge("check", "draft", "again"),
        ],
    )

    assert validate_definition(raw).valid


def test_reading_an_undeclared_run_input_is_a_template_unknown_input() -> None:
    raw = workflow(llm("a", "{{ inputs.topic }} {{ inputs['tone'] }}"), inputs=INPUTS)

    problem = only_problem(validate_definition(raw))

    assert located(problem) == ("TEMPLATE_UNKNOWN_INPUT", "nodes[0].params.prompt", "a")
    assert "tone" in problem.message


def test_run_inputs_are_not_checked_when_the_inputs_schema_declares_no_properties() -> None:
    raw = workflow(llm("a", "{{ inputs.anything }}"), inputs={"type": "object"})

    assert validate_definition(raw).valid


@pytest.mark.parametrize(
    ("raw_node", "path"),
    [
        (llm("a", system="{{ nope }}"), "nodes[0].params.system"),
        (
            node("a", "embedding", collection="docs", metadata={"source": {"by": "{{ nope }}"}}),
            "nodes[0].params.metadata.source.by",
        ),
        (
            node("a", "retrieve", collection="docs", filter={"lang": "{{ nope }}"}),
            "nodes[0].params.filter.lang",
        ),
        (
            node("a", "tool", url="https://x.example", headers={"X-Key": "{{ nope }}"}),
            'nodes[0].params.headers["X-Key"]',
        ),
        (
            node("a", "tool", url="https://x.example", body=[1, {"q": "{{ nope }}"}]),
            "nodes[0].params.body[1].q",
        ),
        (node("a", "human", prompt="{{ nope }}"), "nodes[0].params.prompt"),
        (node("a", "output", value={"answer": "{{ nope }}"}), "nodes[0].params.value.answer"),
        (
            llm("a", tools=[{"type": "http", "name": "t", "description": "d", "url": "https://{{ nope }}"}]),
            "nodes[0].params.tools[0].url",
        ),
    ],
)
def test_every_templated_field_of_every_kind_is_checked(raw_node: dict[str, object], path: str) -> None:
    problem = only_problem(validate_definition(workflow(raw_node)))

    assert (problem.code, problem.path) == ("TEMPLATE_UNKNOWN_VARIABLE", path)


def test_validating_a_template_evaluates_none_of_it() -> None:
    # Jinja's optimizer folded `'a' | center(...)` (and `9 ** 16000000`) while compiling: validating
    # such a definition allocated the text, or froze the server for 46 s.
    raw = workflow(template("a", "{{ 'a' | center(50000000) }}{{ [1] | batch(20000000, 0) | list }}"))
    tracemalloc.start()
    try:
        validation = validate_definition(raw)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert validation.valid
    assert peak < 10_000_000


def test_a_number_too_long_to_read_is_a_template_syntax_problem() -> None:
    raw = workflow(template("a", "{{ " + "9" * 5000 + " }}"))

    problem = only_problem(validate_definition(raw))

    assert located(problem) == ("TEMPLATE_SYNTAX", "nodes[0].params.template", "a")
    assert "4300 digits" in problem.message
