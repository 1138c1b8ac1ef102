"""Graph algorithms over node ids and directed edges, knowing nothing of node kinds.

Every walk is iterative: a 500-node chain must not depend on Python's recursion limit.
"""

from collections.abc import Iterable, Mapping, Sequence

Children = Mapping[str, Sequence[str]]
"""Each node id to the ids its edges enter, in edge order, each once."""


def children_of(ids: Iterable[str], pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Build the adjacency of a graph.

    Args:
        ids: The node ids, in definition order.
        pairs: `(source, target)` of each edge; pairs with an end not in `ids` are left out.

    Returns:
        Each id to its children, in edge order, each child once.
    """
    children: dict[str, list[str]] = {node_id: [] for node_id in ids}
    for source, target in pairs:
        if source in children and target in children and target not in children[source]:
            children[source].append(target)
    return children


def strongly_connected_components(children: Children) -> list[tuple[str, ...]]:
    """Tarjan's algorithm.

    Args:
        children: The graph; its key order is the definition order.

    Returns:
        The components, each listing its ids in definition order; a component comes after every
        component it has an edge to (sinks first).
    """
    order = {node_id: position for position, node_id in enumerate(children)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[tuple[str, ...]] = []

    def visit(node_id: str) -> None:
        index[node_id] = low[node_id] = len(index)
        stack.append(node_id)
        on_stack.add(node_id)

    for start in children:
        if start in index:
            continue
        visit(start)
        work = [(start, iter(children[start]))]
        while work:
            node_id, pending = work[-1]
            for child in pending:
                if child not in index:
                    visit(child)
                    work.append((child, iter(children[child])))
                    break
                if child in on_stack:
                    low[node_id] = min(low[node_id], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node_id])
                if low[node_id] == index[node_id]:
                    members: list[str] = []
                    while not members or members[-1] != node_id:
                        members.append(stack.pop())
                        on_stack.discard(members[-1])
                    components.append(tuple(sorted(members, key=order.__getitem__)))
    return components


def is_cycle(component: Sequence[str], children: Children) -> bool:
    """Tell whether a strongly connected component is a cycle (several nodes, or a self-loop).

    Args:
        component: A component from `strongly_connected_components`.
        children: The same graph.

    Returns:
        True when the nodes of the component can reach themselves.
    """
    return len(component) > 1 or component[0] in children[component[0]]


def reachable(starts: Iterable[str], children: Children) -> set[str]:
    """The nodes reachable from some start node, the starts included.

    Args:
        starts: Where to start.
        children: The graph.

    Returns:
        The reachable ids.
    """
    seen = set(starts)
    pending = list(seen)
    while pending:
        for child in children[pending.pop()]:
            if child not in seen:
                seen.add(child)
                pending.append(child)
    return seen


def ancestor_sets(children: Children) -> dict[str, frozenset[str]]:
    """For every node, the nodes that can reach it; a node on a cycle is its own ancestor.

    Works on the condensation (one step per component, sources first), so the cost is that of
    the set unions rather than one walk per node.

    Args:
        children: The graph.

    Returns:
        Each id to its ancestors.
    """
    parents: dict[str, list[str]] = {node_id: [] for node_id in children}
    for source, targets in children.items():
        for target in targets:
            parents[target].append(source)
    ancestors: dict[str, frozenset[str]] = {}
    for component in reversed(strongly_connected_components(children)):
        members = set(component)
        found: set[str] = set(members) if is_cycle(component, children) else set()
        for member in component:
            for parent in parents[member]:
                if parent not in members:
                    found |= ancestors[parent]
                    found.add(parent)
        frozen = frozenset(found)
        ancestors.update(dict.fromkeys(component, frozen))
    return ancestors


def back_edges(roots: Iterable[str], children: Children) -> frozenset[tuple[str, str]]:
    """The edges that close a loop, found by depth-first search.

    Args:
        roots: Where the search starts, in order; then children are taken in edge order.
        children: The graph.

    Returns:
        `(source, target)` of each edge entering a node that is still on the search path.
    """
    on_path: set[str] = set()
    done: set[str] = set()
    found: set[tuple[str, str]] = set()
    for root in roots:
        if root in done:
            continue
        on_path.add(root)
        work = [(root, iter(children[root]))]
        while work:
            node_id, pending = work[-1]
            for child in pending:
                if child in on_path:
                    found.add((node_id, child))
                elif child not in done:
                    on_path.add(child)
                    work.append((child, iter(children[child])))
                    break
            else:
                work.pop()
                on_path.discard(node_id)
                done.add(node_id)
    return frozenset(found)
