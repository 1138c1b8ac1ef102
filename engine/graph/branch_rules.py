"""The rules on the outputs edges leave from: branches, and error edges."""

from engine.dsl import ERROR_BRANCH, Node
from engine.graph.graph_rules import known_ids
from engine.graph.parsing import DefinitionParts, EdgeEntry, NodeEntry
from engine.graph.problems import Problem, ProblemCode


def _check_error_edge(edge: EdgeEntry, node: Node) -> Problem | None:
    if node.on_error == "errorEdge":
        return None
    message = (
        f"The error edge leaves '{node.id}', whose onError is '{node.on_error}';"
        " set onError to 'errorEdge' to use it"
    )
    return Problem(ProblemCode.ERROR_EDGE_WITHOUT_ON_ERROR, message, f"{edge.path}.branch", node.id)


def _check_named_branch(edge: EdgeEntry, node: Node) -> Problem | None:
    branches = node.branches()
    if edge.branch is None:
        if not node.named_branches_required:
            return None
        message = f"An edge leaving '{node.id}' must name its branch, one of: {', '.join(branches)}"
        return Problem(ProblemCode.MISSING_BRANCH, message, edge.path, node.id)
    if edge.branch in branches:
        return None
    if node.named_branches_required:
        message = f"'{node.id}' has no branch '{edge.branch}'; its branches are: {', '.join(branches)}"
        return Problem(ProblemCode.UNKNOWN_BRANCH, message, f"{edge.path}.branch", node.id)
    outputs = ", ".join((*branches, ERROR_BRANCH))
    message = (
        f"'{node.id}' has no output '{edge.branch}'; edges leaving a {node.type!r} node may name: {outputs}"
    )
    return Problem(ProblemCode.UNEXPECTED_BRANCH, message, f"{edge.path}.branch", node.id)


def _check_edge_branch(edge: EdgeEntry, source: NodeEntry) -> Problem | None:
    if source.node is None:
        return None  # the node's own problems are reported; its outputs are unknown
    if edge.branch == ERROR_BRANCH:
        return _check_error_edge(edge, source.node)
    return _check_named_branch(edge, source.node)


def _check_error_edges(parts: DefinitionParts, nodes: tuple[NodeEntry, ...]) -> list[Problem]:
    with_error_edge = {edge.source for edge in parts.edges if edge.branch == ERROR_BRANCH}
    return [
        Problem(
            ProblemCode.MISSING_ERROR_EDGE,
            f"'{entry.node.id}' has onError 'errorEdge' but no edge with branch 'error' leaves it",
            f"{entry.path}.onError",
            entry.node.id,
        )
        for entry in nodes
        if entry.node is not None
        and entry.node.on_error == "errorEdge"
        and entry.node.id not in with_error_edge
    ]


def check_branches(parts: DefinitionParts) -> list[Problem]:
    """Check that every edge leaves an output its source has, and that error handling is wired.

    Args:
        parts: The definition as read.

    Returns:
        The problems found.
    """
    if parts.nodes is None:
        return []
    nodes = known_ids(parts.nodes)
    problems = []
    for edge in parts.edges:
        source = nodes.get(edge.source) if edge.source is not None else None
        if source is not None and (problem := _check_edge_branch(edge, source)) is not None:
            problems.append(problem)
    return problems + _check_error_edges(parts, parts.nodes)
