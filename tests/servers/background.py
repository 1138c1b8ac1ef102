"""Run a stdlib HTTP server on a free 127.0.0.1 port in a background thread."""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class QuietServer(ThreadingHTTPServer):
    """A threading server whose handler threads die with the test process."""

    daemon_threads = True
    # Tests open many short connections at once; the default backlog of 5 refuses some.
    request_queue_size = 128
    state: Any = None
    """What the handlers share (the fake's or the counter's state)."""

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any) -> None:
        """Stay quiet when a client hangs up early (timeouts in tests do that on purpose)."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve(handler: type[BaseHTTPRequestHandler], state: Any = None) -> Iterator[QuietServer]:
    """Serve `handler` on 127.0.0.1 until the block ends.

    Args:
        handler: The request handler class; it reaches `state` through `self.server.state`.
        state: What the handlers share.

    Yields:
        The running server; `server.server_address[1]` is its port.
    """
    server = QuietServer(("127.0.0.1", 0), handler)
    server.state = state
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def base_url(server: QuietServer) -> str:
    """The server's root URL, e.g. `http://127.0.0.1:41234`."""
    return f"http://127.0.0.1:{server.server_address[1]}"
