"""The GraphQL endpoint: Strawberry's Litestar controller with Flowloom's auth and error shapes."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, ClassVar

import msgspec
from cross_web import HTTPException as GraphQLHTTPException
from litestar import Request, Response
from litestar.background_tasks import BackgroundTasks
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.status_codes import (
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_500_INTERNAL_SERVER_ERROR,
)
from litestar.types import Dependencies
from strawberry.exceptions import ConnectionRejectionError
from strawberry.litestar import make_graphql_controller
from strawberry.litestar.controller import GraphQLController
from strawberry.schema import BaseSchema

from backend.gql.context import (
    CSRF_HEADER,
    WORKSPACE_PARAM,
    Context,
    authenticate_connection,
    context_getter,
)
from backend.gql.errors import INTERNAL, INTERNAL_MESSAGE
from backend.gql.websocket import FlowloomLegacyWSHandler, FlowloomTransportWSHandler
from backend.settings import Settings

GRAPHQL_PATH = "/graphql"

log = logging.getLogger(__name__)


class TooDeepJSONError(json.JSONDecodeError):
    """JSON nested too deeply to decode (a JSONDecodeError, so websockets close 4400 on it)."""

    def __init__(self) -> None:
        super().__init__("JSON nested too deeply to decode", "", 0)

    def __str__(self) -> str:
        return self.msg


def error_response(status_code: int, message: str, code: str) -> Response[Any]:
    """A GraphQL-shaped error body (`{"errors": [...]}`) with an HTTP status."""
    return Response(
        {"errors": [{"message": message, "extensions": {"code": code}}]},
        status_code=status_code,
        headers={"WWW-Authenticate": "Bearer"} if status_code == HTTP_401_UNAUTHORIZED else None,
    )


def _empty_response() -> Response[Any]:
    """The response Strawberry's handlers fill in (as its own getter makes it)."""
    return Response({}, background=BackgroundTasks([]))


