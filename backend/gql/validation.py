"""Validation of operation documents: shape, graphql-core's rules on a budget (cached), then cost."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    NoSchemaIntrospectionCustomRule,
    OverlappingFieldsCanBeMergedRule,
    ValidationContext,
    specified_rules,
    validate,
)
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from backend.gql.cost import QueryCosts
from backend.gql.shape import operation_shapes

VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
INTROSPECTION_DISABLED = "INTROSPECTION_DISABLED"

OVERLAP_BUDGET = 20_000
"""Work units graphql-core may spend comparing the fields a document selects side by side.

graphql-core's default (500,000) let one 5,000-token document hold the event loop for about 2 s
(300 fragments spread side by side, or 950 copies of one field). At 20,000 the worst we found costs
0.06-0.2 s, while the heaviest operation in graphql/ spends 103 units and GraphiQL's introspection 0.
"""

ABORTED = (
    "Validation aborted: the document nests fragments too deeply, or selects too many fields that "
    "would have to be compared with each other."
)


class BudgetedOverlapRule(OverlappingFieldsCanBeMergedRule):
    """graphql-core's rule that fields selected side by side can be merged, on `OVERLAP_BUDGET`."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.rule_context.remaining_complexity_budget = OVERLAP_BUDGET


class NoIntrospectionRule(NoSchemaIntrospectionCustomRule):
    """graphql-core's refusal of `__schema` and `__type` (not `__typename`), with its own code."""

    def report_error(self, error: GraphQLError) -> None:
        """Report the refusal coded `INTROSPECTION_DISABLED`."""
        error.extensions = {**(error.extensions or {}), "code": INTROSPECTION_DISABLED}
        super().report_error(error)


RULES: tuple[type[ASTValidationRule], ...] = tuple(
    BudgetedOverlapRule if rule is OverlappingFieldsCanBeMergedRule else rule for rule in specified_rules
)
"""The specification's rules, with the overlap rule on a budget."""


@dataclass(frozen=True, slots=True)
class ShapeLimits:
    """Bounds on an operation's shape, fragments expanded (Strawberry's limiters' semantics)."""

    max_depth: int
    """Deepest nesting of fields with selections."""
    max_aliases: int
    """Most aliases in all the document's operations together."""


def shape_errors(document: DocumentNode, limits: ShapeLimits) -> list[GraphQLError]:
    """Why the document's shape is refused, with Strawberry's limiters' messages."""
    shapes = operation_shapes(document)
    errors = [
        GraphQLError(
            f"'{operation.name.value if operation.name else 'anonymous'}' exceeds maximum operation "
            f"depth of {limits.max_depth}",
            operation,
        )
        for operation, shape in shapes
        if shape.depth > limits.max_depth
    ]
    aliases = sum(shape.aliases for _, shape in shapes)
    if aliases > limits.max_aliases:
        errors.append(GraphQLError(f"{aliases} aliases found. Allowed: {limits.max_aliases}"))
    return errors


def _explained(error: GraphQLError) -> GraphQLError:
    # graphql-core says only "Validation aborted." when it runs out of budget or of stack
    if isinstance(error, ValidationAbortedError) and error.message == "Validation aborted.":
        return GraphQLError(ABORTED)
    return error


class DocumentValidator:
    """Validates documents: shape, then `RULES`; remembers the last `maxsize` results.

    Without introspection, `__schema` and `__type` are refused and no message suggests names ("Did
    you mean ...?"): together they would let a stranger read the schema. The cache is keyed by the
    document object, which the parse cache hands out once per distinct query text. Cached errors are
    shared between requests, so nothing may modify them afterwards.
    """

    def __init__(self, limits: ShapeLimits, maxsize: int = 256, *, introspection: bool = True) -> None:
        self.limits = limits
        self.introspection = introspection
        self.rules = RULES if introspection else (*RULES, NoIntrospectionRule)
        self.validate: Callable[[GraphQLSchema, DocumentNode], list[GraphQLError]] = lru_cache(maxsize)(
            self._validate
        )

    def _validate(self, schema: GraphQLSchema, document: DocumentNode) -> list[GraphQLError]:
        errors = shape_errors(document, self.limits) or [
            _explained(error)
            for error in validate(schema, document, self.rules, hide_suggestions=not self.introspection)
        ]
        for error in errors:
            error.extensions = {"code": VALIDATION_FAILED, **(error.extensions or {})}
        return errors


def subscription_over_http(context: ExecutionContext) -> list[GraphQLError]:
    """A subscription sent as an HTTP request is refused: it needs a websocket (Strawberry executed it
    as a query, and its resolver's async generator failed as an internal error)."""
    if context.operation_type is not OperationType.SUBSCRIPTION:
        return []
    if getattr(context.context, "websocket", None) is not None:
        return []
    return [
        GraphQLError(
            "Subscriptions need a websocket: connect to /graphql with the graphql-transport-ws protocol.",
            extensions={"code": "BAD_REQUEST"},
        )
    ]


class BoundedValidation(SchemaExtension):
    """Validates each operation with a `DocumentValidator` and its cost with `QueryCosts`, in place of
    Strawberry's own validation.

    It reports through `pre_execution_errors`, as Strawberry's `ValidationCache` does: an exception
    raised from an extension hook would bypass Strawberry's error handling. The cost is computed for
    each request, after the document is known valid: it depends on the variables (`first: $n`).
    """

    def __init__(self, validator: DocumentValidator, costs: QueryCosts) -> None:
        self.validator = validator
        self.costs = costs

    def on_validate(self) -> Iterator[None]:
        """Validate the parsed document; Strawberry skips its own validation once errors are set."""
        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            schema = context.schema._schema
            context.pre_execution_errors = (
                self.validator.validate(schema, document)
                or subscription_over_http(context)
                or self.costs.errors(schema, document, context.variables, context.operation_name)
            )
        yield
