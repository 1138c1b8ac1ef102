"""The one template environment, and where templates are in a node.

Validation and rendering share both: a template accepted here is parsed by the same environment
that renders it, and exactly the fields enumerated here are rendered.
"""

import functools
from collections.abc import Iterator
from typing import NamedTuple

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.parser import Parser
from pydantic import BaseModel

from engine.dsl import DslModel, TemplateSlot
from engine.graph.problems import json_path
from engine.sandbox import BoundedSandbox

Step = str | int


class TemplateField(NamedTuple):
    """One template of a node."""

    path: str
    """JSON path from the node, e.g. `params.prompt` or `params.cases[0].when`."""
    source: str
    """The template text."""
    is_expression: bool
    """Whether it is an expression (`input.score > 0.5`) rather than a template (`Hi {{ input }}`)."""


@functools.cache
def template_environment() -> BoundedSandbox:
    """The template environment shared by validation and rendering.

    Sandboxed, so templates cannot reach Python internals; immutable, so a template cannot
    modify a node output that other nodes read too; bounded, so a template evaluates only under
    a budget of CPU time and value sizes, and nothing is evaluated when it is compiled; strict, so
    a misspelt name fails the node instead of rendering as an empty string; no HTML escaping,
    since output goes to models and APIs, not browsers; trailing newlines are kept, since prompts
    are reproduced exactly.

    Returns:
        The shared environment (one per process; do not modify it).
    """
    return BoundedSandbox(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


def parse_template(source: str, *, is_expression: bool) -> nodes.Template:
    """Parse a template or an expression, as rendering will.

    Some faults (an unknown filter) are found only when the tree is compiled or analysed; see
    `engine.graph.references.template_references`.

    Args:
        source: The template text.
        is_expression: Parse `source` as a single expression (as `compile_expression` does).

    Returns:
        The template's syntax tree; an expression is wrapped as `{{ expression }}`.

    Raises:
        TemplateSyntaxError: The text is not a valid template or expression.
    """
    try:
        return _parse(source, is_expression=is_expression)
    except ValueError as error:
        # Jinja's lexer converts number literals with int(), which refuses more than 4300 digits.
        raise TemplateSyntaxError(f"invalid literal: {error}", 1) from None


def _parse(source: str, *, is_expression: bool) -> nodes.Template:
    environment = template_environment()
    if is_expression:
        parser = Parser(environment, source, state="variable")
        expression = parser.parse_expression()
        if not parser.stream.eos:
            raise TemplateSyntaxError("chunk after expression", parser.stream.current.lineno)
        tree = nodes.Template([nodes.Output([expression], lineno=1)], lineno=1)
        tree.set_environment(environment)
        return tree
    return environment.parse(source)


def _json_strings(value: object, path: tuple[Step, ...]) -> Iterator[tuple[tuple[Step, ...], str]]:
    # Iterative, in document order: a deeply nested body must not exhaust the call stack.
    pending: list[tuple[tuple[Step, ...], object]] = [(path, value)]
    while pending:
        here, item = pending.pop()
        if isinstance(item, str):
            yield here, item
        elif isinstance(item, dict):
            pending.extend(reversed([((*here, key), child) for key, child in item.items()]))
        elif isinstance(item, list):
            pending.extend(reversed([((*here, index), child) for index, child in enumerate(item)]))


def _model_templates(model: BaseModel, path: tuple[Step, ...]) -> Iterator[TemplateField]:
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        here = (*path, field.alias or name)
        slot = next((mark for mark in field.metadata if isinstance(mark, TemplateSlot)), None)
        if slot is not None:
            for where, source in _json_strings(value, here):
                yield TemplateField(json_path(where), source, slot.kind == "expression")
        elif isinstance(value, DslModel):
            yield from _model_templates(value, here)
        elif isinstance(value, list):
            for position, item in enumerate(value):
                if isinstance(item, DslModel):
                    yield from _model_templates(item, (*here, position))


def template_fields(node: DslModel) -> Iterator[TemplateField]:
    """Every template of a node, wherever its kind declares one (fields marked with a `TemplateSlot`).

    Args:
        node: A node (or any model of the workflow language).

    Yields:
        Each template with its path from the node, in field order; unset optional templates are
        skipped.
    """
    yield from _model_templates(node, ())
