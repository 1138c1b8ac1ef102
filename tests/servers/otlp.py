"""An OTLP/HTTP trace receiver on 127.0.0.1, as a collector would be: `POST /v1/traces` with an
`ExportTraceServiceRequest` (protobuf), decoded with opentelemetry-proto into plain `Span`s."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

from tests.servers.background import base_url, serve
from tests.servers.json_handler import JsonHandler


def _value(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    return None if kind is None else getattr(value, kind)


@dataclass(frozen=True)
class Span:
    """One received span; ids as lowercase hex, `parent_id` empty for a root."""

    name: str
    trace_id: str
    span_id: str
    parent_id: str
    service: str
    scope: str
    attributes: dict[str, Any]
    status_code: int
    """0 unset, 1 ok, 2 error."""


@dataclass
class Receiver:
    """What the receiver got; `url` is the OTEL_EXPORTER_OTLP_ENDPOINT to give a process."""

    url: str = ""
    _spans: list[Span] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def spans(self) -> list[Span]:
        """Every span received so far."""
        with self._lock:
            return list(self._spans)

    def add(self, request: ExportTraceServiceRequest) -> None:
        """Record the spans of one export request."""
        received = []
        for resource_spans in request.resource_spans:
            resource = {a.key: _value(a.value) for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    received.append(
                        Span(
                            name=span.name,
                            trace_id=span.trace_id.hex(),
                            span_id=span.span_id.hex(),
                            parent_id=span.parent_span_id.hex(),
                            service=str(resource.get("service.name", "")),
                            scope=scope_spans.scope.name,
                            attributes={a.key: _value(a.value) for a in span.attributes},
                            status_code=span.status.code,
                        )
                    )
        with self._lock:
            self._spans.extend(received)


class _Handler(JsonHandler):
    def do_POST(self) -> None:  # noqa: N802 - the standard library names it
        if self.path != "/v1/traces":
            self.send_json(404, {"error": "only /v1/traces"})
            return
        request = ExportTraceServiceRequest()
        request.ParseFromString(self.read_body())
        self.state_as(Receiver).add(request)
        self.send_bytes(200, ExportTraceServiceResponse().SerializeToString(), "application/x-protobuf")


@contextmanager
def otlp_receiver() -> Iterator[Receiver]:
    """A receiver serving until the block ends."""
    receiver = Receiver()
    with serve(_Handler, receiver) as server:
        receiver.url = base_url(server)
        yield receiver
