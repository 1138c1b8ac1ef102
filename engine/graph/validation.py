"""Validating a workflow definition: every problem at once, and the compiled graph when there is none."""

from dataclasses import dataclass

from engine.dsl import MAX_DEFINITION_BYTES, MAX_DEFINITION_DEPTH, MAX_NODES, WorkflowDefinition
from engine.graph.branch_rules import check_branches
from engine.graph.compiled import CompiledGraph
from engine.graph.graph_rules import check_graph
from engine.graph.parsing import read_definition
from engine.graph.problems import Problem, ProblemCode, json_path
from engine.graph.template_rules import check_templates
from engine.value_policy import value_problem


@dataclass(frozen=True)
class Validation:
    """The outcome of validating a definition."""

    problems: tuple[Problem, ...]
    """Every problem found; empty when the definition is valid."""
    definition: WorkflowDefinition | None
    """The parsed definition, only when valid."""
    graph: CompiledGraph | None
    """The compiled graph, only when valid."""

    @property
    def valid(self) -> bool:
        """Whether the definition has no problem."""
        return not self.problems


def _refuse(code: ProblemCode, message: str) -> Validation:
    return Validation((Problem(code, message),), None, None)


_POLICY_CODES = {
    "VALUE_TOO_LARGE": ProblemCode.DEFINITION_TOO_LARGE,
    "VALUE_TOO_DEEP": ProblemCode.DEFINITION_TOO_DEEP,
    "UNSTORABLE_TEXT": ProblemCode.UNSTORABLE_TEXT,
}


def _storable(raw: object) -> Validation | None:
    # The value policy every stored value follows (engine.value_policy), before any other work.
    found = value_problem(
        raw, max_bytes=MAX_DEFINITION_BYTES, max_depth=MAX_DEFINITION_DEPTH, what="the definition"
    )
    if found is None:
        return None
    code = _POLICY_CODES.get(found.code, ProblemCode.INVALID_DEFINITION)
    path = json_path(found.location) or None
    message = found.message[:1].upper() + found.message[1:]  # a sentence, as the other problems are
    return Validation((Problem(code, message, path),), None, None)


def validate_definition(raw: object) -> Validation:
    """Validate a workflow definition and list every problem, never only the first.

    Each node and edge is read on its own, so a broken one hides nothing else; the graph, branch
    and template rules then run over whatever could be read.

    Args:
        raw: The definition as parsed JSON (any value: a non-object is a problem, not an error).

    Returns:
        The problems, or the parsed definition and its compiled graph.
    """
    if not isinstance(raw, dict):
        return _refuse(ProblemCode.INVALID_DEFINITION, "A workflow definition must be a JSON object")
    # Oversized or unstorable definitions are refused before any per-node work, which would grow
    # with them: text PostgreSQL cannot hold, numbers JSON cannot, too large, too deep.
    refused = _storable(raw)
    if refused is not None:
        return refused
    nodes = raw.get("nodes")
    if isinstance(nodes, list) and len(nodes) > MAX_NODES:
        message = f"A workflow may have at most {MAX_NODES} nodes; this one has {len(nodes)}"
        return Validation((Problem(ProblemCode.TOO_MANY_NODES, message, "nodes"),), None, None)
    parts = read_definition(raw)
    problems = (*parts.problems, *check_graph(parts), *check_branches(parts), *check_templates(parts))
    if problems:
        return Validation(problems, None, None)
    definition = WorkflowDefinition.model_validate(raw)
    return Validation((), definition, CompiledGraph.build(definition))
