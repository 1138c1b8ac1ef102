"""Markers for the fields of node params that hold templates.

A field annotated with a slot is rendered with the run's template context before its node runs.
The markers are the single list of templated fields: validation checks exactly the templates that
rendering evaluates, and the editor reads the slot kind from the `x-template` JSON-Schema keyword.
"""

from dataclasses import dataclass
from typing import Literal

from pydantic import GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

TEMPLATE_MARKERS = ("{{", "{%", "{#")
"""Any of these in a string makes Jinja treat it as more than literal text."""


def has_template_syntax(text: str) -> bool:
    """Tell whether a string contains Jinja syntax, i.e. is more than a literal.

    Args:
        text: The string to inspect.

    Returns:
        True when rendering the string could change it.
    """
    return any(marker in text for marker in TEMPLATE_MARKERS)


@dataclass(frozen=True)
class TemplateSlot:
    """Marks a params field (in `Annotated[...]`) whose strings are Jinja templates."""

    kind: Literal["text", "expression", "json"]
    """`text`: the string is a template; `expression`: the string is a template expression
    (`input.score > 0.5`); `json`: any JSON value, each string inside it is a template."""

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """Add `x-template` to the field's JSON Schema, so the editor can offer a template editor."""
        schema = handler(core_schema)
        schema["x-template"] = self.kind
        return schema


TEXT_TEMPLATE = TemplateSlot("text")
"""The field is a template string."""

EXPRESSION_TEMPLATE = TemplateSlot("expression")
"""The field is a template expression, evaluated to a value rather than rendered to text."""

JSON_TEMPLATE = TemplateSlot("json")
"""The field is any JSON value whose string leaves (and only those) are templates."""
