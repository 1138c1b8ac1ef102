"""What an edge carries from its source's latest node run: a value when it fires, else nothing."""

from __future__ import annotations

from enum import Enum, auto
from typing import Final, Literal

from pydantic import JsonValue

from engine.dsl import ERROR_BRANCH, SUBMITTED_BRANCH, Edge
from engine.records import NodeRun, NodeStatus


class _Silence(Enum):
    INACTIVE = auto()


INACTIVE: Final = _Silence.INACTIVE
"""What an edge that does not fire carries."""

Carried = JsonValue | Literal[_Silence.INACTIVE]
"""A value an edge passes on, or INACTIVE."""

_SUCCEEDED = NodeStatus.SUCCEEDED
_FAILED = NodeStatus.FAILED


def carried(edge: Edge, row: NodeRun) -> Carried:
    """What `edge` passes on, given its source's latest node run.

    An edge fires when its source succeeded and the edge leaves from the branch the source took
    (no branch: the source took none, or a human node's input was `submitted`), or when its source
    failed with `onError: errorEdge` and the edge is its `error` edge.

    Args:
        edge: An edge.
        row: The latest node run of the edge's source.

    Returns:
        The source's output; `{"error", "nodeId"}` along an error edge; INACTIVE when it does not fire.
    """
    status = row.status
    if status is _SUCCEEDED:
        branch = row.branch
        wanted = edge.branch
        if wanted == branch or (wanted is None and branch == SUBMITTED_BRANCH):
            return row.output
    elif status is _FAILED and row.branch == ERROR_BRANCH and edge.branch == ERROR_BRANCH:
        return {"error": row.error, "nodeId": row.node_id}
    return INACTIVE
