"""The bounded template sandbox: what a template may compute, and what it may spend doing it.

`BoundedSandbox` is the Jinja environment; `TemplateBudget` is what one rendering may spend
(CPU time, sizes and depth of values). See `engine.execution.rendering` for how renderings use them.
"""

from engine.sandbox.budget import (
    MAX_INT_BITS,
    InlineSliceSpent,
    TemplateBudget,
    TemplateLimitError,
    current_budget,
)
from engine.sandbox.environment import BoundedSandbox

__all__ = [
    "MAX_INT_BITS",
    "BoundedSandbox",
    "InlineSliceSpent",
    "TemplateBudget",
    "TemplateLimitError",
    "current_budget",
]
