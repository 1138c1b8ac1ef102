"""What callers see of GraphQL errors: a stable `extensions.code` on each, bugs masked.

Codes follow Apollo Server's names, which GraphQL clients already know:
`GRAPHQL_PARSE_FAILED` (syntax), `GRAPHQL_VALIDATION_FAILED` (the document does not fit the schema or
its limits), `BAD_USER_INPUT` (variables and arguments, and refusals raised on purpose), and
`INTERNAL_SERVER_ERROR` for everything else: a bug, logged with its traceback, its message hidden.
"""

from __future__ import annotations

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.exceptions import MissingQueryError
from strawberry.extensions import MaskErrors
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
BAD_USER_INPUT = "BAD_USER_INPUT"
INTERNAL = "INTERNAL_SERVER_ERROR"
INTERNAL_MESSAGE = "Internal error; it has been logged."


CLIENT_MISTAKES = (MissingQueryError, CannotGetOperationTypeError, InvalidOperationTypeError)
"""Strawberry's own refusals of a request (no query; a query sent to the legacy graphql-ws protocol,
which runs subscriptions only), which it wraps in GraphQLErrors as if they were bugs."""


def is_unexpected(error: GraphQLError) -> bool:
    """Whether an error comes from a bug (an exception that is not a deliberate GraphQLError)."""
    original = error.original_error
    return original is not None and not isinstance(original, (GraphQLError, *CLIENT_MISTAKES))


def error_code(error: GraphQLError) -> str:
    """The error's code: its own when it has one, else what kind of mistake it is."""
    if is_unexpected(error):
        return INTERNAL
    code = (error.extensions or {}).get("code")
    if isinstance(code, str):
        return code
    if isinstance(error, GraphQLSyntaxError):
        return PARSE_FAILED
    return BAD_USER_INPUT


class ClientErrors(MaskErrors):
    """Masks unexpected errors and gives every error an `extensions.code`, on every transport."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected, error_message=INTERNAL_MESSAGE)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        """The masked error, coded as internal."""
        masked = super().anonymise_error(error)
        masked.extensions = {"code": INTERNAL}
        return masked

    # MaskErrors routes every result (single, streamed, incremental) through this one method
    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        processed = super()._process_errors(errors)
        for error in processed:
            if "code" not in (error.extensions or {}):
                # in place: the transports look at the error's class (a syntax error closes a websocket)
                error.extensions = {**(error.extensions or {}), "code": error_code(error)}
        return processed
