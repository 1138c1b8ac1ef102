"""Strawberry's OpenTelemetry spans, without what a request carries.

The stock extension records the operation's whole document and every resolver's arguments as span
attributes; either may hold a secret (`setCredential`'s key, a password) or a person's data. Here
the spans keep their names, types and paths, and nothing of the request's values.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from graphql import GraphQLResolveInfo
from strawberry.extensions.base_extension import LifecycleStep
from strawberry.extensions.tracing import OpenTelemetryExtension
from strawberry.types import ExecutionContext


def _no_arguments(_args: dict[str, Any], _info: GraphQLResolveInfo[Any]) -> dict[str, Any]:
    return {}


class RedactedTracing(OpenTelemetryExtension):
    """A span per operation and resolver, with neither the document nor the arguments."""

    def __init__(self, *, execution_context: ExecutionContext | None = None) -> None:
        super().__init__(execution_context=execution_context, arg_filter=_no_arguments)

    def on_operation(self) -> Generator[None, None, None]:
        """The parent's operation span, its `query` attribute replaced by the operation's name."""
        steps = super().on_operation()
        next(steps)
        span = self._span_holder.get(LifecycleStep.OPERATION)
        if span is not None:
            span.set_attribute("query", "(not recorded: it may hold secrets)")
        yield
        for _ in steps:  # the parent ends the span after its one yield
            pass
