"""Calls from templates: methods and globals that allocate from an argument are checked first.

`'x'.center(10**9)`, `(1).to_bytes(10**9)`, `s.replace('a', s)` or `lipsum(10**6)` each build a
huge value in one call; the sandbox's `call` hook checks them here before calling. Every result is
then checked by `TemplateBudget.admit`, which bounds everything else a call can build.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import BuiltinMethodType, FunctionType, MethodType
from typing import Any

from jinja2.runtime import Context
from jinja2.utils import generate_lorem_ipsum

from engine.sandbox.budget import TemplateBudget
from engine.sandbox.estimates import brace_format_size, replace_size, translate_size

Arguments = tuple[Any, ...]
MethodCheck = Callable[[TemplateBudget, Any, Arguments, dict[str, Any]], Arguments]
"""Checks a call of a method of `owner`; returns the positional arguments to call it with."""

_LOREM_WORD_CHARACTERS = 12


def argument(args: Arguments, kwargs: Mapping[str, Any], index: int, name: str, default: Any = None) -> Any:
    """The argument at `index`, or passed as `name`, or `default`."""
    return args[index] if index < len(args) else kwargs.get(name, default)


def count(value: object) -> int:
    """`value` as a count: a positive integer, else 0 (other values make the call itself fail)."""
    return value if isinstance(value, int) and value > 0 else 0


def refuse_over(budget: TemplateBudget, what: str, size: int) -> None:
    """Refuse when `size` is over the budget's value limit, else charge for producing it."""
    if size > budget.max_value:
        raise budget.too_large(what, size)
    budget.charge_text(size)


def _width(budget: TemplateBudget, text: Any, args: Arguments, kwargs: dict[str, Any]) -> Arguments:
    width = count(argument(args, kwargs, 0, "width"))
    refuse_over(budget, f"padding to the width {width}", width)
    return args


def _expandtabs(budget: TemplateBudget, text: Any, args: Arguments, kwargs: dict[str, Any]) -> Arguments:
    tab = "\t" if isinstance(text, str) else b"\t"
    size = len(text) + text.count(tab) * count(argument(args, kwargs, 0, "tabsize", 8))
    refuse_over(budget, "expanding the tabs", size)
    return args


def _replace(budget: TemplateBudget, text: Any, args: Arguments, kwargs: dict[str, Any]) -> Arguments:
    size = replace_size(
        text,
        argument(args, kwargs, 0, "old"),
        argument(args, kwargs, 1, "new"),
        argument(args, kwargs, 2, "count", -1),
    )
    refuse_over(budget, "the replacement", size)
    return args


def _translate(budget: TemplateBudget, text: Any, args: Arguments, kwargs: dict[str, Any]) -> Arguments:
    refuse_over(budget, "the translation", translate_size(text, argument(args, kwargs, 0, "table")))
    return args


def join_size(budget: TemplateBudget, items: list[Any] | tuple[Any, ...], separator: object) -> int:
    """An upper bound on the length of `items` joined with `separator` (items printed as text)."""
    between = len(separator) if isinstance(separator, str | bytes) else 0
    return budget.size(items) + len(items) * between


def materialized(budget: TemplateBudget, items: Any) -> Any:
    """`items` as a list (unless it is a list or tuple already), to be measured before it is joined."""
    if isinstance(items, list | tuple) or not hasattr(items, "__iter__"):
        return items
    listed = list(items)
    budget.charge(1 + len(listed))
    return listed


def _join(budget: TemplateBudget, separator: Any, args: Arguments, kwargs: dict[str, Any]) -> Arguments:
    if not args:
        return args
    items = materialized(budget, args[0])
    if isinstance(items, list | tuple):
        refuse_over(budget, "the joined text", join_size(budget, items, separator))
    return (items, *args[1:])


def _format(budget: TemplateBudget, text: Any, args: Arguments, kwargs: dict[str, Any]) -> Arguments:
    if isinstance(text, str):
        refuse_over(budget, "the formatted text", brace_format_size(budget, text, args, kwargs))
    return args


def _format_map(budget: TemplateBudget, text: Any, args: Arguments, kwargs: dict[str, Any]) -> Arguments:
    mapping = argument(args, kwargs, 0, "mapping")
    if isinstance(text, str) and isinstance(mapping, Mapping):
        refuse_over(budget, "the formatted text", brace_format_size(budget, text, (), mapping))
    return args


_TEXT_METHODS: dict[str, MethodCheck] = {
    "center": _width,
    "ljust": _width,
    "rjust": _width,
    "zfill": _width,
    "expandtabs": _expandtabs,
    "replace": _replace,
    "translate": _translate,
    "join": _join,
    "format": _format,
    "format_map": _format_map,
}
"""Methods of str and bytes whose result can be much longer than the text and its arguments."""


def _method_of(function: Any) -> tuple[object, str] | None:
    if type(function) is FunctionType and hasattr(function, "__wrapped__"):
        function = function.__wrapped__  # the sandbox's wrapper around str.format
    if isinstance(function, BuiltinMethodType | MethodType):
        return function.__self__, function.__name__
    return None


def checked_call(
    budget: TemplateBudget, context: Context, function: Any, args: Arguments, kwargs: dict[str, Any]
) -> Any:
    """Call `function` for a template, refusing first the calls that would build too large a value.

    Args:
        budget: The rendering's budget.
        context: The template context (the call goes through it, as in Jinja's sandbox).
        function: What the template calls (already found safe to call).
        args: Positional arguments.
        kwargs: Keyword arguments.

    Returns:
        What the call returned (the caller checks its size).

    Raises:
        TemplateLimitError: The call would build a value over the limits.
    """
    method = _method_of(function)
    if method is not None:
        owner, name = method
        if isinstance(owner, str | bytes):
            budget.charge_text(len(owner))
            check = _TEXT_METHODS.get(name)
            if check is not None:
                args = check(budget, owner, args, kwargs)
        elif isinstance(owner, int) and name == "to_bytes":
            length = count(argument(args, kwargs, 0, "length", 1))
            refuse_over(budget, f"{length} bytes", length)
    elif function is generate_lorem_ipsum:
        paragraphs = count(argument(args, kwargs, 0, "n", 5))
        words = max(count(argument(args, kwargs, 2, "min", 20)), count(argument(args, kwargs, 3, "max", 100)))
        refuse_over(budget, "the lorem ipsum", paragraphs * words * _LOREM_WORD_CHARACTERS)
    return context.call(function, *args, **kwargs)
