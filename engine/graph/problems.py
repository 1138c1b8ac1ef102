"""What is wrong with a workflow definition, in a form clients can act on."""

from dataclasses import dataclass
from enum import StrEnum

from engine.json_paths import json_path

__all__ = ["Problem", "ProblemCode", "json_path"]


class ProblemCode(StrEnum):
    """The stable codes of definition problems; clients match on them, so never rename one."""

    INVALID_DEFINITION = "INVALID_DEFINITION"
    DEFINITION_TOO_LARGE = "DEFINITION_TOO_LARGE"
    DEFINITION_TOO_DEEP = "DEFINITION_TOO_DEEP"
    UNSTORABLE_TEXT = "UNSTORABLE_TEXT"
    MISSING_FIELD = "MISSING_FIELD"
    UNKNOWN_FIELD = "UNKNOWN_FIELD"
    INVALID_TYPE = "INVALID_TYPE"
    INVALID_VALUE = "INVALID_VALUE"
    UNKNOWN_NODE_KIND = "UNKNOWN_NODE_KIND"
    MISSING_NODE_KIND = "MISSING_NODE_KIND"
    EMPTY_WORKFLOW = "EMPTY_WORKFLOW"
    TOO_MANY_NODES = "TOO_MANY_NODES"
    DUPLICATE_NODE_ID = "DUPLICATE_NODE_ID"
    UNKNOWN_EDGE_SOURCE = "UNKNOWN_EDGE_SOURCE"
    UNKNOWN_EDGE_TARGET = "UNKNOWN_EDGE_TARGET"
    DUPLICATE_EDGE = "DUPLICATE_EDGE"
    CYCLE_WITHOUT_CONDITION = "CYCLE_WITHOUT_CONDITION"
    UNREACHABLE_NODE = "UNREACHABLE_NODE"
    UNEXPECTED_BRANCH = "UNEXPECTED_BRANCH"
    UNKNOWN_BRANCH = "UNKNOWN_BRANCH"
    MISSING_BRANCH = "MISSING_BRANCH"
    ERROR_EDGE_WITHOUT_ON_ERROR = "ERROR_EDGE_WITHOUT_ON_ERROR"
    MISSING_ERROR_EDGE = "MISSING_ERROR_EDGE"
    DUPLICATE_BRANCH = "DUPLICATE_BRANCH"
    RESERVED_BRANCH = "RESERVED_BRANCH"
    DUPLICATE_TOOL_NAME = "DUPLICATE_TOOL_NAME"
    INVALID_JSON_SCHEMA = "INVALID_JSON_SCHEMA"
    INVALID_URL = "INVALID_URL"
    UNKNOWN_MODEL_PROVIDER = "UNKNOWN_MODEL_PROVIDER"
    TEMPLATE_SYNTAX = "TEMPLATE_SYNTAX"
    TEMPLATE_UNKNOWN_VARIABLE = "TEMPLATE_UNKNOWN_VARIABLE"
    TEMPLATE_UNKNOWN_NODE = "TEMPLATE_UNKNOWN_NODE"
    TEMPLATE_NOT_UPSTREAM = "TEMPLATE_NOT_UPSTREAM"
    TEMPLATE_UNKNOWN_INPUT = "TEMPLATE_UNKNOWN_INPUT"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a workflow definition."""

    code: str
    """A `ProblemCode`: UPPER_SNAKE and stable, for clients to match on."""
    message: str
    """A sentence for people."""
    path: str | None = None
    """Where in the definition, as a JSON path such as `nodes[2].params.prompt`; none for the whole."""
    node_id: str | None = None
    """The node concerned, when there is one and its id could be read."""
