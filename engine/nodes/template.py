"""Executor of `template` nodes: render text, or JSON when the text is JSON."""

from __future__ import annotations

import json

from pydantic import JsonValue

from engine.dsl import TemplateNode
from engine.nodes.base import NodeContext, NodeResult

_JSON_STARTS = frozenset('{["-0123456789tfn')
"""First characters of a JSON text (after whitespace): anything else is text without trying."""


def parse_json_text(text: str) -> JsonValue:
    """The JSON value a text holds, or the text itself when it is not JSON.

    Args:
        text: Rendered text.

    Returns:
        The parsed value (`"42"` gives 42, `'{"a": 1}'` a mapping), else `text`.
    """
    stripped = text.lstrip()
    if not stripped or stripped[0] not in _JSON_STARTS:
        return text
    try:
        value: JsonValue = json.loads(stripped, parse_constant=_refuse_constant)
    except ValueError:
        return text
    return value


def _refuse_constant(name: str) -> JsonValue:
    # Python's json reads NaN and Infinity, which are not JSON: such text stays text.
    raise ValueError(name)


async def execute(spec: TemplateNode, context: NodeContext) -> NodeResult:
    """Render the node's template.

    Args:
        spec: The node.
        context: The attempt's context.

    Returns:
        The rendered text, or the JSON value it holds.

    Raises:
        NodeError: The template fails (not retryable).
    """
    return NodeResult(output=parse_json_text(await context.render(spec.params.template)))
