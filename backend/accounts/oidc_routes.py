"""The browser's OpenID sign-in: `/auth/oidc/{provider}/login` and its `/callback`.

`login` keeps the flow's secrets (state, nonce, PKCE verifier) in PostgreSQL under the digest of a
random value it gives the browser as a short-lived cookie; `callback` takes the flow back with that
cookie (once), so a callback URL replayed or forged in another browser finds nothing. Success sets
the session cookie and redirects to the `next` path; failure redirects to `/signin?error=<code>`.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, Request, get
from litestar.datastructures import Cookie, State
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect

from backend.accounts.oidc import OidcError
from backend.accounts.routes import session_cookie
from backend.gql.api import Api
from backend.gql.context import client_address
from backend.problems import Refused

OIDC_COOKIE = "flowloom_oidc"
FLOW_COOKIE_PATH = "/auth/oidc"

log = logging.getLogger(__name__)


def safe_next(path: str | None) -> str:
    """A path on this site to land on after signing in (never another site: no open redirect)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path or len(path) > 2000:
        return "/"
    return path


def base_url(services: Api, request: Request[Any, Any, Any]) -> str:
    """Where browsers reach Flowloom: FLOWLOOM_PUBLIC_URL, else the request's own origin."""
    return services.settings.public_url or str(request.base_url).rstrip("/")


def failed(code: str) -> Redirect:
    """Back to the sign-in page with the reason; the flow cookie goes."""
    response = Redirect(path=f"/signin?error={quote(code)}", status_code=302)
    response.delete_cookie(OIDC_COOKIE, path=FLOW_COOKIE_PATH)
    return response


class OidcController(Controller):
    """Sign-in with each configured OpenID provider."""

    path = "/auth/oidc"

    @get("/{provider_id:str}/login")
    async def login(
        self,
        request: Request[Any, Any, Any],
        state: State,
        provider_id: FromPath[str],
        next_path: Annotated[str | None, QueryParameter(name="next", max_length=2000)] = None,
    ) -> Redirect:
        """Send the browser to the provider."""
        services: Api = state.services
        client = services.oidc.get(provider_id)
        if client is None:
            return failed("unknown_provider")
        try:
            url, flow = await client.begin(f"{base_url(services, request)}/auth/oidc/{provider_id}/callback")
        except OidcError as exc:
            log.warning("OpenID sign-in with %s cannot start: %s", provider_id, exc.code)
            return failed(exc.code)
        binding = await services.oidc_flows.save(provider_id, flow, safe_next(next_path))
        return Redirect(
            path=url,
            status_code=302,
            cookies=[
                Cookie(
                    key=OIDC_COOKIE,
                    value=binding,
                    max_age=600,
                    path=FLOW_COOKIE_PATH,
                    httponly=True,
                    secure=services.settings.cookies_secure(),
                    samesite="lax",  # sent on the provider's top-level redirect back to us
                )
            ],
        )

    @get("/{provider_id:str}/callback")
    async def callback(
        self,
        *,
        request: Request[Any, Any, Any],
        state: State,
        provider_id: FromPath[str],
        code: Annotated[str | None, QueryParameter(name="code", max_length=2000)] = None,
        oauth_state: Annotated[str | None, QueryParameter(name="state", max_length=500)] = None,
        error: Annotated[str | None, QueryParameter(name="error", max_length=200)] = None,
    ) -> Redirect:
        """Finish the sign-in: verify what the provider says, find or make the user, start a session."""
        services: Api = state.services
        client = services.oidc.get(provider_id)
        pending = await services.oidc_flows.take(request.cookies.get(OIDC_COOKIE))
        if client is None or pending is None or pending.provider != provider_id:
            return failed("state_mismatch")
        if error is not None or code is None or oauth_state is None:
            return failed("provider_refused")
        address = client_address(request)
        try:
            identity = await client.finish(
                pending.flow,
                f"{base_url(services, request)}/auth/oidc/{provider_id}/callback",
                code,
                oauth_state,
            )
        except OidcError as exc:
            log.info("OpenID sign-in with %s refused: %s", provider_id, exc.code)
            return failed(exc.code)
        user = await services.oidc_sign_in.user_for(client.settings, identity, address)
        if isinstance(user, Refused):
            return failed(user.code)
        signed_in = await services.accounts.start_session(user, address, request.headers.get("user-agent"))
        response = Redirect(
            path=pending.next_path,
            status_code=302,
            cookies=[
                session_cookie(
                    services.settings, signed_in.secret, int(services.settings.session_absolute_seconds)
                )
            ],
        )
        response.delete_cookie(OIDC_COOKIE, path=FLOW_COOKIE_PATH)
        return response
