"""The `human` node: pauses the run until someone submits input."""

from typing import Annotated, ClassVar, Literal

from pydantic import Field, JsonValue

from engine.dsl.base import DslModel
from engine.dsl.json_schema import JsonSchema
from engine.dsl.node_base import NodeBase
from engine.dsl.slots import TEXT_TEMPLATE

SUBMITTED_BRANCH = "submitted"
"""Taken once valid input was submitted; an edge without a branch means the same."""

TIMEOUT_BRANCH = "timeout"
"""Taken when nobody submitted within `timeoutSeconds`."""


def _any_object() -> dict[str, JsonValue]:
    return {"type": "object"}


class HumanParams(DslModel):
    """Parameters of a `human` node."""

    prompt: Annotated[str, Field(min_length=1), TEXT_TEMPLATE]
    """What the person is asked (a template)."""
    input_schema: Annotated[JsonSchema, Field(alias="schema", title="Schema")] = Field(
        default_factory=_any_object
    )
    """JSON Schema of the input to submit (any object by default); the form is built from it and
    submissions are checked against it."""
    timeout_seconds: Annotated[float | None, Field(gt=0)] = None
    """How long to wait before taking the `timeout` branch; forever when unset."""


class HumanNode(NodeBase):
    """Pauses the run until valid input is submitted; that input is its output."""

    title: ClassVar[str] = "Human input"

    type: Literal["human"]
    """The node kind."""
    params: HumanParams
    """What to ask, and what input to accept."""

    def branches(self) -> tuple[str, ...]:
        """`submitted` and `timeout`.

        Returns:
            The branch names.
        """
        return (SUBMITTED_BRANCH, TIMEOUT_BRANCH)
