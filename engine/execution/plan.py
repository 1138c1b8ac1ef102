"""What the scheduler needs to know about a graph, worked out once per compiled graph.

A compiled graph is immutable and shared by every run of its workflow version, so its plan is
cached next to it (weakly: the plan goes when the graph does).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from weakref import WeakKeyDictionary

from engine.dsl import ConditionNode, Edge, Node
from engine.graph import CompiledGraph, template_fields


@dataclass(frozen=True, slots=True)
class LoopLimit:
    """How often a node on a loop may run: the smallest bound of the conditions on its loops."""

    iterations: int
    """The bound (`maxIterations`)."""
    condition: str
    """The condition node that sets it."""


class Plan:
    """A graph indexed for scheduling: forward edges, loop edges, what a loop re-runs, loop bounds."""

    __slots__ = (
        "_paths",
        "entries",
        "graph",
        "inlets",
        "leaves",
        "limits",
        "loopbacks",
        "nodes",
        "order",
        "outlets",
        "output_nodes",
        "rewinds",
    )

    def __init__(self, graph: CompiledGraph) -> None:
        """Index `graph`; use `plan_for`, which caches the result."""
        back = graph.back_edges
        self.graph = graph
        self.nodes: Mapping[str, Node] = graph.nodes
        self.inlets: dict[str, tuple[Edge, ...]] = {
            node_id: tuple(edge for edge in edges if (edge.source, node_id) not in back)
            for node_id, edges in graph.parents.items()
        }
        """Each node's incoming edges that are not loop edges."""
        self.outlets: dict[str, tuple[str, ...]] = {
            node_id: tuple(dict.fromkeys(edge.target for edge in edges if (node_id, edge.target) not in back))
            for node_id, edges in graph.children.items()
        }
        """Each node's children along edges that are not loop edges, each once."""
        self.loopbacks: dict[str, tuple[Edge, ...]] = {
            node_id: tuple(edge for edge in edges if (node_id, edge.target) in back)
            for node_id, edges in graph.children.items()
        }
        """Each node's outgoing loop edges (usually none)."""
        self.order = _forward_order(self.nodes, self.outlets, self.inlets)
        """Every node, parents before children (loop edges aside)."""
        self.entries = tuple(node_id for node_id in self.order if not self.inlets[node_id])
        """Where a fresh run starts: the nodes without forward parents."""
        position = {node_id: index for index, node_id in enumerate(self.order)}
        self.rewinds: dict[str, tuple[str, ...]] = {
            target: tuple(sorted(_descendants(target, self.outlets), key=position.__getitem__))
            for _, target in back
        }
        """Each loop entry to what runs again when the loop goes round: it and everything after it."""
        self.limits = _loop_limits(graph)
        self.output_nodes = tuple(node_id for node_id, spec in self.nodes.items() if spec.type == "output")
        self.leaves = graph.leaves
        self._paths: dict[str, Mapping[str, str]] = {}

    def template_paths(self, node_id: str) -> Mapping[str, str]:
        """Each template text of a node to its field path (`params.prompt`), for error messages.

        Args:
            node_id: A node of the graph.

        Returns:
            Template source to the first field holding it.
        """
        paths = self._paths.get(node_id)
        if paths is None:
            found: dict[str, str] = {}
            for field in template_fields(self.nodes[node_id]):
                found.setdefault(field.source, field.path)
            paths = self._paths[node_id] = MappingProxyType(found)
        return paths


def _forward_order(
    nodes: Mapping[str, Node], outlets: Mapping[str, tuple[str, ...]], inlets: Mapping[str, tuple[Edge, ...]]
) -> tuple[str, ...]:
    # Kahn's algorithm, seeded in definition order so that equal-rank nodes keep the editor's order.
    remaining = {node_id: len({edge.source for edge in inlets[node_id]}) for node_id in nodes}
    ready = deque(node_id for node_id, count in remaining.items() if count == 0)
    order: list[str] = []
    while ready:
        node_id = ready.popleft()
        order.append(node_id)
        for child in outlets[node_id]:
            remaining[child] -= 1
            if remaining[child] == 0:
                ready.append(child)
    placed = set(order)
    return (*order, *(node_id for node_id in nodes if node_id not in placed))


def _descendants(start: str, outlets: Mapping[str, tuple[str, ...]]) -> set[str]:
    seen = {start}
    pending = [start]
    while pending:
        for child in outlets[pending.pop()]:
            if child not in seen:
                seen.add(child)
                pending.append(child)
    return seen


def _loop_limits(graph: CompiledGraph) -> dict[str, LoopLimit]:
    conditions = [spec for spec in graph.nodes.values() if isinstance(spec, ConditionNode)]
    limits: dict[str, LoopLimit] = {}
    for node_id in graph.nodes:
        ancestors = graph.ancestors(node_id)
        for condition in conditions:
            # Same strongly connected component: each leads to the other (a node to itself on a loop).
            if condition.id in ancestors and node_id in graph.ancestors(condition.id):
                bound = condition.params.max_iterations
                current = limits.get(node_id)
                if current is None or bound < current.iterations:
                    limits[node_id] = LoopLimit(bound, condition.id)
    return limits


_PLANS: WeakKeyDictionary[CompiledGraph, Plan] = WeakKeyDictionary()


def plan_for(graph: CompiledGraph) -> Plan:
    """The plan of a graph, built on first use and cached with the graph.

    Args:
        graph: A compiled, valid graph.

    Returns:
        Its plan.
    """
    plan = _PLANS.get(graph)
    if plan is None:
        plan = _PLANS[graph] = Plan(graph)
    return plan
