"""Strawberry's execution context with graphql-core 3.3.2's subscription memory leak fixed (and quiet)."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from graphql.execution.executor import Executor
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


class FlowloomExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Gives every subscription event an executor with a subfield cache of its own.

    graphql-core 3.3.2 builds each event's executor as a shallow copy of the subscription's and so
    shares its memo of collected subfields, keyed by the identity of per-event field lists: every
    delivered event adds entries (about 17 objects) that live as long as the subscription. With a
    thousand subscriptions, full garbage collections grew to a second (bench/events.py).
    """

    def build_per_event_executor(self, payload: Any) -> Executor[Any]:
        """The event's executor, as graphql-core builds it, with a fresh subfield cache."""
        executor = super().build_per_event_executor(payload)
        executor._relevant_sub_fields = {}
        return executor


class NoSuggestionsExecutionContext(FlowloomExecutionContext):
    """The same, with no "Did you mean ...?" in request errors (variables naming unknown enum values
    or input fields): with introspection off, suggestions would spell the schema out bit by bit.

    Strawberry 0.341 does not pass graphql-core's `hide_suggestions` to `execute`, so it is set here,
    where graphql-core builds the executor for every operation and subscription.
    """

    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> list[GraphQLError] | Executor[Any]:
        """Build the executor as graphql-core does, suggestions hidden."""
        return super().build(*args, **{**kwargs, "hide_suggestions": True})
