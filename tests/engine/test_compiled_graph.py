"""The compiled graph of a valid workflow, as the scheduler will walk it."""

from engine.graph import CompiledGraph, validate_definition
from tests.engine.workflows import condition, edge, template, workflow


def _compile(raw: dict[str, object]) -> CompiledGraph:
    validation = validate_definition(raw)
    assert validation.graph is not None, validation.problems
    return validation.graph


def _diamond() -> CompiledGraph:
    return _compile(
        workflow(
            template("a"),
            template("b"),
            template("c"),
            template("d"),
            edges=[edge("a", "b"), edge("a", "c"), edge("b", "d"), edge("c", "d")],
        )
    )


def test_nodes_keep_the_definition_order() -> None:
    assert list(_diamond().nodes) == ["a", "b", "c", "d"]


def test_parents_and_children_are_the_edges_in_and_out() -> None:
    graph = _diamond()

    assert [(e.source, e.target) for e in graph.children["a"]] == [("a", "b"), ("a", "c")]
    assert [e.source for e in graph.parents["d"]] == ["b", "c"]
    assert graph.parents["a"] == ()


def test_roots_and_leaves_are_the_nodes_without_incoming_or_outgoing_edges() -> None:
    graph = _compile(workflow(template("a"), template("b"), template("lonely"), edges=[edge("a", "b")]))

    assert graph.roots == ("a", "lonely")
    assert graph.leaves == ("b", "lonely")


def test_ancestors_are_every_node_with_a_path_to_the_node() -> None:
    graph = _diamond()

    assert graph.ancestors("d") == {"a", "b", "c"}
    assert graph.ancestors("b") == {"a"}
    assert graph.ancestors("a") == frozenset()


def _loop() -> CompiledGraph:
    return _compile(
        workflow(
            template("start"),
            template("draft"),
            condition("check", "again"),
            template("done"),
            edges=[
                edge("start", "draft"),
                edge("draft", "check"),
                edge("check", "draft", "again"),
                edge("check", "done", "default"),
            ],
        )
    )


def test_the_edge_closing_a_loop_is_a_back_edge() -> None:
    assert _loop().back_edges == {("check", "draft")}


def test_a_dag_has_no_back_edges() -> None:
    assert _diamond().back_edges == frozenset()


def test_nodes_on_a_loop_are_their_own_ancestors() -> None:
    graph = _loop()

    assert graph.ancestors("draft") == {"start", "draft", "check"}
    assert graph.ancestors("done") == {"start", "draft", "check"}
