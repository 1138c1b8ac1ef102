"""How long the result of a text operation would be, found without doing it.

`'%0100000000d' % 1`, `'{:>100000000}'.format(1)` or `s.replace('a', s)` allocate 100 MB from a few
characters of template; these estimates let the sandbox refuse them first. They are upper bounds
(widths, precisions and every argument's size added up), close enough never to refuse a
reasonable operation.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from typing import Any

from engine.sandbox.budget import TemplateBudget, TemplateLimitError

_NUMBER_DIGITS = 330
"""Upper bound on the digits of a float in any conversion (`'%f' % 1e308` has 316)."""
_MAX_DIGITS = 12
"""A width or precision written with more digits than this is refused outright."""
_SPEC_NUMBERS = re.compile(r"[0-9]+")
_FLAGS = frozenset("-+ #0")
_LENGTH_MODIFIERS = frozenset("hlL")


def _number(text: str) -> int:
    if len(text) > _MAX_DIGITS:
        raise TemplateLimitError(f"the format width or precision {text[:20]}… is too large")
    return int(text) if text else 0


class _PercentArguments:
    """The values `%` conversions take: one per conversion from a tuple, or by key from a mapping."""

    def __init__(self, arguments: object) -> None:
        self._values = arguments if isinstance(arguments, tuple) else (arguments,)
        self._mapping = arguments if isinstance(arguments, Mapping) else None
        self._next = 0

    def positional(self) -> object:
        value = self._values[self._next] if self._next < len(self._values) else None
        self._next += 1
        return value

    def keyed(self, key: str) -> object:
        return self._mapping.get(key) if self._mapping is not None else None


def _read_number(text: str, index: int, given: _PercentArguments) -> tuple[int, int]:
    # A width or precision at `index`: `*` takes the next argument. Returns (value, next index).
    if index < len(text) and text[index] == "*":
        value = given.positional()
        return (abs(value) if isinstance(value, int) else 0), index + 1
    start = index
    while index < len(text) and "0" <= text[index] <= "9":
        index += 1
    return _number(text[start:index]), index


def _read_key(text: str, index: int) -> tuple[str, int]:
    # Python matches parentheses in a key: `%(a(b))s` reads the key `a(b)`. Returns (key, next index).
    depth, start = 1, index + 1
    while index + 1 < len(text) and depth:
        index += 1
        depth += {"(": 1, ")": -1}.get(text[index], 0)
    return text[start:index], index + 1


def percent_format_size(budget: TemplateBudget, template: str | bytes, arguments: object) -> int:
    """An upper bound on the length of `template % arguments`, scanning as Python's `%` does.

    Args:
        budget: Measures the arguments.
        template: The format (bytes are read as Latin-1).
        arguments: The right operand of `%`.

    Returns:
        The bound, in characters.

    Raises:
        TemplateLimitError: A width or precision is absurdly long, or an argument is too large.
    """
    text = template if isinstance(template, str) else template.decode("latin-1")
    budget.charge_text(len(text))
    given = _PercentArguments(arguments)
    total = len(text)
    index = text.find("%")
    while 0 <= index < len(text) - 1:
        index += 1
        if text[index] == "%":
            index = text.find("%", index + 1)
            continue
        key = None
        if text[index] == "(":
            key, index = _read_key(text, index)
        while index < len(text) and text[index] in _FLAGS:
            index += 1
        width, index = _read_number(text, index, given)
        precision = 0
        if index < len(text) and text[index] == ".":
            precision, index = _read_number(text, index + 1, given)
        while index < len(text) and text[index] in _LENGTH_MODIFIERS:
            index += 1
        value = given.keyed(key) if key is not None else given.positional()
        total += width + precision + budget.size(value) + _NUMBER_DIGITS
        index = text.find("%", index + 1)
    return total


def brace_format_size(
    budget: TemplateBudget, template: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]
) -> int:
    """An upper bound on the length of `template.format(*args, **kwargs)`.

    Every replacement field is counted as the largest argument, plus the largest width or
    precision in its format spec (nested fields such as `{:{w}}` as the largest integer argument).

    Args:
        budget: Measures the arguments.
        template: The format string.
        args: Positional arguments.
        kwargs: Keyword arguments (or the mapping of `format_map`).

    Returns:
        The bound, in characters; a malformed format gives its own length (formatting it fails).

    Raises:
        TemplateLimitError: A width or precision is absurdly long, or an argument is too large.
    """
    budget.charge_text(len(template))
    values = [*args, *kwargs.values()]
    largest = max((budget.size(value) for value in values), default=0)
    widest = max((abs(value) for value in values if type(value) is int), default=0)
    total = 0
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError:
        return len(template)
    for literal, name, spec, _ in fields:
        total += len(literal)
        if name is None:
            continue
        width = max((_number(digits) for digits in _SPEC_NUMBERS.findall(spec or "")), default=0)
        if spec and "{" in spec:
            width = max(width, widest)
        total += largest + width + _NUMBER_DIGITS
    return total


def replace_size(text: str | bytes, old: object, new: object, count: object = -1) -> int:
    """An upper bound on the length of `text.replace(old, new, count)` (exact for valid arguments).

    Args:
        text: The text.
        old: What to replace (anything else than text makes `replace` fail: the bound is `len(text)`).
        new: The replacement.
        count: At most this many replacements when it is a non-negative integer.

    Returns:
        The length of the result.
    """
    if not isinstance(old, str | bytes) or not isinstance(new, str | bytes):
        return len(text)
    try:
        found = text.count(old) if old else len(text) + 1  # type: ignore[arg-type]  # mixed: TypeError
    except TypeError:  # str and bytes mixed: replace fails too
        return len(text)
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    return len(text) + found * max(0, len(new) - len(old))


def translate_size(text: str | bytes, table: object) -> int:
    """An upper bound on the length of `text.translate(table)`: each character as the longest replacement."""
    replacements: list[object] = []
    if isinstance(table, Mapping):
        replacements = list(table.values())
    elif isinstance(table, list | tuple):
        replacements = list(table)
    longest = max((len(item) for item in replacements if isinstance(item, str | bytes)), default=1)
    return len(text) * max(longest, 1)
