"""How GraphQL errors are logged: client mistakes in one quiet line, bugs with a redacted traceback.

A client mistake (syntax, validation, variables, a deliberate refusal) is not a server error: it is
logged at INFO as one line with the operation's name and the errors' codes, never their messages,
which can quote the values sent (graphql-core quotes invalid variables whole). A bug is logged at
ERROR once, with the operation's name, the field it failed in and its traceback; values given at
secret positions (see `backend.gql.secrets`) are replaced in that text. Variables are never logged.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections import Counter
from collections.abc import Sequence

from graphql import GraphQLError, GraphQLSchema, OperationDefinitionNode
from strawberry.types import ExecutionContext

from backend.gql.errors import error_code, is_unexpected
from backend.gql.secrets import redact, secret_values
from backend.telemetry import metrics

log = logging.getLogger(__name__)

_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")


def operation_label(context: ExecutionContext | None) -> str:
    """The operation's name as its parsed document spells it (never the raw `operationName` field)."""
    document = context.graphql_document if context else None
    if context is None or document is None:
        return "(unparsed)"
    names = [
        definition.name.value if definition.name else "anonymous"
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]
    wanted = context.operation_name
    if wanted is None:
        return names[0] if len(names) == 1 else "(ambiguous)"
    # a requested name is free text from the request body: only echo one the document declares
    return wanted if wanted in names and _NAME.fullmatch(wanted) else "(unknown)"


def log_errors(
    schema: GraphQLSchema, errors: Sequence[GraphQLError], context: ExecutionContext | None
) -> None:
    """Log the errors of one operation (Strawberry calls this before they are masked)."""
    operation = operation_label(context)
    refused = Counter(error_code(error) for error in errors if not is_unexpected(error))
    for code, count in refused.items():
        metrics.ERRORS.labels(f"graphql:{code}").inc(count)
    if refused:
        summary = ", ".join(f"{count} {code}" for code, count in sorted(refused.items()))
        log.info("GraphQL operation %s refused: %s", operation, summary)
    bugs = [error for error in errors if is_unexpected(error)]
    if not bugs:
        return
    metrics.ERRORS.labels("graphql:INTERNAL").inc(len(bugs))
    secrets = secret_values(
        schema, context.graphql_document if context else None, context.variables if context else None
    )
    for error in bugs:
        where = ".".join(str(key) for key in error.path) if error.path else "(before execution)"
        if not secrets:
            log.error("GraphQL operation %s failed in %s", operation, where, exc_info=error.original_error)
            continue
        trace = "".join(traceback.format_exception(error.original_error))
        log.error("GraphQL operation %s failed in %s\n%s", operation, where, redact(trace.rstrip(), secrets))
