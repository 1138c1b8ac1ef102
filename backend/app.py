"""The composition root of the HTTP service: `create_app(settings)` wires everything."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from litestar import Litestar
from litestar.datastructures import State
from litestar.plugins import PluginProtocol
from litestar.plugins.opentelemetry import OpenTelemetryConfig, OpenTelemetryPlugin

from backend.accounts.oidc_routes import OidcController
from backend.accounts.pages import account_asset, account_page
from backend.accounts.routes import THROTTLE, AuthController
from backend.accounts.throttle import SignInThrottle
from backend.counters import counting_store
from backend.gql.controller import make_controller
from backend.gql.schema import build_schema
from backend.health import healthz, readyz
from backend.ratelimit import rate_limit_middlewares, rate_limit_stores
from backend.services import Services
from backend.settings import Settings
from backend.telemetry.metrics import metrics_controller, prometheus_config
from backend.telemetry.tracing import request_span_details, scrub_request_span
from backend.triggers.routes import hooks_handler
from backend.webapp import app_page, built_app, web_app_handler


def create_app(settings: Settings, services: Services | None = None) -> Litestar:
    """The Litestar application.

    With `services`, the app serves with them and leaves them open on shutdown (tests, and
    `flowloom serve`, which opens them first so that set-up errors read as one line); without,
    it opens its own on startup and closes them on shutdown.
    """

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        opened = await Services.open(settings, execute_runs=True)
        app.state.services = opened
        try:
            yield
        finally:
            await opened.close()

    schema = build_schema(settings)
    sign_in_store = counting_store(settings.redis_url, namespace="flowloom_sign_in")
    state: dict[str, object] = {THROTTLE: SignInThrottle(sign_in_store)}
    if services is not None:
        state["services"] = services
    web_root = built_app(settings.web_dir)
    plugins: list[PluginProtocol] = []
    if settings.tracing:
        # a server span per request (the parent of Strawberry's, the database's and a new run's)
        plugins.append(
            OpenTelemetryPlugin(
                OpenTelemetryConfig(
                    exclude=["^/metrics", "^/healthz", "^/readyz"],
                    # no webhook id in span names, no query string (a link's token) in attributes
                    scope_span_details_extractor=request_span_details,
                    server_request_hook_handler=scrub_request_span,
                )
            )
        )
    # the web app implements the account pages' routes (/setup, /signin, ...) itself
    pages = [account_page] if web_root is None else [web_app_handler(web_root)]
    return Litestar(
        route_handlers=[
            # with the app built, its bundled GraphiQL answers a browser at /graphql
            make_controller(schema, settings, None if web_root is None else partial(app_page, web_root)),
            AuthController,
            OidcController,
            hooks_handler(settings),
            *pages,
            account_asset,
            healthz,
            readyz,
            metrics_controller(settings.metrics_token),
        ],
        plugins=plugins,
        state=State(state),
        lifespan=[lifespan] if services is None else [],
        middleware=[prometheus_config().middleware, *rate_limit_middlewares(settings)],
        # the process's entry point configures logging (backend/logs.py: plain or JSON lines);
        # Litestar's default would replace the root handler when the app is built
        logging_config=None,
        # Litestar closes these with the app
        stores={**rate_limit_stores(settings), "sign_in": sign_in_store},
    )
