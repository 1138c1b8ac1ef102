"""Filters, wrapped: each is charged for its input, some are checked first, every result is measured.

Jinja calls filters directly, not through the sandbox's `call` hook, so the environment replaces each
one with a wrapper from here. The checks before the call catch filters whose result can be far
larger than their input and arguments (`center(10**9)`, `indent(10**9)`, `batch(10**9, 0)`, ...).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from engine.sandbox.budget import TemplateBudget, current_budget
from engine.sandbox.calls import Arguments, argument, count, join_size, materialized, refuse_over
from engine.sandbox.estimates import percent_format_size, replace_size

FilterCheck = Callable[[TemplateBudget, Any, Arguments, dict[str, Any]], Arguments]
"""Checks a filter's call; gets the value and the other arguments, returns (value, *arguments)."""

_COPIES_PER_SUM = 16
"""`sum` over lists copies the running total once per item; more than this many results' worth is refused."""
_LINK_MARKUP = 64
"""Characters `urlize` adds around each link, besides `target` and `rel`."""


def _work(value: object) -> int:
    if isinstance(value, str | bytes):
        return 1 + len(value) // 64
    if isinstance(value, list | tuple | dict | set | frozenset | range):
        return 1 + len(value)
    return 1


def _center(budget: TemplateBudget, value: Any, rest: Arguments, kwargs: dict[str, Any]) -> Arguments:
    width = count(argument(rest, kwargs, 0, "width", 80))
    refuse_over(budget, f"centering in the width {width}", width)
    return (value, *rest)


def _indent(budget: TemplateBudget, value: Any, rest: Arguments, kwargs: dict[str, Any]) -> Arguments:
    if isinstance(value, str):
        width = argument(rest, kwargs, 0, "width", 4)
        step = len(width) if isinstance(width, str) else count(width)
        refuse_over(budget, "the indented text", len(value) + (value.count("\n") + 1) * step)
    return (value, *rest)


def _wordwrap(budget: TemplateBudget, value: Any, rest: Arguments, kwargs: dict[str, Any]) -> Arguments:
    if isinstance(value, str):
        width = max(count(argument(rest, kwargs, 0, "width", 79)), 1)
        wrapstring = argument(rest, kwargs, 2, "wrapstring") or "\n"
        # Lines end at words, hyphens, paragraphs, or inside a word longer than the width.
        lines = len(value.split()) + value.count("-") + value.count("\n") + len(value) // width + 1
        refuse_over(budget, "the wrapped text", len(value) + lines * len(str(wrapstring)))
    return (value, *rest)


def _padding(budget: TemplateBudget, groups: int, fill: object) -> None:
    if fill is not None:
        refuse_over(budget, "the padding", groups * (budget.size(fill) + 2))


def _batch(budget: TemplateBudget, value: Any, rest: Arguments, kwargs: dict[str, Any]) -> Arguments:
    _padding(budget, count(argument(rest, kwargs, 0, "linecount")), argument(rest, kwargs, 1, "fill_with"))
    return (value, *rest)


def _slice(budget: TemplateBudget, value: Any, rest: Arguments, kwargs: dict[str, Any]) -> Arguments:
    slices = count(argument(rest, kwargs, 0, "slices"))
    refuse_over(budget, f"{slices} slices", slices)
    _padding(budget, slices, argument(rest, kwargs, 1, "fill_with"))
    return (value, *rest)


def _format(budget: TemplateBudget, value: Any, rest: Arguments, kwargs: dict[str, Any]) -> Arguments:
    if isinstance(value, str):
        size = percent_format_size(budget, value, kwargs or rest)
        refuse_over(budget, "the formatted text", size)
    return (value, *rest)


def _join(budget: TemplateBudget, value: Any, rest: Arguments, kwargs: dict[str, Any]) -> Arguments:
    items = materialized(budget, value)
    if isinstance(items, list | tuple):
        refuse_over(budget, "the joined text", join_size(budget, items, argument(rest, kwargs, 0, "d", "")))
    return (items, *rest)


def _replace(budget: TemplateBudget, value: Any, rest: Arguments, kwargs: dict[str, Any]) -> Arguments:
    if isinstance(value, str):
        old, new = argument(rest, kwargs, 0, "old"), argument(rest, kwargs, 1, "new")
        refuse_over(
            budget, "the replacement", replace_size(value, old, new, argument(rest, kwargs, 2, "count"))
        )
    return (value, *rest)


def _sum(budget: TemplateBudget, value: Any, rest: Arguments, kwargs: dict[str, Any]) -> Arguments:
    start = argument(rest, kwargs, 1, "start", 0)
    if not isinstance(start, list | tuple):
        return (value, *rest)
    items = materialized(budget, value)
    if isinstance(items, list | tuple):
        copies = len(items) * (budget.size(items) + budget.size(start))
        if copies > _COPIES_PER_SUM * budget.max_value:
            raise budget.too_large("summing these sequences (copies of the running total)", copies)
        budget.charge_text(copies)
    return (items, *rest)


def _indented_json(budget: TemplateBudget, value: Any, rest: Arguments, kwargs: dict[str, Any]) -> Arguments:
    indent = argument(rest, kwargs, 0, "indent")
    step = len(indent) if isinstance(indent, str) else count(indent)
    size, height = budget.measure(value)
    refuse_over(budget, "the indented JSON", size * (1 + height * step))
    return (value, *rest)


def _pprint(budget: TemplateBudget, value: Any, rest: Arguments, kwargs: dict[str, Any]) -> Arguments:
    size, height = budget.measure(value)
    refuse_over(budget, "the pretty-printed value", size * (1 + height))
    return (value, *rest)


def _urlize(budget: TemplateBudget, value: Any, rest: Arguments, kwargs: dict[str, Any]) -> Arguments:
    if isinstance(value, str):
        extra = sum(
            len(str(argument(rest, kwargs, index, name) or "")) for index, name in ((2, "target"), (3, "rel"))
        )
        size = 2 * len(value) + len(value.split()) * (extra + _LINK_MARKUP)
        refuse_over(budget, "the linked text", size)
    return (value, *rest)


_CHECKS: dict[str, FilterCheck] = {
    "center": _center,
    "indent": _indent,
    "wordwrap": _wordwrap,
    "batch": _batch,
    "slice": _slice,
    "format": _format,
    "join": _join,
    "replace": _replace,
    "sum": _sum,
    "tojson": _indented_json,
    "pprint": _pprint,
    "urlize": _urlize,
}


def bounded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a filter so that it is charged, checked when `_CHECKS` knows it, and its result measured.

    Args:
        name: The filter's name in templates.
        function: The filter (its `pass_context`-style marker is kept).

    Returns:
        The wrapper.
    """
    check = _CHECKS.get(name)
    # pass_context, pass_eval_context and pass_environment filters get that first, then the value.
    at = 0 if getattr(function, "jinja_pass_arg", None) is None else 1

    @functools.wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        budget = current_budget()
        if len(args) > at:
            value = args[at]
            budget.charge(_work(value))
            if check is not None:
                args = (*args[:at], *check(budget, value, args[at + 1 :], kwargs))
        return budget.admit(function(*args, **kwargs))

    return bounded


def bounded_filters(filters: Mapping[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    """Every filter of `filters`, wrapped by `bounded_filter`."""
    return {name: bounded_filter(name, function) for name, function in filters.items()}
