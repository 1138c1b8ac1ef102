"""`POST /hooks/{trigger id}`: a webhook delivery starts a run of the trigger's workflow.

Answers (JSON):
- 202 `{"runId", "status"}` at once; with `?wait=<seconds>` (or `X-Flowloom-Wait`), up to
  `MAX_WAIT_SECONDS`, 200 `{"runId", "status", "output", "error"}` when the run ended in time,
  else the same 202. A replayed delivery id answers with the run it started, `"replayed": true`.
- 400 `{"error": {"code", "message", "problems"}}`: the body is not JSON or not the workflow's
  inputs (`INVALID_JSON`, `INVALID_INPUTS`), or a bad `wait` or delivery id; no run started.
- 401 `INVALID_SIGNATURE`, 404 `NOT_FOUND` (unknown, disabled and malformed ids alike),
  413 for a body over `FLOWLOOM_MAX_INPUT_BYTES`, 422 `MISSING_CREDENTIALS`.
The request is neither a session's nor a token's: the webhook's id (and its secret, when signatures
are required) is the credential; the app's per-address rate limit applies.
"""

from __future__ import annotations

import math
from typing import Any

from litestar import Request, Response, post
from litestar.datastructures import State
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_202_ACCEPTED,
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_404_NOT_FOUND,
    HTTP_422_UNPROCESSABLE_ENTITY,
)

from backend.gql.api import Api
from backend.runs.records import MissingCredentials
from backend.settings import Settings
from backend.triggers.outcomes import (
    MAX_WAIT_SECONDS,
    BadSignature,
    HookNotFound,
    InvalidDelivery,
    Started,
)
from backend.triggers.signatures import DELIVERY_HEADER, SIGNATURE_HEADER, WAIT_HEADER

Body = dict[str, Any]


def _error(status: int, code: str, message: str, **extra: Any) -> Response[Body]:
    return Response({"error": {"code": code, "message": message, **extra}}, status_code=status)


def _wait_seconds(request: Request[Any, Any, State]) -> float | Response[Body] | None:
    raw = request.query_params.get("wait") or request.headers.get(WAIT_HEADER)
    if raw is None or not raw.strip():
        return None
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:
        return _error(
            HTTP_400_BAD_REQUEST, "INVALID_WAIT", f"wait is a number of seconds, 0 to {MAX_WAIT_SECONDS:g}"
        )
    return min(seconds, MAX_WAIT_SECONDS)


def _started(started: Started, *, finished: bool) -> Response[Body]:
    run = started.run
    body: Body = {"runId": str(run.id), "status": run.status.value}
    if finished:
        body.update(output=run.output, error=run.error)
    if started.replayed:
        body["replayed"] = True
    return Response(body, status_code=HTTP_200_OK if finished else HTTP_202_ACCEPTED)


def hooks_handler(settings: Settings) -> HTTPRouteHandler:
    """The route handler of webhook deliveries, bounded by the run inputs' size limit."""

    @post(
        "/hooks/{trigger_id:str}",
        request_max_body_size=settings.max_input_bytes,
        status_code=HTTP_202_ACCEPTED,
        include_in_schema=False,
    )
    async def deliver_webhook(request: Request[Any, Any, State], trigger_id: FromPath[str]) -> Response[Body]:
        """Start a run of the webhook's workflow with the JSON body as inputs."""
        wait = _wait_seconds(request)
        if isinstance(wait, Response):
            return wait
        services: Api = request.app.state.services
        outcome = await services.deliveries.deliver(
            trigger_id,
            await request.body(),
            signature=request.headers.get(SIGNATURE_HEADER),
            delivery_id=request.headers.get(DELIVERY_HEADER),
        )
        if isinstance(outcome, Started):
            if wait is None or wait <= 0:
                return _started(outcome, finished=outcome.run.status.terminal)
            run = await services.deliveries.wait(outcome.run, wait)
            return _started(Started(run=run, replayed=outcome.replayed), finished=run.status.terminal)
        return _refusal(outcome)

    return deliver_webhook


def _refusal(outcome: HookNotFound | BadSignature | InvalidDelivery | MissingCredentials) -> Response[Body]:
    match outcome:
        case HookNotFound():
            return _error(HTTP_404_NOT_FOUND, "NOT_FOUND", "no such webhook")
        case BadSignature(message=message):
            return _error(HTTP_401_UNAUTHORIZED, "INVALID_SIGNATURE", message)
        case InvalidDelivery(code=code, problems=problems):
            return _error(
                HTTP_400_BAD_REQUEST,
                code,
                "; ".join(problem.message for problem in problems),
                problems=[
                    {"code": problem.code, "message": problem.message, "path": problem.path}
                    for problem in problems
                ],
            )
        case MissingCredentials(provider=provider, message=message):
            return _error(HTTP_422_UNPROCESSABLE_ENTITY, "MISSING_CREDENTIALS", message, provider=provider)
