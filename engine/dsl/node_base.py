"""What every node has, whatever its kind: identity, placement, and failure handling."""

from typing import Annotated, ClassVar, Literal

from pydantic import Field, JsonValue

from engine.dsl.base import DslModel, Identifier
from engine.dsl.limits import MAX_NAME_LENGTH

OnError = Literal["fail", "errorEdge", "default"]
"""What a node does once its last attempt failed: fail the run, take its `error` edge, or succeed
with `defaultOutput`."""


class Position(DslModel):
    """Where the node is drawn on the editor's canvas."""

    x: float
    """Horizontal position, in canvas units."""
    y: float
    """Vertical position, in canvas units."""


class RetryPolicy(DslModel):
    """How often, and how patiently, a failing node is attempted again."""

    max_attempts: Annotated[int, Field(ge=1, le=10)] = 1
    """Attempts in total, the first included: 1 means no retry."""
    backoff_seconds: Annotated[float, Field(ge=0)] = 1.0
    """Wait before the second attempt."""
    backoff_multiplier: Annotated[float, Field(ge=1)] = 2.0
    """Factor applied to the wait after each further failure."""
    max_backoff_seconds: Annotated[float, Field(ge=0)] = 60.0
    """Upper bound of any single wait."""


class NodeBase(DslModel):
    """The fields common to every node kind; each kind adds `type` and its own `params`."""

    title: ClassVar[str]
    """Human name of the kind, shown in the editor's palette."""
    named_branches_required: ClassVar[bool] = False
    """Whether every edge leaving the node must name one of its `branches()` (true for `condition`)."""
    bounds_loops: ClassVar[bool] = False
    """Whether a cycle through this kind is a legal, bounded loop (true for `condition`)."""

    id: Identifier
    """Unique within the workflow; templates refer to the node's output as `nodes.<id>.output`."""
    label: Annotated[str | None, Field(max_length=MAX_NAME_LENGTH)] = None
    """Name shown on the canvas."""
    position: Position | None = None
    """Where the node is drawn on the canvas."""
    retry: RetryPolicy | None = None
    """Retries with backoff; none by default."""
    timeout_seconds: Annotated[float | None, Field(gt=0, le=86_400)] = None
    """Time limit of one attempt; none by default."""
    on_error: OnError = "fail"
    """What to do once the last attempt failed: `fail` the run, follow the `error` edge
    (`errorEdge`), or succeed with `defaultOutput` (`default`)."""
    default_output: JsonValue = None
    """The output used when `onError` is `default` and the node failed."""

    def branches(self) -> tuple[str, ...]:
        """The named outputs an edge may leave this node from, besides the unnamed one and `error`.

        Returns:
            The branch names; none for most kinds.
        """
        return ()
