"""The binary operators of templates, refused before they build something too large.

`9 ** 16000000`, `'a' * 100000000` and a string doubled in a loop each take one operator; the
sandbox intercepts every binary operator and checks the size of the result from the operands
first.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from engine.sandbox.budget import MAX_INT_BITS, TemplateBudget, TemplateLimitError
from engine.sandbox.estimates import percent_format_size

_SHOWN_CHARACTERS = 12


def describe(value: object) -> str:
    """A short description of an operand for an error message (never a huge text or number)."""
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value) if value.bit_length() <= 64 else f"a {value.bit_length()}-bit integer"
    if isinstance(value, str | bytes):
        head = value[:_SHOWN_CHARACTERS]
        shown = repr(str(head) if isinstance(head, str) else bytes(head))  # Markup prints as plain text
        return shown + "…" if len(value) > _SHOWN_CHARACTERS else shown
    if isinstance(value, list | tuple | dict):
        return f"a {type(value).__name__} of {len(value)} items"
    return f"a {type(value).__name__}"


def _is_int(value: object) -> bool:
    return isinstance(value, int)


def _is_sequence(value: object) -> bool:
    return isinstance(value, str | bytes | list | tuple)


def _check_power(base: Any, exponent: Any) -> None:
    if _is_int(base) and _is_int(exponent) and exponent > 0 and abs(base) > 1:
        bits = exponent * math.log2(abs(base))
        if bits > MAX_INT_BITS:
            raise TemplateLimitError(
                f"the power {describe(base)} ** {describe(exponent)} is too large"
                f" (a template's integers have at most {MAX_INT_BITS} bits)"
            )


def _repeat(budget: TemplateBudget, left: Any, right: Any, compute: Callable[[Any, Any], Any]) -> Any:
    sequence, times = (left, right) if _is_int(right) else (right, left)
    size, height = budget.measure(sequence)
    total = size * max(times, 0)
    if total > budget.max_value:
        raise budget.too_large(f"{describe(left)} * {describe(right)}", total)
    budget.charge_text(total)
    result = compute(left, right)
    if isinstance(result, list | tuple):
        budget.remember(result, total, height)
    return result


def _concatenate(budget: TemplateBudget, left: Any, right: Any, compute: Callable[[Any, Any], Any]) -> Any:
    left_size, left_height = budget.measure(left)
    right_size, right_height = budget.measure(right)
    total = left_size + right_size
    if total > budget.max_value:
        raise budget.too_large(f"{describe(left)} + {describe(right)}", total)
    budget.charge_text(total)
    result = compute(left, right)
    if isinstance(result, list | tuple):
        budget.remember(result, total, max(left_height, right_height))
    return result


def apply_binop(
    budget: TemplateBudget, operator: str, left: Any, right: Any, compute: Callable[[Any, Any], Any]
) -> Any:
    """Compute `left <operator> right` unless its result would exceed the budget's limits.

    Args:
        budget: The rendering's budget (charged for the work).
        operator: One of `+ - * / // % **`.
        left: The left operand.
        right: The right operand.
        compute: The operator itself.

    Returns:
        The result.

    Raises:
        TemplateLimitError: The result would be too large (checked before computing it).
    """
    budget.charge()
    if operator == "**":
        _check_power(left, right)
    elif operator == "*":
        if _is_int(left) and _is_int(right):
            if left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise TemplateLimitError(f"the product {describe(left)} * {describe(right)} is too large")
        elif (_is_sequence(left) and _is_int(right)) or (_is_int(left) and _is_sequence(right)):
            return _repeat(budget, left, right, compute)
    elif operator == "+":
        if _is_sequence(left) and _is_sequence(right):
            return _concatenate(budget, left, right, compute)
    elif operator == "%" and isinstance(left, str | bytes):
        size = percent_format_size(budget, left, right)
        if size > budget.max_value:
            raise budget.too_large(f"formatting {describe(left)}", size)
        budget.charge_text(size)
    return compute(left, right)
