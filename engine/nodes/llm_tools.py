"""The tools an `llm` node offers its model, as pydantic-ai tools.

A retrieve tool searches a collection with a query the model writes. An HTTP tool calls a fixed
endpoint (URL, headers and body rendered once, before the model runs) through the same SSRF-safe
client as `tool` nodes; the model supplies query parameters and, when the node fixes no body for a
method that takes one, a JSON body. A non-2xx answer is returned to the model rather than failing
the node, so it can react; a refused destination or a network failure fails the node.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from pydantic import JsonValue
from pydantic_ai import Tool

from engine.dsl import HttpTool, LlmTool, RetrieveTool
from engine.nodes.base import NodeContext
from engine.nodes.http_client import HttpRequest, send
from engine.nodes.knowledge import search
from engine.nodes.tool import render_headers
from engine.records import NO_USAGE, Usage

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
"""Methods whose request body the model may write."""

HTTP_TOOL_TIMEOUT_SECONDS = 30.0


@dataclass
class ToolSpend:
    """Usage the tools caused (embedding the retrieve tools' queries), added to the node's."""

    usage: Usage = field(default=NO_USAGE)


def _retrieve_tool(spec: RetrieveTool, context: NodeContext, spend: ToolSpend) -> Tool[None]:
    async def search_collection(query: str) -> list[JsonValue]:
        """Search the collection.

        Args:
            query: What to look for, in words.
        """
        hits, usage = await search(context, spec.collection, query, top_k=spec.top_k, mode=spec.mode)
        spend.usage += usage
        return hits

    return Tool(search_collection, name=spec.name, description=spec.description)


async def _http_tool(spec: HttpTool, context: NodeContext) -> Tool[None]:
    url = (await context.render(spec.url)).strip()
    headers = await render_headers(spec.headers, context)
    fixed_body = await context.render_value(spec.body)
    settings = context.services.http

    async def call(query: dict[str, str] | None, body: JsonValue) -> JsonValue:
        target = str(httpx.URL(url).copy_merge_params(query)) if query else url
        request = HttpRequest(
            spec.method,
            target,
            headers,
            fixed_body if fixed_body is not None else body,
            HTTP_TOOL_TIMEOUT_SECONDS,
        )
        response = await send(request, settings)
        return {"status": response.status, "body": response.body}

    async def call_endpoint(query: dict[str, str] | None = None) -> JsonValue:
        """Call the endpoint.

        Args:
            query: Query-string parameters to add to the URL.
        """
        return await call(query, None)

    async def call_endpoint_with_body(
        query: dict[str, str] | None = None, body: dict[str, JsonValue] | None = None
    ) -> JsonValue:
        """Call the endpoint.

        Args:
            query: Query-string parameters to add to the URL.
            body: The JSON request body.
        """
        return await call(query, body)

    takes_body = spec.method in BODY_METHODS and spec.body is None
    function = call_endpoint_with_body if takes_body else call_endpoint
    return Tool(function, name=spec.name, description=spec.description)


async def build_tools(specs: list[LlmTool], context: NodeContext) -> tuple[list[Tool[None]], ToolSpend]:
    """Turn a node's tool specs into pydantic-ai tools.

    Args:
        specs: The node's tools.
        context: The node's context (templates are rendered here, before the model runs).

    Returns:
        The tools, and the record of what they spend.

    Raises:
        NodeError: A tool's template fails (not retryable).
    """
    spend = ToolSpend()
    tools = [
        _retrieve_tool(spec, context, spend)
        if isinstance(spec, RetrieveTool)
        else await _http_tool(spec, context)
        for spec in specs
    ]
    return tools, spend
