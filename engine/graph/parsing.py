"""Reading a raw definition part by part, so one broken node hides nothing else.

Each node and each edge is validated on its own. Whatever could be read of a broken one (its id,
its kind, the ends of an edge) still takes part in the graph checks, so a node with a bad param
neither hides a cycle elsewhere nor makes its edges look dangling.
"""

from dataclasses import dataclass

from pydantic import JsonValue, TypeAdapter, ValidationError

from engine.dsl import Edge, Node, NodeBase, WorkflowDefinition, node_kind_names, node_spec_class
from engine.graph.parse_errors import problems_from_error
from engine.graph.problems import Problem, ProblemCode

_NODE = TypeAdapter[Node](Node)
_EDGE = TypeAdapter(Edge)
_PARTS = ("nodes", "edges")


@dataclass(frozen=True)
class NodeEntry:
    """A node as far as it could be read."""

    index: int
    """Its position in `nodes`."""
    id: str | None
    """Its id, if it is a string (even an invalid one)."""
    spec: type[NodeBase] | None
    """The class of its kind, if the kind is known."""
    node: Node | None
    """The node, if it is entirely valid."""

    @property
    def path(self) -> str:
        """The node's JSON path, e.g. `nodes[2]`."""
        return f"nodes[{self.index}]"


@dataclass(frozen=True)
class EdgeEntry:
    """An edge as far as it could be read."""

    index: int
    """Its position in `edges`."""
    source: str | None
    """The `from` node id, if it is a string."""
    target: str | None
    """The `to` node id, if it is a string."""
    branch: str | None
    """The branch, if it is a string."""

    @property
    def path(self) -> str:
        """The edge's JSON path, e.g. `edges[0]`."""
        return f"edges[{self.index}]"


@dataclass(frozen=True)
class DefinitionParts:
    """A definition read part by part: what could be read, and what was wrong."""

    nodes: tuple[NodeEntry, ...] | None
    """The nodes, or none when `nodes` is missing or not a list."""
    edges: tuple[EdgeEntry, ...]
    """The edges (none when `edges` is unusable)."""
    inputs: dict[str, JsonValue] | None
    """The run inputs schema, when present and valid."""
    problems: tuple[Problem, ...]
    """Everything wrong with the parts themselves, in definition order."""


def _string(raw: object, key: str) -> str | None:
    value = raw.get(key) if isinstance(raw, dict) else None
    return value if isinstance(value, str) else None


def _read_root(raw: dict[str, object], problems: list[Problem]) -> dict[str, JsonValue] | None:
    # The root is validated with its nodes and edges left out: those are read one by one below.
    root = {key: value for key, value in raw.items() if key not in _PARTS}
    try:
        return WorkflowDefinition.model_validate({**root, "nodes": []}).inputs
    except ValidationError as error:
        problems.extend(problems_from_error(error, root))
        return None


def _read_list(
    raw: dict[str, object], key: str, problems: list[Problem], *, required: bool
) -> list[object] | None:
    if key not in raw:
        if required:
            problems.append(Problem(ProblemCode.MISSING_FIELD, f"'{key}' is required", key))
        return None
    value = raw[key]
    if not isinstance(value, list):
        problems.append(Problem(ProblemCode.INVALID_TYPE, f"'{key}' must be a list", key))
        return None
    return value


def _read_node(index: int, raw: object, problems: list[Problem]) -> NodeEntry:
    node_id = _string(raw, "id")
    kind = _string(raw, "type")
    spec = node_spec_class(kind) if kind in node_kind_names() else None
    try:
        node: Node | None = _NODE.validate_python(raw)
    except ValidationError as error:
        node = None
        problems.extend(
            problems_from_error(error, raw, prefix=("nodes", index), node_id=node_id, is_node=True)
        )
    return NodeEntry(index, node_id, spec, node)


def _read_edge(index: int, raw: object, problems: list[Problem]) -> EdgeEntry:
    try:
        _EDGE.validate_python(raw)
    except ValidationError as error:
        problems.extend(problems_from_error(error, raw, prefix=("edges", index)))
    return EdgeEntry(index, _string(raw, "from"), _string(raw, "to"), _string(raw, "branch"))


def read_definition(raw: dict[str, object]) -> DefinitionParts:
    """Read a definition's root fields, then each node and each edge on its own.

    Args:
        raw: The definition as parsed JSON.

    Returns:
        What could be read, and every problem found doing so.
    """
    problems: list[Problem] = []
    inputs = _read_root(raw, problems)
    raw_nodes = _read_list(raw, "nodes", problems, required=True)
    nodes = None
    if raw_nodes is not None:
        nodes = tuple(_read_node(index, item, problems) for index, item in enumerate(raw_nodes))
    raw_edges = _read_list(raw, "edges", problems, required=False) or []
    edges = tuple(_read_edge(index, item, problems) for index, item in enumerate(raw_edges))
    return DefinitionParts(nodes, edges, inputs, tuple(problems))
