"""Rendering templates against a run: compiled once per source text, failures named by field.

Every template goes through the shared sandbox of `engine.graph.templates`, so what validation
accepted is exactly what runs. Compiled forms are cached by source text: the same workflow's
templates are rendered by every run of it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import StrictUndefined, Template, Undefined
from pydantic import JsonValue

from engine.dsl import has_template_syntax
from engine.graph import template_environment
from engine.nodes.base import NodeError

Scope = dict[str, Any]
"""The names a template sees: `input`, `inputs`, `iteration`, `nodes`."""

_CACHE_SIZE = 4096
_SINGLE_EXPRESSION = re.compile(r"\{\{-?(?P<expression>(?:(?!\{\{|\}\}|\{%|%\}|\{#).)*?)-?\}\}", re.DOTALL)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def compiled_template(source: str) -> Template:
    """The compiled form of a template (cached by text).

    Args:
        source: The template text.

    Returns:
        The template, from the shared sandboxed environment.
    """
    return template_environment().from_string(source)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def compiled_expression(source: str) -> Callable[..., Any]:
    """The compiled form of a template expression such as `input.score > 0.5` (cached by text).

    Args:
        source: The expression.

    Returns:
        A callable taking the scope and returning the expression's value (undefined stays undefined).
    """
    return template_environment().compile_expression(source, undefined_to_none=False)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def single_expression(source: str) -> str | None:
    """The expression of a string that is exactly one `{{ expression }}`, else None.

    Args:
        source: A template text.

    Returns:
        The text between the braces, or None when there is anything else around or beside it.
    """
    match = _SINGLE_EXPRESSION.fullmatch(source)
    return match.group("expression") if match else None


class NodeOutputs:
    """`nodes` in templates: `nodes.X.output` is X's latest output.

    Not a dict, so that `nodes.items` or `nodes.get` reach nodes named `items` or `get` rather than
    dict methods. A node without output reads as undefined, which fails the template (StrictUndefined)
    unless the template tests it with `is defined`.
    """

    __slots__ = ("_outputs",)

    def __init__(self, outputs: Mapping[str, JsonValue]) -> None:
        """View `outputs` (node id to latest output), which keeps changing as the run goes on."""
        self._outputs = outputs

    def __getitem__(self, node_id: str) -> object:
        """`nodes["X"]`: `{"output": ...}`, or undefined when X has no output (yet)."""
        outputs = self._outputs
        if node_id in outputs:
            return {"output": outputs[node_id]}
        return StrictUndefined(hint=f"node '{node_id}' has no output (it has not run or did not succeed)")

    def __getattr__(self, name: str) -> object:
        """`nodes.X`; names with a leading underscore go through `__getitem__` (the sandbox's rule)."""
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]


def _failure(where: str | None, error: BaseException) -> NodeError:
    text = str(error) or type(error).__name__
    return NodeError(f"{where}: {text}" if where else text, retryable=False)


def render_text(source: str, scope: Scope, where: str | None) -> str:
    """Render a template to text.

    Args:
        source: The template.
        scope: The names it sees.
        where: The field path to name in an error (`params.prompt`), when known.

    Returns:
        The text.

    Raises:
        NodeError: The template failed (not retryable); the message starts with `where`.
    """
    try:
        return compiled_template(source).render(scope)
    except Exception as error:  # any failure inside a user's template is the user's node failing
        raise _failure(where, error) from None


def evaluate(source: str, scope: Scope, where: str | None) -> Any:
    """Evaluate a template expression to its value.

    Args:
        source: The expression.
        scope: The names it sees.
        where: The field path to name in an error, when known.

    Returns:
        The value (any Python value the sandbox produced).

    Raises:
        NodeError: The expression failed or is undefined (not retryable).
    """
    try:
        value = compiled_expression(source)(scope)
        if isinstance(value, Undefined):
            str(value)  # StrictUndefined raises here, with the message naming the variable
    except Exception as error:  # as in render_text
        raise _failure(where, error) from None
    return value


def render_value(value: JsonValue, scope: Scope, where: Callable[[str], str | None]) -> JsonValue:
    """Render each string leaf of a JSON value; `{{ expression }}` alone keeps the value's type.

    Args:
        value: A JSON value whose strings are templates.
        scope: The names they see.
        where: Gives the field path of a template text, for error messages.

    Returns:
        The rendered value.

    Raises:
        NodeError: A template failed, or produced something that is not JSON (not retryable).
    """
    if isinstance(value, str):
        if not has_template_syntax(value):
            return value
        expression = single_expression(value)
        if expression is None:
            return render_text(value, scope, where(value))
        return as_json(evaluate(expression, scope, where(value)), where(value))
    if isinstance(value, dict):
        return {key: render_value(item, scope, where) for key, item in value.items()}
    if isinstance(value, list):
        return [render_value(item, scope, where) for item in value]
    return value


def _is_json(value: object) -> bool:
    if value is None or type(value) in (str, int, float, bool):
        return True
    if type(value) is dict:
        return all(type(key) is str and _is_json(item) for key, item in value.items())
    if type(value) is list:
        return all(_is_json(item) for item in value)
    return False


def _to_json(value: object) -> JsonValue:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return str(value)  # Markup and other str subclasses become plain text
    if isinstance(value, Mapping):
        return {str(key): _to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_to_json(item) for item in value]
    raise TypeError(f"the value is a {type(value).__name__}, which is not JSON")


def as_json(value: object, where: str | None) -> JsonValue:
    """Check (and if needed convert) an expression's value to JSON; JSON values are returned as they are.

    Args:
        value: What an expression produced.
        where: The field path to name in an error, when known.

    Returns:
        The JSON value: tuples become lists, str subclasses plain strings.

    Raises:
        NodeError: The value cannot be JSON (e.g. a `range`), not retryable.
    """
    try:
        if _is_json(value):
            return value  # type: ignore[return-value]  # just checked; large outputs are not copied
        return _to_json(value)
    except (TypeError, RecursionError) as error:
        raise _failure(where, error) from None
