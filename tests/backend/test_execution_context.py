"""graphql-core 3.3.2 leaks memory per subscription event; Flowloom's execution context does not."""

from __future__ import annotations

from graphql import parse

from backend.gql.execution import FlowloomExecutionContext
from backend.gql.schema import build_schema
from backend.settings import Settings


def test_each_subscription_event_gets_its_own_subfield_cache(settings: Settings) -> None:
    schema = build_schema(settings)
    executor = FlowloomExecutionContext.build(
        schema._schema,
        parse("subscription { runUpdates { id status } }"),
        operation_extensions=None,
    )
    assert not isinstance(executor, list), executor

    first = executor.build_per_event_executor(object())
    second = executor.build_per_event_executor(object())

    # graphql-core's own copies all share (and keep growing) the subscription executor's cache
    caches = [executor._relevant_sub_fields, first._relevant_sub_fields, second._relevant_sub_fields]
    assert len({id(cache) for cache in caches}) == 3
