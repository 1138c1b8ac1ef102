"""The graph of a valid workflow, indexed the way the scheduler walks it."""

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from engine.dsl import Edge, Node, WorkflowDefinition
from engine.graph.topology import ancestor_sets, back_edges, children_of


@dataclass(frozen=True, eq=False)
class CompiledGraph:
    """A valid workflow's nodes and edges, indexed; build it with `CompiledGraph.build`."""

    nodes: Mapping[str, Node]
    """Every node by id, in definition order."""
    parents: Mapping[str, tuple[Edge, ...]]
    """Every node id to the edges entering it, in definition order."""
    children: Mapping[str, tuple[Edge, ...]]
    """Every node id to the edges leaving it, in definition order."""
    roots: tuple[str, ...]
    """Nodes without incoming edges, in definition order: where a run starts."""
    leaves: tuple[str, ...]
    """Nodes without outgoing edges (error edges count), in definition order."""
    back_edges: frozenset[tuple[str, str]]
    """`(source, target)` of the edges that close a loop (through a condition node), found by a
    depth-first search from the roots in definition order. Without them the graph is acyclic.
    A loop entered at one node is closed by the edge back to that node; a loop with several
    entries is closed where the search, entering at the first, comes back to it."""
    ancestry: Mapping[str, frozenset[str]]
    """Every node id to the ids of the nodes that lead to it; see `ancestors`."""

    def ancestors(self, node_id: str) -> frozenset[str]:
        """The nodes from which some path of edges leads to a node.

        Args:
            node_id: A node of the graph.

        Returns:
            Their ids; a node on a loop is among its own ancestors.

        Raises:
            KeyError: No such node.
        """
        return self.ancestry[node_id]

    @classmethod
    def build(cls, definition: WorkflowDefinition) -> "CompiledGraph":
        """Index a definition that `validate_definition` accepted.

        Args:
            definition: A valid definition (unique ids, edges between existing nodes).

        Returns:
            The graph.
        """
        ids = [node.id for node in definition.nodes]
        parents: dict[str, list[Edge]] = {node_id: [] for node_id in ids}
        children: dict[str, list[Edge]] = {node_id: [] for node_id in ids}
        for edge in definition.edges:
            children[edge.source].append(edge)
            parents[edge.target].append(edge)
        adjacency = children_of(ids, ((edge.source, edge.target) for edge in definition.edges))
        roots = tuple(node_id for node_id in ids if not parents[node_id])
        return cls(
            nodes=MappingProxyType({node.id: node for node in definition.nodes}),
            parents=MappingProxyType({node_id: tuple(edges) for node_id, edges in parents.items()}),
            children=MappingProxyType({node_id: tuple(edges) for node_id, edges in children.items()}),
            roots=roots,
            leaves=tuple(node_id for node_id in ids if not children[node_id]),
            back_edges=back_edges(roots, adjacency),
            ancestry=MappingProxyType(ancestor_sets(adjacency)),
        )
