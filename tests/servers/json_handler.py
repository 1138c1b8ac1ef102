"""A request handler base for the test servers: JSON in and out, server-sent events, no logging."""

from __future__ import annotations

import json
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler
from typing import Any, TypeVar

from tests.servers.background import QuietServer

StateT = TypeVar("StateT")


class JsonHandler(BaseHTTPRequestHandler):
    """Helpers shared by the fake OpenAI API and the counting server."""

    def state_as(self, kind: type[StateT]) -> StateT:
        """What the server's handlers share (`serve`'s `state`), checked to be a `kind`."""
        server = self.server
        assert isinstance(server, QuietServer), server
        state = server.state
        assert isinstance(state, kind), state
        return state

    def log_message(self, format: str, *args: Any) -> None:
        """Tests read what the servers record, not their access log."""

    def read_body(self) -> bytes:
        """The request body (empty when there is none)."""
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def read_json(self) -> dict[str, Any]:
        """The request body as a JSON object ({} when empty or not an object)."""
        raw = self.read_body()
        try:
            parsed = json.loads(raw) if raw else {}
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}

    def send_bytes(
        self, status: int, body: bytes, content_type: str, headers: Iterable[tuple[str, str]] = ()
    ) -> None:
        """Send a complete response."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status: int, payload: Any, headers: Iterable[tuple[str, str]] = ()) -> None:
        """Send `payload` as JSON."""
        self.send_bytes(status, json.dumps(payload).encode(), "application/json", headers)

    def send_events(self, events: Iterable[tuple[str | None, Any]], *, done_marker: bool = False) -> None:
        """Send server-sent events `(event name or None, JSON data)`; the connection then closes."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        for name, data in events:
            prefix = f"event: {name}\n" if name else ""
            self.wfile.write(f"{prefix}data: {json.dumps(data)}\n\n".encode())
            self.wfile.flush()
        if done_marker:
            self.wfile.write(b"data: [DONE]\n\n")
        self.close_connection = True
