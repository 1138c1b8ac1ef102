"""OpenTelemetry traces, configured only by the standard `OTEL_*` environment variables.

Tracing is on when an OTLP endpoint is named (`OTEL_EXPORTER_OTLP_ENDPOINT` or
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) or `OTEL_TRACES_EXPORTER=otlp`, and `OTEL_SDK_DISABLED` is
not true. The exporter (OTLP over HTTP) and the batch processor read the rest of their settings
(headers, timeouts, delays, sampling, resource attributes, `OTEL_SERVICE_NAME`) themselves. With
tracing off, no provider is installed and no library is instrumented: the global tracer is
OpenTelemetry's no-op one and Flowloom skips its own trace bookkeeping.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.instrumentor import BaseInstrumentor  # type: ignore[attr-defined]
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.semconv.attributes.http_attributes import HTTP_ROUTE
from opentelemetry.trace import Span, Tracer

from backend.telemetry.environment import tracing_requested

log = logging.getLogger(__name__)

TRACER_NAME = "flowloom"
"""The instrumentation scope of Flowloom's own spans (runs and node attempts)."""


def flowloom_tracer() -> Tracer:
    """The tracer of Flowloom's own spans, from the provider `start_tracing` installed."""
    return trace.get_tracer(TRACER_NAME)


def _instrumentors() -> tuple[BaseInstrumentor, ...]:
    # each instrumentor is a singleton: these are the ones `start_tracing` instrumented
    return (AsyncPGInstrumentor(), RedisInstrumentor(), HTTPXClientInstrumentor())  # type: ignore[no-untyped-call]


@dataclass
class Tracing:
    """The tracer provider this process installed; `shutdown` exports what is still buffered."""

    provider: TracerProvider

    def shutdown(self) -> None:
        """Flush and stop the exporter, and take the instrumentation out of the libraries."""
        for instrumentor in _instrumentors():
            if instrumentor.is_instrumented_by_opentelemetry:
                instrumentor.uninstrument()
        self.provider.shutdown()


def start_tracing(role: str, environ: Mapping[str, str]) -> Tracing | None:
    """Install the OTLP exporter and instrument asyncpg, redis and httpx, when the environment asks.

    Args:
        role: `api` or `worker`; the service is `flowloom-<role>` unless `OTEL_SERVICE_NAME` says.
        environ: The process environment.

    Returns:
        The installed tracing, or None when the environment asks for none.
    """
    if not tracing_requested(environ):
        return None
    attributes = {} if environ.get("OTEL_SERVICE_NAME") else {SERVICE_NAME: f"flowloom-{role}"}
    provider = TracerProvider(resource=Resource.create(attributes))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    for instrumentor in _instrumentors():
        instrumentor.instrument(tracer_provider=provider)
    log.info("exporting traces over OTLP/HTTP as %s", provider.resource.attributes.get(SERVICE_NAME))
    return Tracing(provider)


_WEBHOOK = re.compile(r"^/hooks/[^/]+")
_URL_KEYS = ("http.url", "url.full")


def _shown_path(scope: Mapping[str, Any]) -> str:
    return _WEBHOOK.sub("/hooks/{id}", str(scope.get("path", "")).strip())


def request_span_details(scope: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The name and route of a request's span (Litestar's own, with a webhook's id left out)."""
    path = _shown_path(scope)
    method = str(scope.get("method", "")).strip()
    route = f"{method} {path}" if method and path else path
    return route, {HTTP_ROUTE: route}


def scrub_request_span(span: Span, scope: Mapping[str, Any]) -> None:
    """Keep what may be a credential out of a request's span: the query string (a setup or invite
    link's token) and a webhook's id (the only credential of an unsigned webhook).

    Litestar's OpenTelemetry middleware calls this once the server span has its attributes.
    """
    if not span.is_recording():
        return
    shown = _shown_path(scope)
    recorded: Mapping[str, Any] = getattr(span, "attributes", None) or {}
    for key in _URL_KEYS:
        url = recorded.get(key)
        if isinstance(url, str):
            parts = urlsplit(url)
            span.set_attribute(key, urlunsplit((parts.scheme, parts.netloc, shown, "", "")))
    for key in ("http.target", "url.path"):
        if key in recorded:
            span.set_attribute(key, shown)
    if "url.query" in recorded:
        span.set_attribute("url.query", "")
