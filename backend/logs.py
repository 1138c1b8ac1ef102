"""How Flowloom processes log: plain lines for people, or JSON lines for log pipelines.

`FLOWLOOM_LOG_FORMAT=json` (or `flowloom --log-format json`) makes every record one JSON object:
`time`, `level`, `logger`, `message`, the `run_id`, `node_id` and `workspace_id` bound where it was
emitted (`engine.log_context`: set around each run, each node attempt and each request), the
`trace_id` and `span_id` of the current span while traces are exported, and `exception` with the
traceback when there is one. Messages are the same as in plain lines, which
never carry a secret (keys are redacted before anything is logged).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Literal

from opentelemetry import trace

from engine import log_context

LogFormat = Literal["text", "json"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per record, with the run, node and workspace it was emitted for."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(log_context.current())
        span = trace.get_current_span().get_span_context()
        if span.is_valid:  # only while traces are exported: the no-op span's context is invalid
            entry["trace_id"] = format(span.trace_id, "032x")
            entry["span_id"] = format(span.span_id, "016x")
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(level: int, log_format: LogFormat) -> None:
    """Send every record at `level` or above to stderr, as plain lines or JSON lines."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=level, handlers=[handler], force=True)


def json_logs() -> bool:
    """Whether this process logs JSON lines (`configure` was asked to)."""
    return any(isinstance(handler.formatter, JsonFormatter) for handler in logging.getLogger().handlers)
