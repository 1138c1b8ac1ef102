"""The engine's `Telemetry` port: a span and metrics for every node attempt.

The span is current while the executor runs, so what the executor calls (asyncpg, redis, httpx
through their instrumentation; the HTTP tool through `outbound_headers`) becomes its child. LLM and
embedding attempts carry the GenAI semantic-convention attributes: operation, provider, model and
token usage.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from uuid import UUID

from opentelemetry import propagate
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer

from backend.telemetry import metrics
from engine.dsl import EmbeddingNode, LlmNode, Node, ToolNode
from engine.records import Usage
from engine.telemetry import AttemptReport


def model_provider(model: str) -> tuple[str, str]:
    """The provider and the model's own name in a model string (`openai:gpt-4o` → openai, gpt-4o)."""
    provider, _, name = model.partition(":")
    if not name:
        return "test" if provider == "test" else provider, provider
    return provider.removesuffix("-chat"), name


class _Attempt:
    """One attempt's report: ends its span's status and counts it."""

    def __init__(self, node: Node, span: Span | None) -> None:
        self._node = node
        self._span = span
        self._started = time.perf_counter()
        self.outcome = "interrupted"

    def succeeded(self, usage: Usage, *, waiting: bool) -> None:
        self.outcome = "waiting" if waiting else "succeeded"
        node = self._node
        if isinstance(node, LlmNode):
            label = metrics.model_label(node.params.model)
            metrics.LLM_TOKENS.labels(label, "input").inc(usage.input_tokens)
            metrics.LLM_TOKENS.labels(label, "output").inc(usage.output_tokens)
            metrics.LLM_COST.labels(label).inc(usage.cost_usd)
        if isinstance(node, ToolNode):
            metrics.HTTP_TOOL_CALLS.labels("succeeded").inc()
        if self._span is not None and isinstance(node, LlmNode | EmbeddingNode):
            self._span.set_attributes(
                {
                    "gen_ai.usage.input_tokens": usage.input_tokens,
                    "gen_ai.usage.output_tokens": usage.output_tokens,
                    "flowloom.usage.requests": usage.requests,
                    "flowloom.usage.cost_usd": usage.cost_usd,
                }
            )

    def failed(self, message: str, *, retryable: bool) -> None:
        self.outcome = "failed"
        metrics.NODE_ERRORS.labels(self._node.type, str(retryable).lower()).inc()
        if isinstance(self._node, ToolNode):
            metrics.HTTP_TOOL_CALLS.labels("failed").inc()
        if self._span is not None:
            self._span.set_status(Status(StatusCode.ERROR, message[:500]))
            self._span.set_attribute("flowloom.node.retryable", retryable)

    def close(self) -> None:
        elapsed = time.perf_counter() - self._started
        metrics.NODE_DURATION.labels(self._node.type, self.outcome).observe(elapsed)
        if self._span is not None:
            self._span.set_attribute("flowloom.node.outcome", self.outcome)

    def __enter__(self) -> _Attempt:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _attributes(
    run_id: UUID, workspace_id: UUID, node: Node, iteration: int, attempt: int
) -> dict[str, str | int]:
    attributes: dict[str, str | int] = {
        "flowloom.run.id": str(run_id),
        "flowloom.workspace.id": str(workspace_id),
        "flowloom.node.id": node.id,
        "flowloom.node.kind": node.type,
        "flowloom.node.iteration": iteration,
        "flowloom.node.attempt": attempt,
    }
    if isinstance(node, LlmNode):
        provider, name = model_provider(node.params.model)
        attributes |= {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": provider,
            "gen_ai.system": provider,
            "gen_ai.request.model": name,
        }
        if node.params.temperature is not None:
            attributes["gen_ai.request.temperature"] = str(node.params.temperature)
        if node.params.max_tokens is not None:
            attributes["gen_ai.request.max_tokens"] = node.params.max_tokens
    elif isinstance(node, EmbeddingNode):
        attributes["gen_ai.operation.name"] = "embeddings"
        if node.params.model is not None:
            provider, name = model_provider(node.params.model)
            attributes |= {"gen_ai.provider.name": provider, "gen_ai.request.model": name}
    elif isinstance(node, ToolNode):
        attributes["http.request.method"] = node.params.method
    return attributes


class ProcessTelemetry:
    """Metrics for every attempt; a span too when this process exports traces (`tracer`)."""

    def __init__(self, tracer: Tracer | None) -> None:
        self._tracer = tracer

    def attempt(
        self, *, run_id: UUID, workspace_id: UUID, node: Node, iteration: int, attempt: int
    ) -> AbstractContextManager[AttemptReport]:
        """The attempt's span (current within the block) and its metrics."""
        if self._tracer is None:
            return _Attempt(node, None)  # metrics alone: no generator-based context manager to pay for
        return self._traced(run_id, workspace_id, node, iteration, attempt)

    @contextmanager
    def _traced(
        self, run_id: UUID, workspace_id: UUID, node: Node, iteration: int, attempt: int
    ) -> Iterator[AttemptReport]:
        if self._tracer is None:
            raise RuntimeError("tracing is off")
        name = f"{node.type} {node.id}"
        attributes = _attributes(run_id, workspace_id, node, iteration, attempt)
        kind = SpanKind.CLIENT if isinstance(node, LlmNode | EmbeddingNode | ToolNode) else SpanKind.INTERNAL
        with self._tracer.start_as_current_span(name, kind=kind, attributes=attributes) as span:
            report = _Attempt(node, span)
            try:
                yield report
            finally:
                report.close()

    def outbound_headers(self) -> Mapping[str, str]:
        """`traceparent` (and `tracestate`) of the current span, when traces are exported."""
        if self._tracer is None:
            return {}
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        return carrier
