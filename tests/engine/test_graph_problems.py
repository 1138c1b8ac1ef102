"""Problems with the shape of the graph, its branches and its error edges."""

from engine.dsl import MAX_NODES
from engine.graph import validate_definition
from tests.engine.workflows import codes, condition, edge, located, node, only_problem, template, workflow


def test_a_workflow_without_nodes_is_an_empty_workflow() -> None:
    problem = only_problem(validate_definition({"nodes": [], "edges": []}))

    assert located(problem) == ("EMPTY_WORKFLOW", "nodes", None)


def test_more_nodes_than_the_limit_is_too_many_nodes() -> None:
    nodes = [template(f"n{index}") for index in range(MAX_NODES + 1)]

    problem = only_problem(validate_definition(workflow(*nodes)))

    assert located(problem) == ("TOO_MANY_NODES", "nodes", None)


def test_a_second_node_with_an_id_is_a_duplicate_node_id() -> None:
    raw = workflow(template("a"), template("b"), template("a"), edges=[edge("a", "b")])

    problem = only_problem(validate_definition(raw))

    assert located(problem) == ("DUPLICATE_NODE_ID", "nodes[2].id", "a")


def test_an_edge_from_no_node_is_an_unknown_edge_source() -> None:
    raw = workflow(template("a"), edges=[edge("ghost", "a")])

    problem = only_problem(validate_definition(raw))

    assert located(problem) == ("UNKNOWN_EDGE_SOURCE", "edges[0].from", "a")


def test_an_edge_to_no_node_is_an_unknown_edge_target() -> None:
    raw = workflow(template("a"), edges=[edge("a", "ghost")])

    problem = only_problem(validate_definition(raw))

    assert located(problem) == ("UNKNOWN_EDGE_TARGET", "edges[0].to", "a")


def test_an_edge_given_twice_is_a_duplicate_edge() -> None:
    raw = workflow(template("a"), template("b"), edges=[edge("a", "b"), edge("a", "b")])

    problem = only_problem(validate_definition(raw))

    assert located(problem) == ("DUPLICATE_EDGE", "edges[1]", "a")


def test_a_cycle_without_a_condition_is_reported_once_with_its_nodes() -> None:
    raw = workflow(
        template("start"),
        template("a"),
        template("b"),
        template("c"),
        edges=[edge("start", "a"), edge("a", "b"), edge("b", "c"), edge("c", "a")],
    )

    problem = only_problem(validate_definition(raw))

    assert located(problem) == ("CYCLE_WITHOUT_CONDITION", "nodes[1]", "a")
    assert "a, b, c" in problem.message


def test_a_node_with_an_edge_to_itself_is_a_cycle_without_a_condition() -> None:
    raw = workflow(template("start"), template("a"), edges=[edge("start", "a"), edge("a", "a")])

    problem = only_problem(validate_definition(raw))

    assert located(problem) == ("CYCLE_WITHOUT_CONDITION", "nodes[1]", "a")


def test_each_separate_cycle_is_reported() -> None:
    raw = workflow(
        template("start"),
        template("a"),
        template("b"),
        template("c"),
        edges=[edge("start", "a"), edge("start", "b"), edge("a", "a"), edge("b", "c"), edge("c", "b")],
    )

    validation = validate_definition(raw)

    assert [(p.code, p.node_id) for p in validation.problems] == [
        ("CYCLE_WITHOUT_CONDITION", "a"),
        ("CYCLE_WITHOUT_CONDITION", "b"),
    ]


def test_a_loop_through_a_condition_is_valid() -> None:
    raw = workflow(
        template("start"),
        template("draft", "{{ input }} {{ iteration }}"),
        condition("check", "again"),
        template("done"),
        edges=[
            edge("start", "draft"),
            edge("draft", "check"),
            edge("check", "draft", "again"),
            edge("check", "done", "default"),
        ],
    )

    assert validate_definition(raw).valid


def test_a_loop_that_nothing_enters_is_an_unreachable_node_for_each_of_its_nodes() -> None:
    raw = workflow(
        template("a"),
        condition("check", "again"),
        template("b"),
        edges=[edge("a", "check"), edge("check", "a", "again")],
    )

    validation = validate_definition(raw)

    assert [(p.code, p.path, p.node_id) for p in validation.problems] == [
        ("UNREACHABLE_NODE", "nodes[0]", "a"),
        ("UNREACHABLE_NODE", "nodes[1]", "check"),
    ]


def test_a_branch_on_an_edge_from_a_kind_without_branches_is_an_unexpected_branch() -> None:
    raw = workflow(template("a"), template("b"), edges=[edge("a", "b", "yes")])

    problem = only_problem(validate_definition(raw))

    assert located(problem) == ("UNEXPECTED_BRANCH", "edges[0].branch", "a")


def test_a_human_node_has_submitted_and_timeout_branches_only() -> None:
    ask = node("ask", "human", prompt="Approve?", timeoutSeconds=60)
    edges = [edge("ask", "ok", "submitted"), edge("ask", "late", "timeout"), edge("ask", "x", "rejected")]
    raw = workflow(ask, template("ok"), template("late"), template("x"), edges=edges)

    problem = only_problem(validate_definition(raw))

    assert located(problem) == ("UNEXPECTED_BRANCH", "edges[2].branch", "ask")


def test_a_condition_edge_naming_no_case_nor_the_default_is_an_unknown_branch() -> None:
    raw = workflow(condition("route", "yes"), template("b"), edges=[edge("route", "b", "no")])

    problem = only_problem(validate_definition(raw))

    assert located(problem) == ("UNKNOWN_BRANCH", "edges[0].branch", "route")
    assert "yes, default" in problem.message


def test_a_condition_edge_without_a_branch_is_a_missing_branch() -> None:
    raw = workflow(condition("route", "yes"), template("b"))

    problem = only_problem(validate_definition(raw))

    assert located(problem) == ("MISSING_BRANCH", "edges[0]", "route")


def test_an_error_edge_from_a_node_that_fails_the_run_is_an_error_edge_without_on_error() -> None:
    raw = workflow(template("a"), template("recover"), edges=[edge("a", "recover", "error")])

    problem = only_problem(validate_definition(raw))

    assert located(problem) == (
        "ERROR_EDGE_WITHOUT_ON_ERROR",
        "edges[0].branch",
        "a",
    )


def test_on_error_error_edge_without_an_error_edge_is_a_missing_error_edge() -> None:
    raw = workflow({**template("a"), "onError": "errorEdge"}, template("b"))

    problem = only_problem(validate_definition(raw))

    assert located(problem) == ("MISSING_ERROR_EDGE", "nodes[0].onError", "a")


def test_an_error_edge_from_a_node_with_on_error_error_edge_is_valid() -> None:
    raw = workflow(
        {**template("a"), "onError": "errorEdge"},
        template("b"),
        template("recover"),
        edges=[edge("a", "b"), edge("a", "recover", "error")],
    )

    assert validate_definition(raw).valid


def test_a_broken_node_does_not_hide_a_cycle_elsewhere() -> None:
    raw = workflow(
        node("broken", "llm", model="test"),
        template("a"),
        template("b"),
        edges=[edge("broken", "a"), edge("a", "b"), edge("b", "a")],
    )

    assert codes(validate_definition(raw)) == {"MISSING_FIELD", "CYCLE_WITHOUT_CONDITION"}


def test_edges_of_a_broken_node_are_not_reported_as_dangling() -> None:
    raw = workflow(node("broken", "llm", model="test"), template("a"))

    assert codes(validate_definition(raw)) == {"MISSING_FIELD"}
