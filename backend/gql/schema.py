"""The Strawberry schema, merged from every slice's resolvers, with its limits."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import strawberry
from graphql import GraphQLError, parse
from strawberry.extensions import MaxTokensLimiter
from strawberry.scalars import JSON
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from backend.accounts.audit_resolvers import AuditLogQuery
from backend.accounts.resolvers import AccountsQuery
from backend.accounts.token_resolvers import TokenMutation, TokenQuery
from backend.accounts.workspace_resolvers import WorkspaceMutation, WorkspaceQuery
from backend.costs.resolvers import CostMutation, CostQuery
from backend.credentials.resolvers import CredentialMutation, CredentialQuery
from backend.gql.cost import CostModel, QueryCosts
from backend.gql.error_log import log_errors
from backend.gql.errors import ClientErrors
from backend.gql.execution import FlowloomExecutionContext, NoSuggestionsExecutionContext
from backend.gql.json_scalar import BOUNDED_JSON
from backend.gql.parsing import CachedParsing
from backend.gql.permissions import check_declarations
from backend.gql.tracing import RedactedTracing
from backend.gql.validation import BoundedValidation, DocumentValidator, ShapeLimits
from backend.knowledge.resolvers import KnowledgeMutation, KnowledgeQuery
from backend.knowledge.subscriptions import KnowledgeSubscription
from backend.pagination import DEFAULT_PAGE_SIZE
from backend.runs.resolvers import MAX_TASKS, RunMutation, RunQuery
from backend.runs.subscriptions import RunSubscription
from backend.settings import Settings
from backend.stats.resolvers import StatsQuery
from backend.triggers.resolvers import TriggerMutation, TriggerQuery
from backend.workflows.resolvers import WorkflowMutation, WorkflowQuery

Query = merge_types(
    "Query",
    (
        AccountsQuery,
        WorkspaceQuery,
        WorkflowQuery,
        RunQuery,
        KnowledgeQuery,
        CredentialQuery,
        TokenQuery,
        AuditLogQuery,
        StatsQuery,
        TriggerQuery,
        CostQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        WorkspaceMutation,
        WorkflowMutation,
        RunMutation,
        KnowledgeMutation,
        CredentialMutation,
        TokenMutation,
        TriggerMutation,
        CostMutation,
    ),
)
Subscription = merge_types("Subscription", (RunSubscription, KnowledgeSubscription))

ASSUMED_LIST_SIZE = 10
"""Length the query cost assumes for lists without `first` and without a cap (a run's nodeRuns and
events, a workflow's versions, nodeKinds, credentials): most runs and workflows stay below it."""

LIST_CAPS = {"Query.humanTasks": MAX_TASKS}
"""Lists without `first` that have a hard cap: the query cost counts them at it."""


class FlowloomSchema(strawberry.Schema):
    """Strawberry's schema, logging errors Flowloom's way (`backend.gql.error_log`)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log the errors of one operation, without variables or secret values."""
        log_errors(self._schema, errors, execution_context)


def build_schema(
    settings: Settings,
    query: type[Any] = Query,
    mutation: type[Any] | None = Mutation,
    subscription: type[Any] | None = Subscription,
) -> FlowloomSchema:
    """The schema with its limits (shape, query cost), the introspection switch, parse/validation
    caches, error codes and masking.

    Strawberry builds extensions afresh for every operation, so what must outlive one operation (the
    parse, validation and cost caches, the rules) is made once, here. Other root types than Flowloom's are
    for tests of this machinery.
    """
    check_declarations((query, mutation, subscription))
    parse_cached = lru_cache(maxsize=256)(parse)
    introspection = settings.introspection_enabled
    validator = DocumentValidator(
        ShapeLimits(max_depth=settings.max_query_depth, max_aliases=settings.max_aliases),
        introspection=introspection,
    )
    costs = QueryCosts(
        CostModel(
            max_cost=settings.max_query_cost,
            default_page_size=DEFAULT_PAGE_SIZE,
            assumed_list_size=ASSUMED_LIST_SIZE,
            list_sizes=LIST_CAPS,
        )
    )
    return FlowloomSchema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        execution_context_class=FlowloomExecutionContext if introspection else NoSuggestionsExecutionContext,
        scalar_overrides={JSON: BOUNDED_JSON},
        extensions=[
            lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
            lambda: CachedParsing(parse_cached),
            lambda: BoundedValidation(validator, costs),
            ClientErrors,
            # a span per operation and per resolver, only when traces are exported (it costs each
            # resolver a span otherwise spent for nothing)
            *([RedactedTracing] if settings.tracing else []),
        ],
    )