def _too_large_for_json(request: Request[Any, Any, Any], limit: int) -> bool:
    """Whether a request that is not a multipart upload declares a body over `limit` bytes."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        return False
    declared = request.headers.get("content-length", "")
    return declared.isdigit() and int(declared) > limit


def make_controller(
    schema: BaseSchema, settings: Settings, ide_page: Callable[[], Response[Any]] | None = None
) -> type[GraphQLController]:
    """The GraphQL controller class for `schema`.

    `ide_page` answers a browser's GET of the endpoint (when GraphiQL is on) in place of Strawberry's
    page, which loads GraphiQL from a CDN and so stays at "Loading..." offline: the web app's own
    page, whose bundled GraphiQL renders at its `/graphql` route.
    """
    base = make_graphql_controller(
        schema,
        path=GRAPHQL_PATH,
        graphql_ide="graphiql" if settings.graphiql else None,
        context_getter=context_getter,
        allowed_origins=list(settings.allowed_origins),
        keep_alive=True,  # the legacy graphql-ws protocol's "ka" messages
        keep_alive_interval=settings.ws_keepalive,
        connection_init_wait_timeout=timedelta(seconds=settings.ws_init_timeout),
        max_subscriptions_per_connection=settings.max_subscriptions,
        # uploadDocuments: cookie-authenticated POSTs still need the CSRF header (execute_request)
        multipart_uploads_enabled=True,
    )

    class TransportHandler(FlowloomTransportWSHandler):
        interval = settings.ws_keepalive

    class FlowloomGraphQLController(base):  # type: ignore[valid-type,misc]
        """Every operation needs a token; only GraphiQL's page is public."""

        graphql_transport_ws_handler_class = TransportHandler
        graphql_ws_handler_class = FlowloomLegacyWSHandler
        # Strawberry provides the response it fills with `sync_to_thread=True`: a worker-thread round
        # trip on every request (0.06 ms p50, 0.6 ms p99 on a busy machine) to build an empty object
        dependencies: ClassVar[Dependencies] = {
            **base.dependencies,
            "response": Provide(_empty_response, sync_to_thread=False),
        }
        # a multipart upload (uploadDocuments) may carry several documents; other bodies keep the
        # usual limit, checked in execute_request
        request_max_body_size = settings.max_upload_bytes

        def encode_json(self, data: object) -> bytes:
            # msgspec encodes a 50-workflow page several times faster than the stdlib json Strawberry uses
            try:
                return msgspec.json.encode(data)
            except UnicodeEncodeError:
                # a lone surrogate a client sent, echoed back (an id, a message quoting a value):
                # msgspec cannot write it as UTF-8; JSON can, escaped, so the echo stays exact
                return json.dumps(data, ensure_ascii=True).encode()

        def decode_json(self, data: str | bytes) -> object:
            # for HTTP bodies and websocket messages alike; Strawberry handles JSONDecodeError only
            try:
                return json.loads(data)
            except RecursionError:
                raise TooDeepJSONError from None  # from None: the recursion's frames are not kept

        def parse_json(self, data: str | bytes) -> Any:
            # request bodies, and the JSON of GET parameters: objects (or batches of them) only,
            # Strawberry's body parsing failed with AttributeError on `1` or `null` (HTTP 500)
            try:
                value = self.decode_json(data)
            except TooDeepJSONError as exc:
                raise GraphQLHTTPException(400, str(exc)) from None
            except json.JSONDecodeError:
                raise GraphQLHTTPException(400, "Unable to parse request body as JSON") from None
            if not isinstance(value, dict | list):
                raise GraphQLHTTPException(400, "The request's JSON must be an object")
            return value

        async def execute_request(
            self, request: Request[Any, Any, Any], context: Context, root_value: Any
        ) -> Any:
            adapter = self.request_adapter_class(request)
            if _too_large_for_json(request, settings.max_request_bytes):
                return error_response(
                    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
                    f"the request body is larger than {settings.max_request_bytes} bytes (only "
                    "uploadDocuments' multipart requests may be larger)",
                    "REQUEST_TOO_LARGE",
                )
            if not self.should_render_graphql_ide(adapter):
                if context.caller is None:
                    return error_response(
                        HTTP_401_UNAUTHORIZED,
                        "authentication required: sign in, or send Authorization: Bearer <token> "
                        "(flowloom token create)",
                        "UNAUTHENTICATED",
                    )
                if context.csrf_failed:
                    return error_response(
                        HTTP_403_FORBIDDEN,
                        f"a signed-in browser's POST must carry the {CSRF_HEADER} header that "
                        "GET /auth/session gives",
                        "CSRF_FAILED",
                    )
            try:
                return await self.run(request, context=context, root_value=root_value)
            except (GraphQLHTTPException, HTTPException) as exc:
                status = getattr(exc, "status_code", 400)
                reason = getattr(exc, "reason", None) or getattr(exc, "detail", "bad request")
                return error_response(status, str(reason), "BAD_REQUEST")
            except Exception:
                # a bug outside GraphQL execution (decoding, encoding): Litestar would answer 500 and
                # log nothing; the body and its variables are not logged, they may carry secrets
                log.exception("GraphQL request failed outside execution")
                return error_response(HTTP_500_INTERNAL_SERVER_ERROR, INTERNAL_MESSAGE, INTERNAL)

        async def render_graphql_ide(self, request: Request[Any, Any, Any]) -> Response[Any]:
            if ide_page is None:
                strawberry_page: Response[Any] = await super().render_graphql_ide(request)
                return strawberry_page
            return ide_page()

        async def on_ws_connect(self, context: Context) -> dict[str, Any] | None:
            params = context.connection_params if isinstance(context.connection_params, dict) else {}
            token = params.get("authToken")
            workspace = params.get(WORKSPACE_PARAM)
            if context.websocket is None:  # Strawberry sets it on every websocket context
                raise ConnectionRejectionError({"message": "not a websocket"})
            await authenticate_connection(
                context,
                context.websocket,
                None if token is None else token if isinstance(token, str) else "",
                workspace if isinstance(workspace, str) else None,
            )
            if context.caller is None:
                raise ConnectionRejectionError({"message": "invalid or missing authToken or session"})
            return None

    return FlowloomGraphQLController
