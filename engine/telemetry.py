"""What the engine tells an observer about each node attempt, for traces and metrics kept outside it.

The engine knows nothing of OpenTelemetry or Prometheus: it opens an attempt around each executor
call and says how it ended; the backend's implementation turns that into a span (the current span
while the executor runs, so the calls it makes are its children) and into metrics. Outbound requests
(the HTTP tool) ask for the headers that carry the current trace to the server they call.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol
from uuid import UUID

from engine.dsl import Node
from engine.records import Usage


class AttemptReport(Protocol):
    """How one attempt of a node ended; at most one of the two is called."""

    def succeeded(self, usage: Usage, *, waiting: bool) -> None:
        """The executor returned (`waiting`: a human node that now waits for input)."""
        ...

    def failed(self, message: str, *, retryable: bool) -> None:
        """The executor failed, timed out, or its result cannot be recorded."""
        ...


class Telemetry(Protocol):
    """The observer of node attempts."""

    def attempt(
        self, *, run_id: UUID, workspace_id: UUID, node: Node, iteration: int, attempt: int
    ) -> AbstractContextManager[AttemptReport]:
        """Open an attempt around the executor call; it is current until the block ends."""
        ...

    def outbound_headers(self) -> Mapping[str, str]:
        """Headers that carry the current trace to a server called now (W3C `traceparent`)."""
        ...


class _Unobserved:
    def succeeded(self, usage: Usage, *, waiting: bool) -> None:
        """Nothing to record."""

    def failed(self, message: str, *, retryable: bool) -> None:
        """Nothing to record."""


_UNOBSERVED = _Unobserved()


class NoTelemetry:
    """Observes nothing: the engine's default, and what tests use unless they look at telemetry."""

    @contextmanager
    def attempt(
        self, *, run_id: UUID, workspace_id: UUID, node: Node, iteration: int, attempt: int
    ) -> Iterator[AttemptReport]:
        """An attempt nobody records."""
        yield _UNOBSERVED

    def outbound_headers(self) -> Mapping[str, str]:
        """No trace to carry."""
        return {}


NO_TELEMETRY = NoTelemetry()
"""The shared instance of `NoTelemetry`."""
