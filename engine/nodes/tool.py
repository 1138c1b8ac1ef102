"""Executor of `tool` nodes: one HTTP request through the SSRF-safe client."""

from __future__ import annotations

from engine.dsl import ToolNode
from engine.nodes.base import NodeContext, NodeResult
from engine.nodes.http_client import HttpRequest, raise_for_status, send


async def render_headers(headers: dict[str, str], context: NodeContext) -> dict[str, str]:
    """Render header values; a header must end up as text.

    The current trace's headers (`traceparent`, `tracestate`) come first, so the called server can
    join the run's trace; a header the node sets itself wins.

    Args:
        headers: Header templates.
        context: The node's context.

    Returns:
        The rendered headers.

    Raises:
        NodeError: A template fails (not retryable).
    """
    rendered = {name: await context.render(value) for name, value in headers.items()}
    given = {name.lower() for name in rendered}
    carried = {
        name: value
        for name, value in context.services.telemetry.outbound_headers().items()
        if name.lower() not in given
    }
    return carried | rendered


async def execute(spec: ToolNode, context: NodeContext) -> NodeResult:
    """Send the node's request; its output is `{"status", "headers", "body"}`.

    The body is parsed JSON when the response says it is JSON, else text.

    Args:
        spec: The node.
        context: The node's context.

    Returns:
        The response as the node's output.

    Raises:
        NodeError: The request was refused, failed, or answered with a non-2xx status (5xx, 408
            and 429 are retryable).
    """
    params = spec.params
    request = HttpRequest(
        method=params.method,
        url=(await context.render(params.url)).strip(),
        headers=await render_headers(params.headers, context),
        body=await context.render_value(params.body),
        timeout_seconds=params.timeout_seconds,
    )
    response = await send(request, context.services.http)
    raise_for_status(request, response)
    return NodeResult(output=response.as_output())
