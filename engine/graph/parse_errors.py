"""Turning pydantic's validation errors into problems with stable codes and JSON paths."""

from collections.abc import Sequence
from dataclasses import replace

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from engine.dsl import node_kind_names
from engine.graph.problems import Problem, ProblemCode, json_path

Location = tuple[str | int, ...]

# Error types the DSL's own validators raise; each is the lowercase form of its problem code.
_DSL_ERROR_CODES = {
    code.lower(): code
    for code in (
        ProblemCode.DUPLICATE_BRANCH,
        ProblemCode.RESERVED_BRANCH,
        ProblemCode.DUPLICATE_TOOL_NAME,
        ProblemCode.INVALID_JSON_SCHEMA,
        ProblemCode.INVALID_URL,
        ProblemCode.UNKNOWN_MODEL_PROVIDER,
    )
}

_TYPE_FIELD = "type"


def resolve_location(raw: object, loc: Sequence[str | int]) -> Location:
    """Map a pydantic error location onto the input, keeping only steps that exist in it.

    Pydantic puts union bookkeeping into locations: the tag of a discriminated union (`llm`) and the
    member of a plain union (`str`). Following the location through the input drops those steps,
    and keeps a missing key as the last step.

    Args:
        raw: The input that was validated.
        loc: The error's `loc`.

    Returns:
        The location as keys and indexes of the input.
    """
    steps: list[str | int] = []
    current = raw
    for step in loc:
        if isinstance(current, dict):
            if step in current:
                steps.append(step)
                current = current[step]
            elif current.get(_TYPE_FIELD) != step:
                steps.append(step)  # a missing key: nothing further down can exist
                break
        elif isinstance(current, list) and isinstance(step, int) and 0 <= step < len(current):
            steps.append(step)
            current = current[step]
    return tuple(steps)


def _code(error: ErrorDetails) -> ProblemCode:
    kind = error["type"]
    if kind in _DSL_ERROR_CODES:
        return _DSL_ERROR_CODES[kind]
    if kind == "missing":
        return ProblemCode.MISSING_FIELD
    if kind == "extra_forbidden":
        return ProblemCode.UNKNOWN_FIELD
    if kind.endswith(("_type", "_parsing")) or kind == "int_from_float":
        return ProblemCode.INVALID_TYPE
    return ProblemCode.INVALID_VALUE


def _tag_problem(error: ErrorDetails, path: Location, node_id: str | None, *, is_node: bool) -> Problem:
    # A discriminated union could not pick a member: of the node itself, or of an LLM tool.
    where = json_path((*path, _TYPE_FIELD))
    context = error.get("ctx") or {}
    kinds = ", ".join(node_kind_names())
    if error["type"] == "union_tag_invalid":
        tag = context.get("tag")
        if is_node:
            return Problem(
                ProblemCode.UNKNOWN_NODE_KIND,
                f"Unknown node kind '{tag}'; the kinds are: {kinds}",
                where,
                node_id,
            )
        message = f"Unknown type '{tag}'; expected one of: {context.get('expected_tags')}"
        return Problem(ProblemCode.INVALID_VALUE, message, where, node_id)
    if is_node:
        return Problem(
            ProblemCode.MISSING_NODE_KIND, f"The node has no 'type'; the kinds are: {kinds}", where, node_id
        )
    return Problem(ProblemCode.MISSING_FIELD, "'type' is required", where, node_id)


def _problem(error: ErrorDetails, path: Location, node_id: str | None, *, is_node: bool) -> Problem:
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        return _tag_problem(error, path, node_id, is_node=is_node)
    code = _code(error)
    if code is ProblemCode.MISSING_FIELD:
        message = f"'{path[-1]}' is required"
    elif code is ProblemCode.UNKNOWN_FIELD:
        message = f"'{path[-1]}' is not a known field here"
    else:
        message = error["msg"].removeprefix("Value error, ")
    return Problem(code, message, json_path(path) or None, node_id)


def problems_from_error(
    error: ValidationError,
    raw: object,
    *,
    prefix: Location = (),
    node_id: str | None = None,
    is_node: bool = False,
) -> list[Problem]:
    """One problem per distinct error of a validation, with paths from the definition's root.

    Args:
        error: What pydantic raised while validating `raw`.
        raw: The validated input (part of the definition).
        prefix: The location of `raw` in the definition, e.g. `("nodes", 2)`.
        node_id: The id of the node concerned, if any.
        is_node: Whether `raw` is a node, so that its bad `type` is told apart from the bad
            `type` of something inside it (an LLM tool).

    Returns:
        The problems; errors of union members at one place are merged into one problem.
    """
    merged: dict[tuple[str, str | None], Problem] = {}
    for detail in error.errors(include_url=False):
        path = prefix + resolve_location(raw, detail["loc"])
        at_root = is_node and len(path) == len(prefix)
        problem = _problem(detail, path, node_id, is_node=at_root)
        key = (problem.code, problem.path)
        if key in merged:
            earlier = merged[key]
            if problem.message not in earlier.message:
                merged[key] = replace(earlier, message=f"{earlier.message}; or {problem.message}")
        else:
            merged[key] = problem
    return list(merged.values())
