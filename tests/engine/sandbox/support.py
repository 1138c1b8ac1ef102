"""Rendering with the shared environment under a budget, as the engine does, without a run."""

from __future__ import annotations

from typing import Any

from engine.graph import template_environment
from engine.limits import RunLimits
from engine.sandbox import TemplateBudget

SMALL = RunLimits(max_template_output_bytes=10_000, template_cpu_seconds=0.2)
"""Limits small enough that refusals show quickly."""


def render(source: str, limits: RunLimits = SMALL, **scope: Any) -> str:
    """Render `source` in the shared sandbox under a full (thread) budget of `limits`."""
    budget = TemplateBudget.in_thread(limits)
    return budget.run(lambda: budget.collect(template_environment().from_string(source).generate(scope)))


def evaluate(expression: str, limits: RunLimits = SMALL, **scope: Any) -> Any:
    """Evaluate an expression in the shared sandbox under a full budget of `limits`."""
    budget = TemplateBudget.in_thread(limits)
    return budget.run(template_environment().compile_expression(expression, undefined_to_none=False), **scope)
