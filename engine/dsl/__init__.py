"""The workflow language: pydantic models of a workflow definition and of each node kind."""

from engine.dsl.base import ERROR_BRANCH, DslModel
from engine.dsl.kinds.condition import Case, ConditionNode, ConditionParams
from engine.dsl.kinds.embedding import EmbeddingNode, EmbeddingParams
from engine.dsl.kinds.human import SUBMITTED_BRANCH, TIMEOUT_BRANCH, HumanNode, HumanParams
from engine.dsl.kinds.llm import MODEL_PROVIDERS, LlmNode, LlmParams
from engine.dsl.kinds.llm_tools import HttpTool, LlmTool, RetrieveTool
from engine.dsl.kinds.output import OutputNode, OutputParams
from engine.dsl.kinds.retrieve import RetrieveNode, RetrieveParams
from engine.dsl.kinds.template import TemplateNode, TemplateParams
from engine.dsl.kinds.tool import ToolNode, ToolParams
from engine.dsl.limits import MAX_DEFINITION_BYTES, MAX_DEFINITION_DEPTH, MAX_NAME_LENGTH, MAX_NODES
from engine.dsl.node_base import NodeBase, OnError, Position, RetryPolicy
from engine.dsl.registry import (
    NODE_SPECS,
    Node,
    NodeKindInfo,
    node_kind_names,
    node_kinds,
    node_spec_class,
    params_model,
)
from engine.dsl.slots import (
    EXPRESSION_TEMPLATE,
    JSON_TEMPLATE,
    TEXT_TEMPLATE,
    TemplateSlot,
    has_template_syntax,
)
from engine.dsl.workflow import Edge, WorkflowDefinition

__all__ = [
    "ERROR_BRANCH",
    "EXPRESSION_TEMPLATE",
    "JSON_TEMPLATE",
    "MAX_DEFINITION_BYTES",
    "MAX_DEFINITION_DEPTH",
    "MAX_NAME_LENGTH",
    "MAX_NODES",
    "MODEL_PROVIDERS",
    "NODE_SPECS",
    "SUBMITTED_BRANCH",
    "TEXT_TEMPLATE",
    "TIMEOUT_BRANCH",
    "Case",
    "ConditionNode",
    "ConditionParams",
    "DslModel",
    "Edge",
    "EmbeddingNode",
    "EmbeddingParams",
    "HttpTool",
    "HumanNode",
    "HumanParams",
    "LlmNode",
    "LlmParams",
    "LlmTool",
    "Node",
    "NodeBase",
    "NodeKindInfo",
    "OnError",
    "OutputNode",
    "OutputParams",
    "Position",
    "RetrieveNode",
    "RetrieveParams",
    "RetrieveTool",
    "RetryPolicy",
    "TemplateNode",
    "TemplateParams",
    "TemplateSlot",
    "ToolNode",
    "ToolParams",
    "WorkflowDefinition",
    "has_template_syntax",
    "node_kind_names",
    "node_kinds",
    "node_spec_class",
    "params_model",
]
