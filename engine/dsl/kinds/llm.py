"""The `llm` node: one call to a language model, optionally with tools and structured output."""

from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, Field, field_validator
from pydantic_core import PydanticCustomError

from engine.dsl.base import DslModel
from engine.dsl.json_schema import JsonSchema
from engine.dsl.kinds.llm_tools import LlmTool
from engine.dsl.node_base import NodeBase
from engine.dsl.slots import TEXT_TEMPLATE

MODEL_PROVIDERS = ("openai", "openai-chat", "anthropic", "ollama")
"""Providers of `provider:name` model strings; `openai-chat` is any OpenAI-compatible server."""

TEST_MODEL = "test"
"""The offline model (pydantic-ai's `TestModel`), alone or as `test:<anything>`."""


def check_model_name(model: str) -> str:
    """Accept `provider:name` with a known provider, or the offline `test` model.

    Args:
        model: The model string.

    Returns:
        The model string, unchanged.

    Raises:
        PydanticCustomError: `unknown_model_provider`.
        ValueError: The model name after the provider is empty.
    """
    if model == TEST_MODEL or model.startswith(f"{TEST_MODEL}:"):
        return model
    provider, colon, name = model.partition(":")
    if not colon or provider not in MODEL_PROVIDERS:
        raise PydanticCustomError(
            "unknown_model_provider",
            "Unknown model provider in '{model}': write provider:name with a provider among {providers},"
            " or 'test'",
            {"model": model, "providers": ", ".join(MODEL_PROVIDERS)},
        )
    if not name:
        raise ValueError(f"'{model}' names no model after the provider")
    return model


class LlmParams(DslModel):
    """Parameters of an `llm` node."""

    model: Annotated[str, AfterValidator(check_model_name)]
    """The model as `provider:name`: `openai:gpt-4o`, `openai-chat:<name>` (any OpenAI-compatible
    server), `anthropic:<name>`, `ollama:<name>`, or `test` for the offline test model."""
    prompt: Annotated[str, Field(min_length=1), TEXT_TEMPLATE]
    """The user message (a template)."""
    system: Annotated[str | None, TEXT_TEMPLATE] = None
    """The system instructions (a template)."""
    temperature: Annotated[float | None, Field(ge=0, le=2)] = None
    """Sampling temperature; the model's default when unset."""
    max_tokens: Annotated[int | None, Field(gt=0)] = None
    """Most tokens the model may generate; the model's default when unset."""
    output_schema: JsonSchema | None = None
    """A JSON Schema: when set, the model answers with JSON valid against it, and that is the output."""
    tools: list[LlmTool] = Field(default_factory=list)
    """Tools the model may call while answering."""

    @field_validator("tools")
    @classmethod
    def _tool_names_unique(cls, tools: list[LlmTool]) -> list[LlmTool]:
        names = [tool.name for tool in tools]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise PydanticCustomError(
                "duplicate_tool_name",
                "Tool names must be unique within the node: {names} appear more than once",
                {"names": ", ".join(duplicates)},
            )
        return tools


class LlmNode(NodeBase):
    """Calls a language model with a prompt; streams its answer and records token usage."""

    title: ClassVar[str] = "LLM"

    type: Literal["llm"]
    """The node kind."""
    params: LlmParams
    """What to ask which model, and how."""
