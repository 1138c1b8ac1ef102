"""The rules on templates: syntax, names, and references to nodes and run inputs."""

from collections.abc import Mapping

from jinja2 import TemplateSyntaxError

from engine.graph.graph_rules import graph_of, known_ids
from engine.graph.parsing import DefinitionParts, NodeEntry
from engine.graph.problems import Problem, ProblemCode
from engine.graph.references import CONTEXT_NAMES, References, template_references
from engine.graph.templates import template_fields
from engine.graph.topology import ancestor_sets


def _declared_inputs(parts: DefinitionParts) -> frozenset[str] | None:
    properties = (parts.inputs or {}).get("properties")
    return frozenset(properties) if isinstance(properties, dict) else None


def _reference_problems(
    references: References,
    *,
    entry: NodeEntry,
    path: str,
    node_ids: Mapping[str, NodeEntry],
    ancestors: frozenset[str],
    declared_inputs: frozenset[str] | None,
) -> list[Problem]:
    node_id = entry.id
    problems = []
    for name in references.unknown_names:
        message = f"Unknown name '{name}'; a template can read {', '.join(sorted(CONTEXT_NAMES))}"
        problems.append(Problem(ProblemCode.TEMPLATE_UNKNOWN_VARIABLE, message, path, node_id))
    for other in references.nodes:
        if other not in node_ids:
            message = f"The template reads nodes.{other}, but there is no node '{other}'"
            problems.append(Problem(ProblemCode.TEMPLATE_UNKNOWN_NODE, message, path, node_id))
        elif other not in ancestors:
            message = (
                f"The template reads nodes.{other}, but '{other}' does not run before '{node_id}':"
                " a template can read only nodes that lead to its own"
            )
            problems.append(Problem(ProblemCode.TEMPLATE_NOT_UPSTREAM, message, path, node_id))
    if declared_inputs is not None:
        for name in references.inputs:
            if name not in declared_inputs:
                message = f"The template reads inputs.{name}, which the workflow's inputs do not declare"
                problems.append(Problem(ProblemCode.TEMPLATE_UNKNOWN_INPUT, message, path, node_id))
    return problems


def check_templates(parts: DefinitionParts) -> list[Problem]:
    """Check every template of every readable node.

    Args:
        parts: The definition as read.

    Returns:
        The problems found, node by node, field by field.
    """
    if parts.nodes is None:
        return []
    node_ids = known_ids(parts.nodes)
    ancestors = ancestor_sets(graph_of(node_ids, parts.edges))
    declared_inputs = _declared_inputs(parts)
    problems = []
    for entry in parts.nodes:
        if entry.node is None:
            continue
        upstream = ancestors.get(entry.node.id, frozenset())
        for field in template_fields(entry.node):
            path = f"{entry.path}.{field.path}"
            try:
                references = template_references(field.source, is_expression=field.is_expression)
            except TemplateSyntaxError as error:
                message = f"Template syntax error at line {error.lineno}: {error.message}"
                problems.append(Problem(ProblemCode.TEMPLATE_SYNTAX, message, path, entry.id))
                continue
            except RecursionError:
                # Jinja's parser and compiler recurse once per nesting level.
                message = "The template is nested too deeply to be parsed"
                problems.append(Problem(ProblemCode.TEMPLATE_SYNTAX, message, path, entry.id))
                continue
            problems += _reference_problems(
                references,
                entry=entry,
                path=path,
                node_ids=node_ids,
                ancestors=upstream,
                declared_inputs=declared_inputs,
            )
    return problems
