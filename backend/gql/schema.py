"""The Strawberry schema, merged from every slice's resolvers, with its limits."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.tools import merge_types

from backend.accounts.resolvers import AccountsQuery
from backend.credentials.resolvers import CredentialMutation, CredentialQuery
from backend.gql.execution import FlowloomExecutionContext
from backend.runs.resolvers import RunMutation, RunQuery
from backend.runs.subscriptions import RunSubscription
from backend.settings import Settings
from backend.workflows.resolvers import WorkflowMutation, WorkflowQuery

log = logging.getLogger(__name__)

Query = merge_types("Query", (AccountsQuery, WorkflowQuery, RunQuery, CredentialQuery))
Mutation = merge_types("Mutation", (WorkflowMutation, RunMutation, CredentialMutation))
Subscription = merge_types("Subscription", (RunSubscription,))


def _is_unexpected(error: GraphQLError) -> bool:
    """Mask errors that did not come from a deliberate GraphQLError (bugs, driver errors)."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def build_schema(settings: Settings) -> strawberry.Schema:
    """The schema with depth, alias and token limits, parse/validation caches, and errors masked.

    Strawberry builds extensions afresh for every operation, and the depth and alias limiters create
    new rule classes in their constructors; built per operation, they would make every validation a
    cache miss (the cache is keyed by the rules). So their rules are made once, here.
    """
    limits = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        execution_context_class=FlowloomExecutionContext,
        extensions=[
            lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
            lambda: ParserCache(maxsize=256),
            lambda: AddValidationRules(limits),
            lambda: ValidationCache(maxsize=256),
            lambda: MaskErrors(
                should_mask_error=_is_unexpected, error_message="Internal error; it has been logged."
            ),
        ],
    )
