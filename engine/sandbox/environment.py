"""The bounded sandbox: Jinja's immutable sandbox, with every costly step charged to a budget.

What it adds to `ImmutableSandboxedEnvironment`, and why:

- Nothing is evaluated when a template is compiled: Jinja's optimizer folds constant expressions
  (`{{ 'a' | center(100000000) }}` was rendered while validating), so it is off, and the output
  finalizer takes the context, which keeps Jinja from rendering constant output at compile time.
- Every binary operator, call, filter, attribute and item lookup, output, concatenation, literal
  list/tuple/dict and loop iteration is charged to the active `TemplateBudget`; the operations that
  can build large values are checked before they run (`operators`, `calls`, `filters`), and what
  they built is measured after (`TemplateBudget.admit`).
- Namespaces check what is stored in them, since `{% set ns.x = ... %}` is the one way a template
  mutates a value.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jinja2 import nodes, pass_context
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context, markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace

from engine.sandbox.budget import current_budget
from engine.sandbox.calls import checked_call
from engine.sandbox.filters import bounded_filters
from engine.sandbox.operators import apply_binop

_LOOP_TICK = "loop_tick"


def _loop_tick() -> nodes.ExprStmt:
    # The statement at the top of every loop body, charging one unit per iteration: loops without
    # calls or lookups (`{% for i in range(100000) %}{% for j in range(100000) %}`) would otherwise
    # never reach a hook. Jinja forbids new node types; the parser never makes EnvironmentAttribute.
    return nodes.ExprStmt(nodes.EnvironmentAttribute(_LOOP_TICK))


def _is_loop_tick(node: nodes.ExprStmt) -> bool:
    return isinstance(node.node, nodes.EnvironmentAttribute) and node.node.name == _LOOP_TICK


class BoundedCodeGenerator(CodeGenerator):
    """Jinja's code generator, with budget checks in loops, concatenations and literals."""

    def visit_For(self, node: nodes.For, frame: Frame) -> None:  # noqa: N802  # Jinja's visitor names
        """A loop whose body starts by charging the budget for the iteration."""
        ticking = nodes.For(
            node.target,
            node.iter,
            [_loop_tick(), *node.body],
            node.else_,
            node.test,
            node.recursive,
            lineno=node.lineno,
        )
        ticking.environment = self.environment
        super().visit_For(ticking, frame)

    def visit_ExprStmt(self, node: nodes.ExprStmt, frame: Frame) -> None:  # noqa: N802
        """`environment.loop_tick()` for the loops' ticks, else as Jinja does."""
        if _is_loop_tick(node):
            self.writeline(f"environment.{_LOOP_TICK}()")
        else:
            super().visit_ExprStmt(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:  # noqa: N802
        """`a ~ b` through `environment.join_values`, which measures the parts first."""
        self.write("environment.join_values(context, (")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write("))")

    def _admitted(self, visit: Any, node: nodes.Node, frame: Frame) -> None:
        self.write("environment.admit(")
        visit(node, frame)
        self.write(")")

    def visit_List(self, node: nodes.List, frame: Frame) -> None:  # noqa: N802
        """A list literal, measured once built."""
        self._admitted(super().visit_List, node, frame)

    def visit_Tuple(self, node: nodes.Tuple, frame: Frame) -> None:  # noqa: N802
        """A tuple literal, measured once built (tuples being assigned to are left alone)."""
        if node.ctx == "load":
            self._admitted(super().visit_Tuple, node, frame)
        else:
            super().visit_Tuple(node, frame)

    def visit_Dict(self, node: nodes.Dict, frame: Frame) -> None:  # noqa: N802
        """A dict literal, measured once built."""
        self._admitted(super().visit_Dict, node, frame)


class BoundedNamespace(Namespace):
    """`namespace()` in templates: what is stored in it is measured, as it grows the namespace."""

    def __setitem__(self, name: str, value: Any) -> None:
        """`{% set ns.name = value %}`, refused when the namespace would exceed the limits."""
        budget = current_budget()
        budget.charge()
        super().__setitem__(name, value)
        budget.admit(self)  # a refusal fails the rendering, which discards the namespace


@pass_context
def _finalize(context: Context, value: Any) -> Any:
    # Taking the context keeps Jinja from finalizing (rendering) constant output at compile time.
    budget = current_budget()
    if isinstance(value, str):
        budget.charge_text(len(value))
    elif isinstance(value, int | float) or value is None:
        budget.charge()
    else:
        budget.charge_text(budget.size(value))
    return value


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """An immutable sandbox whose templates can only spend what the active budget allows.

    Templates compiled by it evaluate only under a `TemplateBudget` (`TemplateBudget.run`); outside
    one, the first hook raises `TemplateLimitError`.
    """

    code_generator_class = BoundedCodeGenerator
    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})

    def __init__(self, **options: Any) -> None:
        """Jinja's options, with the optimizer off and the bounded finalizer, filters and globals."""
        super().__init__(**options, optimized=False, finalize=_finalize)
        self.filters = bounded_filters(self.filters)
        self.globals["namespace"] = BoundedNamespace

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """An operator, refused before computing a result over the limits."""
        return apply_binop(current_budget(), operator, left, right, self.binop_table[operator])

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        """A call, checked before when it could allocate from an argument, and measured after."""
        if not __self.is_safe_callable(__obj):
            raise SecurityError(f"{__obj!r} is not safely callable")
        budget = current_budget()
        budget.charge()
        return budget.admit(checked_call(budget, __context, __obj, args, kwargs))

    def getattr(self, obj: Any, attribute: str) -> Any:
        """`obj.attribute`, charged."""
        current_budget().charge()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        """`obj[argument]`, charged."""
        current_budget().charge()
        return super().getitem(obj, argument)

    def admit(self, value: Any) -> Any:
        """A value built by a literal, once measured (generated code calls this)."""
        return current_budget().admit(value)

    def loop_tick(self) -> None:  # named by _LOOP_TICK
        """One loop iteration (generated code calls this)."""
        current_budget().charge()

    def join_values(self, context: Context, values: tuple[Any, ...]) -> str:
        """`a ~ b ~ ...`: the parts' sizes are added up before they are printed and joined."""
        budget = current_budget()
        total = sum(budget.size(value) for value in values)
        if total > budget.max_value:
            raise budget.too_large("the concatenation", total)
        budget.charge_text(total)
        return markup_join(values) if context.eval_ctx.autoescape else str_join(values)

    def concat(self, parts: Iterable[str]) -> str:
        """Join rendered output (of macros, blocks, `{% set %}` blocks), refusing it over the limit."""
        budget = current_budget()
        pieces = list(parts)
        total = sum(map(len, pieces))
        if total > budget.max_value:
            raise budget.too_large("the rendered block", total)
        budget.charge_text(total)
        return "".join(pieces)
