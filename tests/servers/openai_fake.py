"""A fake OpenAI-compatible API on 127.0.0.1: chat completions, responses and embeddings.

Answers are deterministic (see `tests.servers.openai_answers`). The server checks
`Authorization: Bearer <api_key>` and records every request. Failures and delays can be asked for
three ways, so tests in other processes (workers) can use them too:

- by model name: `status-429` (any status) always fails with it, `slow-2.5` answers after 2.5 s;
- from Python: `fake.fail_next(500, times=2)`, `fake.delay = 1.0`;
- over HTTP: `POST /__control {"fail": {"status": 500, "times": 2}, "delay": 1.0}`;
  `GET /__requests` lists the recorded requests.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from tests.servers.background import base_url, serve
from tests.servers.json_handler import JsonHandler
from tests.servers.openai_answers import plan
from tests.servers.openai_chat import chat_chunks, chat_completion, read_chat
from tests.servers.openai_embeddings import embeddings_response
from tests.servers.openai_responses import read_responses, response_events, response_object

DEFAULT_API_KEY = "sk-fake-key"

ERRORS: dict[int, tuple[str, str, str]] = {
    400: ("Invalid request.", "invalid_request_error", "invalid_request"),
    401: ("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
    404: ("The model does not exist.", "invalid_request_error", "model_not_found"),
    429: ("Rate limit reached for requests.", "requests", "rate_limit_exceeded"),
    500: ("The server had an error while processing your request.", "server_error", "server_error"),
    503: ("The engine is currently overloaded.", "server_error", "overloaded"),
}
"""OpenAI-style `(message, type, code)` of the statuses tests usually ask for."""


@dataclass(frozen=True)
class RecordedRequest:
    """A request the fake received."""

    path: str
    headers: dict[str, str]
    """Lower-cased names."""
    body: dict[str, Any]


@dataclass
class FakeOpenAI:
    """The fake's state; `url` is set once it serves."""

    api_key: str = DEFAULT_API_KEY
    delay: float = 0.0
    url: str = ""
    requests: list[RecordedRequest] = field(default_factory=list)
    _failures: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _served: int = 0

    @property
    def base_url(self) -> str:
        """The OpenAI base URL to configure clients with (`…/v1`)."""
        return f"{self.url}/v1"

    def fail_next(self, status: int, *, times: int = 1) -> None:
        """Answer the next `times` model requests with `status`."""
        with self._lock:
            self._failures.extend([status] * times)

    def reset(self) -> None:
        """Forget recorded requests, queued failures and the delay."""
        with self._lock:
            self.requests.clear()
            self._failures.clear()
            self.delay = 0.0

    def bodies(self, path: str) -> list[dict[str, Any]]:
        """The bodies of the recorded requests to `path` (e.g. `/v1/chat/completions`)."""
        with self._lock:
            return [request.body for request in self.requests if request.path == path]

    def _admit(self, request: RecordedRequest) -> tuple[int | None, float, int]:
        # Returns (failure status or None, delay, response number).
        model = str(request.body.get("model", ""))
        with self._lock:
            self.requests.append(request)
            self._served += 1
            status = self._failures.pop(0) if self._failures else None
            delay = self.delay
        if model.startswith("status-") and model[7:].isdigit():
            status = int(model[7:])
        if model.startswith("slow-"):
            delay = float(model[5:])
        return status, delay, self._served


class _Handler(JsonHandler):
    @property
    def fake(self) -> FakeOpenAI:
        return self.state_as(FakeOpenAI)

    def do_GET(self) -> None:  # noqa: N802 - http.server dispatches on this name
        fake = self.fake
        if self.path == "/__requests":
            with fake._lock:
                self.send_json(200, [asdict(request) for request in fake.requests])
        elif self.path == "/v1/models":
            self.send_json(200, {"object": "list", "data": []})
        else:
            self.send_json(404, {"error": {"message": f"no route {self.path}"}})

    def do_POST(self) -> None:  # noqa: N802 - http.server dispatches on this name
        fake = self.fake
        body = self.read_json()
        if self.path == "/__control":
            if "fail" in body:
                fake.fail_next(int(body["fail"]["status"]), times=int(body["fail"].get("times", 1)))
            fake.delay = float(body.get("delay", fake.delay))
            self.send_json(200, {"ok": True})
            return
        if self.headers.get("Authorization") != f"Bearer {fake.api_key}":
            self._send_error(401)
            return
        headers = {name.lower(): value for name, value in self.headers.items()}
        status, delay, number = fake._admit(RecordedRequest(self.path, headers, body))
        time.sleep(delay)
        if status is not None:
            self._send_error(status)
        elif self.path == "/v1/chat/completions":
            self._chat(body, number)
        elif self.path == "/v1/responses":
            self._responses(body, number)
        elif self.path == "/v1/embeddings":
            self.send_json(200, embeddings_response(body))
        else:
            self.send_json(
                404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}}
            )

    def _send_error(self, status: int) -> None:
        message, kind, code = ERRORS.get(status, (f"Fake failure {status}.", "server_error", str(status)))
        self.send_json(status, {"error": {"message": message, "type": kind, "param": None, "code": code}})

    def _chat(self, body: dict[str, Any], number: int) -> None:
        reply = plan(read_chat(body))
        model = str(body.get("model", ""))
        if not body.get("stream"):
            self.send_json(200, chat_completion(reply, model, number))
            return
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        chunks = chat_chunks(reply, model, number, include_usage=include_usage)
        self.send_events([(None, chunk) for chunk in chunks], done_marker=True)

    def _responses(self, body: dict[str, Any], number: int) -> None:
        reply = plan(read_responses(body))
        model = str(body.get("model", ""))
        if not body.get("stream"):
            self.send_json(200, response_object(reply, model, number))
            return
        self.send_events([(event["type"], event) for event in response_events(reply, model, number)])


@contextmanager
def fake_openai(api_key: str = DEFAULT_API_KEY) -> Iterator[FakeOpenAI]:
    """Run the fake OpenAI API until the block ends.

    Args:
        api_key: The key clients must send as `Authorization: Bearer <key>`.

    Yields:
        The fake's state, with `url` / `base_url` set.
    """
    fake = FakeOpenAI(api_key=api_key)
    with serve(_Handler, fake) as server:
        fake.url = base_url(server)
        yield fake
