"""A counting HTTP server on 127.0.0.1: counts calls per path and echoes requests as JSON.

Any method on any path answers 200 with `{"method", "path", "query", "headers", "body"}` (the body
parsed when it is JSON). Query parameters change the answer:

- `status=503` answers with that status (the echo as body);
- `delay=1.5` answers after 1.5 s;
- `to=<url>` on `/redirect` answers 302 (or `code=307`, …) to `<url>`; `/loop` redirects to itself;
- `size=<n>` answers with n bytes of text; `type=text` answers `text/plain`.

Paths can also be set up to fail their first calls: `server.fail("/flaky", status=500, times=2)`
or `POST /__fail {"path": "/flaky", "status": 500, "times": 2}` from another process.
`GET /__counts` returns the counts (control paths are not counted); `POST /__reset` clears them.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.servers.background import base_url, serve
from tests.servers.json_handler import JsonHandler


@dataclass
class CountingServer:
    """The counting server's state; `url` is set once it serves."""

    url: str = ""
    _counts: Counter[str] = field(default_factory=Counter)
    _failures: dict[str, list[int]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, path: str) -> int:
        """How many requests reached `path` (without its query)."""
        with self._lock:
            return self._counts[path]

    def counts(self) -> dict[str, int]:
        """Requests per path."""
        with self._lock:
            return dict(self._counts)

    def fail(self, path: str, *, status: int, times: int = 1) -> None:
        """Answer the next `times` requests to `path` with `status`."""
        with self._lock:
            self._failures.setdefault(path, []).extend([status] * times)

    def reset(self) -> None:
        """Forget counts and planned failures."""
        with self._lock:
            self._counts.clear()
            self._failures.clear()

    def _record(self, path: str) -> int | None:
        with self._lock:
            self._counts[path] += 1
            planned = self._failures.get(path)
            return planned.pop(0) if planned else None


class _Handler(JsonHandler):
    @property
    def state(self) -> CountingServer:
        return self.state_as(CountingServer)

    def _control(self, path: str) -> bool:
        if path == "/__counts":
            self.send_json(200, self.state.counts())
        elif path == "/__reset":
            self.state.reset()
            self.send_json(200, {"ok": True})
        elif path == "/__fail":
            order = self.read_json()
            self.state.fail(order["path"], status=int(order["status"]), times=int(order.get("times", 1)))
            self.send_json(200, {"ok": True})
        else:
            return False
        return True

    def _answer(self) -> None:
        parts = urlsplit(self.path)
        if self._control(parts.path):
            return
        query = dict(parse_qsl(parts.query))
        planned = self.state._record(parts.path)
        raw = self.read_body()
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        time.sleep(float(query.get("delay", 0)))
        status = planned or int(query.get("status", 200))
        if parts.path == "/redirect" and "to" in query:
            self.send_bytes(int(query.get("code", 302)), b"", "text/plain", [("Location", query["to"])])
        elif parts.path == "/loop":
            self.send_bytes(302, b"", "text/plain", [("Location", self.path)])
        elif "size" in query:
            self.send_bytes(status, b"x" * int(query["size"]), "text/plain")
        elif query.get("type") == "text":
            self.send_bytes(status, f"{self.command} {parts.path}".encode(), "text/plain; charset=utf-8")
        else:
            echo = {
                "method": self.command,
                "path": parts.path,
                "query": query,
                "headers": {name.lower(): value for name, value in self.headers.items()},
                "body": body,
            }
            self.send_json(status, echo)

    # http.server dispatches on these names.
    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _answer  # noqa: N815


@contextmanager
def counting_server() -> Iterator[CountingServer]:
    """Run a counting server until the block ends.

    Yields:
        Its state, with `url` set.
    """
    state = CountingServer()
    with serve(_Handler, state) as server:
        state.url = base_url(server)
        yield state
