"""Rendering templates against a run: bounded, off the event loop when costly, failures named by field.

Every template goes through the shared bounded sandbox of `engine.graph.templates`, so what
validation accepted is exactly what runs, and every rendering has a budget (`RunLimits`: CPU time,
output and value sizes). Compiled forms are cached by source text: the same workflow's templates are
rendered by every run of it.

A rendering first runs on the event loop, within a slice of `INLINE_SLICE_SECONDS` in which no single
operation may cost more than `INLINE_MAX_UNITS` (see `engine.sandbox.budget`). Templates are pure
(the sandbox is immutable), so one that outgrows the slice is simply rendered again from the start
in a worker thread, with the full CPU budget; at most `RENDER_THREADS` renderings use threads at
once. The common template costs a few microseconds and never leaves the loop; a costly one never
blocks it for more than the slice.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import anyio
from jinja2 import StrictUndefined, Template, Undefined
from pydantic import JsonValue

from engine.dsl import has_template_syntax
from engine.graph import template_environment
from engine.limits import RunLimits
from engine.nodes.base import NodeError
from engine.sandbox import InlineSliceSpent, TemplateBudget, current_budget

T = TypeVar("T")
Scope = dict[str, Any]
"""The names a template sees: `input`, `inputs`, `iteration`, `nodes`."""

INLINE_SLICE_SECONDS = 0.003
"""CPU time a rendering may take on the event loop before it moves to a thread."""
INLINE_MAX_UNITS = 2048
"""Work units one operation may cost on the event loop (a Python-level filter over 2,000 items)."""
INLINE_MAX_SOURCE = 4096
"""Longer templates are compiled and rendered in a thread: compiling is not interruptible."""
RENDER_THREADS = 2
"""Renderings that may run in worker threads at once; the others wait without blocking the loop."""

_RENDER_THREADS = anyio.CapacityLimiter(RENDER_THREADS)
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

    def frozen(self) -> NodeOutputs:
        """The outputs as they are now, for a rendering in another thread while the run goes on."""
        return NodeOutputs(dict(self._outputs))


def _failure(where: str | None, error: BaseException) -> NodeError:
    if isinstance(error, RecursionError):
        text = "the template recurses too deeply"
    else:
        text = str(error) or type(error).__name__
    return NodeError(f"{where}: {text}" if where else text, retryable=False)


def _frozen(scope: Scope) -> Scope:
    nodes = scope.get("nodes")
    return {**scope, "nodes": nodes.frozen()} if isinstance(nodes, NodeOutputs) else scope


async def _bounded(work: Callable[[Scope], T], scope: Scope, limits: RunLimits) -> T:
    try:
        return TemplateBudget.inline_slice(limits, INLINE_SLICE_SECONDS, INLINE_MAX_UNITS).run(work, scope)
    except InlineSliceSpent:
        pass
    budget = TemplateBudget.in_thread(limits)
    try:
        return await anyio.to_thread.run_sync(
            budget.run, work, _frozen(scope), limiter=_RENDER_THREADS, abandon_on_cancel=True
        )
    except anyio.get_cancelled_exc_class():
        budget.cancel()  # the abandoned thread stops at its next check
        raise


def _compiled(source: str, compile_source: Callable[[str], T]) -> T:
    if current_budget().inline and len(source) > INLINE_MAX_SOURCE:
        raise InlineSliceSpent
    return compile_source(source)


def _text(source: str, scope: Scope, where: str | None) -> str:
    try:
        return current_budget().collect(_compiled(source, compiled_template).generate(scope))
    except Exception as error:  # any failure inside a user's template is the user's node failing
        raise _failure(where, error) from None


def _value_of(source: str, scope: Scope, where: str | None) -> Any:
    try:
        value = _compiled(source, compiled_expression)(scope)
        if isinstance(value, Undefined):
            str(value)  # StrictUndefined raises here, with the message naming the variable
    except Exception as error:  # as in _text
        raise _failure(where, error) from None
    return value


def _rendered(value: JsonValue, scope: Scope, where: Callable[[str], str | None]) -> JsonValue:
    if isinstance(value, str):
        if not has_template_syntax(value):
            return value
        expression = single_expression(value)
        if expression is None:
            return _text(value, scope, where(value))
        return as_json(_value_of(expression, scope, where(value)), where(value))
    if isinstance(value, dict):
        return {key: _rendered(item, scope, where) for key, item in value.items()}
    if isinstance(value, list):
        return [_rendered(item, scope, where) for item in value]
    return value


async def render_text(source: str, scope: Scope, where: str | None, limits: RunLimits) -> str:
    """Render a template to text, within the budget of `limits`.

    Args:
        source: The template.
        scope: The names it sees.
        where: The field path to name in an error (`params.prompt`), when known.
        limits: The run's limits (CPU time, output and value sizes).

    Returns:
        The text.

    Raises:
        NodeError: The template failed or exceeded its budget (not retryable); the message starts
            with `where`.
    """
    return await _bounded(functools.partial(_text, source, where=where), scope, limits)


async def evaluate(source: str, scope: Scope, where: str | None, limits: RunLimits) -> Any:
    """Evaluate a template expression to its value, within the budget of `limits`.

    Args:
        source: The expression.
        scope: The names it sees.
        where: The field path to name in an error, when known.
        limits: The run's limits.

    Returns:
        The value (any Python value the sandbox produced).

    Raises:
        NodeError: The expression failed, is undefined or exceeded its budget (not retryable).
    """
    return await _bounded(functools.partial(_value_of, source, where=where), scope, limits)


async def render_value(
    value: JsonValue, scope: Scope, where: Callable[[str], str | None], limits: RunLimits
) -> JsonValue:
    """Render each string leaf of a JSON value; `{{ expression }}` alone keeps the value's type.

    The whole value is one rendering: its templates share one budget.

    Args:
        value: A JSON value whose strings are templates.
        scope: The names they see.
        where: Gives the field path of a template text, for error messages.
        limits: The run's limits.

    Returns:
        The rendered value.

    Raises:
        NodeError: A template failed, exceeded the budget, or produced something that is not JSON
            (not retryable).
    """
    if not _has_templates(value):
        return value
    return await _bounded(functools.partial(_rendered, value, where=where), scope, limits)


def _has_templates(value: JsonValue) -> bool:
    if isinstance(value, str):
        return has_template_syntax(value)
    if isinstance(value, dict):
        return any(_has_templates(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_templates(item) for item in value)
    return False


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
