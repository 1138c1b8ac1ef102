"""The base every model of the workflow language shares, and the names they have in common."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from pydantic.fields import ComputedFieldInfo, FieldInfo

IDENTIFIER_PATTERN = r"^[A-Za-z_][A-Za-z0-9_-]*$"
"""Node ids and branch names: they appear in templates (`nodes.n1`) and edges, so no spaces or dots."""

Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=IDENTIFIER_PATTERN)]
"""A node id or a branch name."""

CollectionName = Annotated[str, Field(min_length=1, max_length=128)]
"""The name of a knowledge collection in the workspace."""

ERROR_BRANCH = "error"
"""The branch of an edge taken when its source node fails and has `onError: errorEdge`."""


def _field_title(name: str, _field: FieldInfo | ComputedFieldInfo) -> str:
    # The editor builds its forms from the JSON Schema, so titles are labels people read.
    return name.replace("_", " ").capitalize()


class DslModel(BaseModel):
    """Base of every model of the workflow language.

    The JSON is camelCase (`maxTokens`); Python uses snake_case and accepts either on input.
    Unknown fields are rejected and values are not coerced (`"5"` is not an integer): a silently
    ignored typo or coercion in a saved workflow would surface only when it runs.
    Models are frozen: a validated definition is a value the engine shares between runs.
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        serialize_by_alias=True,
        extra="forbid",
        strict=True,
        frozen=True,
        use_attribute_docstrings=True,
        field_title_generator=_field_title,
    )
