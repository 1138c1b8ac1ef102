"""Executor of `llm` nodes: one pydantic-ai agent run per attempt.

Text answers are streamed (each delta becomes a NODE_DELTA event); structured answers arrive
whole, since a half-written JSON object means nothing to a viewer.
"""

from __future__ import annotations

from pydantic import JsonValue
from pydantic_ai import Agent
from pydantic_ai.models import Model
from pydantic_ai.settings import ModelSettings
from pydantic_ai.tools import Tool
from pydantic_ai.usage import RunUsage

from engine.dsl import LlmNode, LlmParams
from engine.dsl.json_schema import JsonSchema
from engine.nodes.base import NodeContext, NodeResult
from engine.nodes.llm_output import structured_output
from engine.nodes.llm_tools import build_tools
from engine.nodes.model_errors import PROVIDER_ERRORS, provider_failure
from engine.records import Usage


def model_settings(params: LlmParams) -> ModelSettings:
    """The node's sampling settings; unset ones are left to the model's defaults."""
    settings = ModelSettings()
    if params.temperature is not None:
        settings["temperature"] = params.temperature
    if params.max_tokens is not None:
        settings["max_tokens"] = params.max_tokens
    return settings


def usage_of(usage: RunUsage) -> Usage:
    """pydantic-ai's usage as the engine records it."""
    return Usage(usage.input_tokens, usage.output_tokens, usage.requests)


async def _structured(
    params: LlmParams,
    schema: JsonSchema,
    model: Model,
    prompt: str,
    *,
    system: str | None,
    tools: list[Tool[None]],
) -> tuple[JsonValue, RunUsage]:
    output = structured_output(schema)
    agent = Agent(
        model,
        output_type=output.output_type,
        instructions=system,
        tools=tools,
        model_settings=model_settings(params),
    )
    agent.output_validator(output.check)
    result = await agent.run(prompt)
    return output.unwrap(result.output), result.usage


async def _streamed_text(
    params: LlmParams,
    model: Model,
    prompt: str,
    *,
    system: str | None,
    tools: list[Tool[None]],
    context: NodeContext,
) -> tuple[JsonValue, RunUsage]:
    agent = Agent(model, instructions=system, tools=tools, model_settings=model_settings(params))
    async with agent.run_stream(prompt) as stream:
        # Without debounce_by=None, deltas arriving close together are merged into one event.
        async for delta in stream.stream_text(delta=True, debounce_by=None):
            context.emit_delta(delta)
        text = await stream.get_output()
        return text, stream.usage


async def execute(spec: LlmNode, context: NodeContext) -> NodeResult:
    """Ask the node's model; the output is the answer's text, or the JSON object of `outputSchema`.

    Args:
        spec: The node.
        context: The node's context.

    Returns:
        The answer and its token usage (tools' embedding costs included).

    Raises:
        NodeError: A template fails, credentials are missing, the provider rejected the request
            (not retryable); the provider was busy, failed or unreachable (retryable).
    """
    params = spec.params
    prompt = await context.render(params.prompt)
    system = await context.render(params.system) if params.system is not None else None
    tools, spend = await build_tools(params.tools, context)
    try:
        model = await context.services.models.model(context.workspace_id, params.model)
        if params.output_schema is not None:
            output, usage = await _structured(
                params, params.output_schema, model, prompt, system=system, tools=tools
            )
        else:
            output, usage = await _streamed_text(
                params, model, prompt, system=system, tools=tools, context=context
            )
    except PROVIDER_ERRORS as error:
        raise provider_failure(error) from error
    priced = context.services.prices.priced(params.model, usage_of(usage))
    return NodeResult(output=output, usage=priced + spend.usage)
