"""The `llm` node with pydantic-ai's offline models: TestModel and FunctionModel."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    TextPart,
    ToolCallPart,
    UserPromptPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel

from engine.models import StaticModelFactory
from engine.nodes import llm
from engine.nodes.base import NodeError
from engine.records import Usage
from tests.engine.nodes.context import make_context
from tests.engine.nodes.llm_support import OneModel, llm_node

SCHEMA = {
    "type": "object",
    "properties": {"title": {"type": "string"}, "score": {"type": "integer", "minimum": 0}},
    "required": ["title", "score"],
}


async def test_the_test_model_answers_offline_and_streams_its_answer() -> None:
    context = make_context(models=StaticModelFactory({}))

    result = await llm.execute(llm_node(model="test", prompt="Hello"), context)

    assert result.output == "success (no tool calls)"
    assert "".join(context.deltas) == result.output
    assert len(context.deltas) > 1
    assert result.usage.requests == 1
    assert result.usage.output_tokens > 0


async def test_each_streamed_chunk_becomes_one_delta() -> None:
    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[str]:
        for piece in ["Bon", "jour ", "Ada"]:
            yield piece

    context = make_context(models=OneModel(FunctionModel(stream_function=stream)))

    result = await llm.execute(llm_node(model="test", prompt="Hi"), context)

    assert context.deltas == ["Bon", "jour ", "Ada"]
    assert result.output == "Bonjour Ada"


async def test_prompt_and_system_are_rendered_and_settings_passed() -> None:
    seen: dict[str, object] = {}

    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[str]:
        request = messages[-1]
        assert isinstance(request, ModelRequest)
        prompt = request.parts[-1]
        assert isinstance(prompt, UserPromptPart)
        seen.update(prompt=prompt.content, instructions=request.instructions, settings=info.model_settings)
        yield "ok"

    context = make_context(models=OneModel(FunctionModel(stream_function=stream)), input={"name": "Ada"})
    spec = llm_node(
        model="test",
        prompt="Summarise {{ input.name }}",
        system="You speak {{ 'French' }}",
        temperature=0.2,
        maxTokens=50,
    )

    await llm.execute(spec, context)

    assert seen == {
        "prompt": "Summarise Ada",
        "instructions": "You speak French",
        "settings": {"temperature": 0.2, "max_tokens": 50},
    }


def answer_with(*arguments: dict[str, object]) -> FunctionModel:
    """A model that calls the output tool with each of `arguments` in turn."""
    calls = iter(arguments)

    def function(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        tool = info.output_tools[0]
        return ModelResponse(parts=[ToolCallPart(tool.name, json.dumps(next(calls)))])

    return FunctionModel(function)


async def test_structured_output_is_the_json_object() -> None:
    context = make_context(models=OneModel(answer_with({"title": "Report", "score": 3})))

    result = await llm.execute(llm_node(model="test", prompt="Rate it", outputSchema=SCHEMA), context)

    assert result.output == {"title": "Report", "score": 3}
    assert context.deltas == []


async def test_an_answer_breaking_the_schema_is_sent_back_to_the_model() -> None:
    model = answer_with({"title": "Report", "score": -1}, {"title": "Report", "score": 2})
    context = make_context(models=OneModel(model))

    result = await llm.execute(llm_node(model="test", prompt="Rate it", outputSchema=SCHEMA), context)

    assert result.output == {"title": "Report", "score": 2}
    assert result.usage.requests == 2


async def test_a_model_that_never_matches_the_schema_fails_the_node() -> None:
    bad = {"title": "Report", "score": -1}
    context = make_context(models=OneModel(answer_with(*[bad] * 10)))

    with pytest.raises(NodeError, match="misbehaved"):
        await llm.execute(llm_node(model="test", prompt="Rate it", outputSchema=SCHEMA), context)


async def test_a_schema_that_is_not_an_object_gives_a_bare_value() -> None:
    schema = {"type": "array", "items": {"type": "string"}}
    context = make_context(models=OneModel(answer_with({"result": ["a", "b"]})))

    result = await llm.execute(llm_node(model="test", prompt="List", outputSchema=schema), context)

    assert result.output == ["a", "b"]


async def test_usage_is_the_models_token_count() -> None:
    def function(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        return ModelResponse(parts=[TextPart("fine")])

    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[str]:
        yield "fine"

    context = make_context(models=OneModel(FunctionModel(function, stream_function=stream)))

    result = await llm.execute(llm_node(model="test", prompt="How are you"), context)

    assert result.usage == Usage(input_tokens=result.usage.input_tokens, output_tokens=1, requests=1)
    assert result.usage.input_tokens > 0


async def test_missing_credentials_fail_the_node_for_good() -> None:
    context = make_context(models=StaticModelFactory({}))

    with pytest.raises(NodeError, match=r"set a credential for provider openai \(setCredential\)") as failure:
        await llm.execute(llm_node(model="openai:gpt-4o", prompt="Hi"), context)
    assert not failure.value.retryable


async def test_a_failing_prompt_template_fails_the_node_for_good() -> None:
    context = make_context(models=StaticModelFactory({}))

    with pytest.raises(NodeError) as failure:
        await llm.execute(llm_node(model="test", prompt="{{ inputs.missing }}"), context)
    assert not failure.value.retryable
