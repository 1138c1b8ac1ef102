"""Validating a workflow definition: every problem at once, and the compiled graph when there is none."""

import json
from dataclasses import dataclass

from engine.dsl import MAX_DEFINITION_BYTES, MAX_NODES, WorkflowDefinition
from engine.graph.branch_rules import check_branches
from engine.graph.compiled import CompiledGraph
from engine.graph.graph_rules import check_graph
from engine.graph.parsing import read_definition
from engine.graph.problems import Problem, ProblemCode
from engine.graph.template_rules import check_templates


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


def _encoded_size(raw: object) -> int | None:
    try:
        return len(json.dumps(raw, ensure_ascii=False, allow_nan=False).encode())
    except (TypeError, ValueError, RecursionError):
        return None


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
    size = _encoded_size(raw)
    if size is None:
        return _refuse(
            ProblemCode.INVALID_DEFINITION, "A workflow definition must be plain JSON (no NaN or Infinity)"
        )
    # Oversized definitions are refused before any per-node work, which would grow with them.
    if size > MAX_DEFINITION_BYTES:
        message = f"The definition takes {size} bytes; at most {MAX_DEFINITION_BYTES} are accepted"
        return _refuse(ProblemCode.DEFINITION_TOO_LARGE, message)
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
