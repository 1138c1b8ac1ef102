"""The rules on the shape of the graph: ids, edge ends, cycles, reachability."""

from engine.graph.parsing import DefinitionParts, EdgeEntry, NodeEntry
from engine.graph.problems import Problem, ProblemCode
from engine.graph.topology import Children, children_of, is_cycle, reachable, strongly_connected_components


def known_ids(nodes: tuple[NodeEntry, ...]) -> dict[str, NodeEntry]:
    """The readable node ids, each to its first node.

    Args:
        nodes: The nodes as read.

    Returns:
        Id to node, in definition order.
    """
    found: dict[str, NodeEntry] = {}
    for entry in nodes:
        if entry.id is not None:
            found.setdefault(entry.id, entry)
    return found


def graph_of(nodes: dict[str, NodeEntry], edges: tuple[EdgeEntry, ...]) -> Children:
    """The graph of the readable nodes and the edges between them.

    Args:
        nodes: From `known_ids`.
        edges: The edges as read; those with an unreadable or unknown end are left out.

    Returns:
        The adjacency.
    """
    pairs = [(edge.source, edge.target) for edge in edges if edge.source and edge.target]
    return children_of(nodes, pairs)


def _check_count(nodes: tuple[NodeEntry, ...]) -> list[Problem]:
    if not nodes:
        return [Problem(ProblemCode.EMPTY_WORKFLOW, "A workflow needs at least one node", "nodes")]
    return []


def _check_ids(nodes: tuple[NodeEntry, ...]) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for entry in nodes:
        if entry.id is None:
            continue
        if entry.id in seen:
            message = f"Another node already has the id '{entry.id}'"
            problems.append(Problem(ProblemCode.DUPLICATE_NODE_ID, message, f"{entry.path}.id", entry.id))
        seen.add(entry.id)
    return problems


def _check_edge_ends(nodes: dict[str, NodeEntry], edges: tuple[EdgeEntry, ...]) -> list[Problem]:
    problems = []
    seen: set[tuple[str | None, str | None, str | None]] = set()
    for edge in edges:
        source_known, target_known = edge.source in nodes, edge.target in nodes
        if edge.source is not None and not source_known:
            message = f"The edge comes from '{edge.source}', which is no node"
            owner = edge.target if target_known else None
            problems.append(Problem(ProblemCode.UNKNOWN_EDGE_SOURCE, message, f"{edge.path}.from", owner))
        if edge.target is not None and not target_known:
            message = f"The edge goes to '{edge.target}', which is no node"
            owner = edge.source if source_known else None
            problems.append(Problem(ProblemCode.UNKNOWN_EDGE_TARGET, message, f"{edge.path}.to", owner))
        key = (edge.source, edge.target, edge.branch)
        if key in seen:
            message = f"The edge from '{edge.source}' to '{edge.target}' is there more than once"
            problems.append(Problem(ProblemCode.DUPLICATE_EDGE, message, edge.path, edge.source))
        seen.add(key)
    return problems


def _may_be_on_a_cycle(entry: NodeEntry) -> bool:
    # A node of unknown kind takes no part: it already has a problem, and may have been meant
    # as a condition.
    return entry.spec is not None and not entry.spec.bounds_loops


def _check_cycles(nodes: dict[str, NodeEntry], children: Children) -> list[Problem]:
    # Loops are legal only through a condition node, which bounds them with maxIterations; so a
    # cycle left once every condition node is taken out is an unbounded one.
    unbounded = {
        node_id: [child for child in targets if _may_be_on_a_cycle(nodes[child])]
        for node_id, targets in children.items()
        if _may_be_on_a_cycle(nodes[node_id])
    }
    cycles = [c for c in strongly_connected_components(unbounded) if is_cycle(c, unbounded)]
    problems = []
    for cycle in sorted(cycles, key=lambda members: nodes[members[0]].index):
        first = nodes[cycle[0]]
        if len(cycle) > 1:
            message = (
                f"Nodes {', '.join(cycle)} form a cycle without a condition node;"
                " a loop must pass through a condition, which bounds it"
            )
        else:
            message = f"Node '{first.id}' has an edge to itself; a loop must pass through a condition"
        problems.append(Problem(ProblemCode.CYCLE_WITHOUT_CONDITION, message, first.path, first.id))
    return problems


def _check_reachable(nodes: dict[str, NodeEntry], children: Children) -> list[Problem]:
    has_parent = {child for targets in children.values() for child in targets}
    roots = [node_id for node_id in children if node_id not in has_parent]
    reached = reachable(roots, children)
    return [
        Problem(
            ProblemCode.UNREACHABLE_NODE,
            f"Node '{node_id}' never runs: it is on a loop that no node outside the loop leads into",
            entry.path,
            node_id,
        )
        for node_id, entry in nodes.items()
        if node_id not in reached
    ]


def check_graph(parts: DefinitionParts) -> list[Problem]:
    """Check the shape of the graph, over whatever could be read of the nodes and edges.

    Args:
        parts: The definition as read.

    Returns:
        The problems found.
    """
    if parts.nodes is None:
        return []
    nodes = known_ids(parts.nodes)
    children = graph_of(nodes, parts.edges)
    return [
        *_check_count(parts.nodes),
        *_check_ids(parts.nodes),
        *_check_edge_ends(nodes, parts.edges),
        *_check_cycles(nodes, children),
        *_check_reachable(nodes, children),
    ]
