"""Provider failures (models and embedders) as node errors the user can act on.

Retrying helps when the provider was busy, down or unreachable; it cannot help when it rejected
the request itself (bad key, unknown model, invalid request, exhausted quota).
"""

from __future__ import annotations

from pydantic_ai.exceptions import (
    ModelAPIError,
    ModelConnectionError,
    ModelHTTPError,
    ModelQuotaExceededError,
    ModelRateLimitError,
    ModelRequestRejectedError,
    ModelRequestTimeout,
    ModelServerError,
    ModelUnavailableError,
    UnexpectedModelBehavior,
    UsageLimitExceeded,
)

from engine.nodes.address_policy import BlockedDestinationError
from engine.nodes.base import NodeError
from engine.ports import MissingCredentialsError

_RETRYABLE = (
    ModelRateLimitError,
    ModelUnavailableError,
    ModelServerError,
    ModelConnectionError,
    ModelRequestTimeout,
)
_FINAL = (ModelRequestRejectedError, ModelQuotaExceededError)


def _provider_message(error: ModelAPIError) -> str:
    # The SDKs keep the provider's own error object as the body; its message is what users need,
    # rather than pydantic-ai's "status_code: 401, model_name: …, body: {…}" rendering.
    body = error.body
    if isinstance(body, dict):
        nested = body.get("error")
        source = nested if isinstance(nested, dict) else body
        message = source.get("message")
        if isinstance(message, str) and message:
            return message
    return error.message


def _is_retryable(error: ModelAPIError) -> bool:
    if isinstance(error, _FINAL):
        return False
    if isinstance(error, _RETRYABLE):
        return True
    if isinstance(error, ModelHTTPError):
        return error.status_code >= 500 or error.status_code in (408, 429)
    return True


def _refused_destination(error: BaseException) -> BlockedDestinationError | None:
    # The address policy's refusal comes from the guarded transport under the SDKs: openai's lets it
    # through as it is, anthropic's wraps it (as it wraps any transport failure) in a connection
    # error that pydantic-ai makes a retryable "Connection error.", so the chain of causes is searched.
    cause: BaseException | None = error
    seen: set[int] = set()
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, BlockedDestinationError):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None


def provider_failure(error: Exception) -> NodeError:
    """Translate a provider failure into a node error.

    Args:
        error: What the provider (through pydantic-ai or an embedder) raised.

    Returns:
        The node error: retryable for rate limits, server errors, timeouts and connection
        failures; final for rejected requests (401, 400, 404), exhausted quota, missing
        credentials, spent usage limits and addresses the address policy refuses.
    """
    if (refused := _refused_destination(error)) is not None:
        return NodeError(str(refused), retryable=False)
    if isinstance(error, MissingCredentialsError):
        return NodeError(str(error), retryable=False)
    if isinstance(error, ModelAPIError):
        status = f" ({error.status_code})" if isinstance(error, ModelHTTPError) else ""
        return NodeError(
            f"model {error.model_name} failed{status}: {_provider_message(error)}",
            retryable=_is_retryable(error),
        )
    if isinstance(error, UsageLimitExceeded):
        return NodeError(f"the model call exceeded its limits: {error}", retryable=False)
    if isinstance(error, UnexpectedModelBehavior):
        # A model that broke the protocol or kept failing validation may do better on a new attempt.
        return NodeError(f"the model misbehaved: {error}", retryable=True)
    return NodeError(f"the model call failed: {error}", retryable=True)


PROVIDER_ERRORS = (
    MissingCredentialsError,
    ModelAPIError,
    UnexpectedModelBehavior,
    UsageLimitExceeded,
    BlockedDestinationError,  # as openai's SDK lets it through
)
"""The exceptions `provider_failure` knows how to explain."""
