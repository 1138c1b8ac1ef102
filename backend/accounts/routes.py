"""The browser's sign-in endpoints under /auth (a backend for the front end: cookies, no tokens).

Every answer is JSON. Errors are `{"error": {"code": ..., "message": ...}}` with a 4xx status.
POSTs must be `Content-Type: application/json`, which a page of another origin cannot send without
the browser asking first (CORS), so no form on another site can sign someone in or out.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie, State
from litestar.params import FromPath, FromQuery
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_201_CREATED,
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_415_UNSUPPORTED_MEDIA_TYPE,
    HTTP_429_TOO_MANY_REQUESTS,
)

from backend.accounts.digests import csrf_token
from backend.accounts.invitations import LinkInfo
from backend.accounts.records import Caller
from backend.accounts.service import SignedIn
from backend.accounts.throttle import SignInThrottle
from backend.gql.api import Api
from backend.gql.context import CSRF_HEADER, SESSION_COOKIE, client_address
from backend.problems import Refused
from backend.settings import DEFAULT_WORKSPACE_SLUG, Settings

THROTTLE = "sign_in_throttle"
"""The app state's key of the `SignInThrottle`."""

Email = Annotated[str, msgspec.Meta(max_length=320)]
Password = Annotated[str, msgspec.Meta(max_length=1024)]
Secret = Annotated[str, msgspec.Meta(max_length=256)]
Name = Annotated[str, msgspec.Meta(max_length=200)]


class SignInBody(msgspec.Struct, forbid_unknown_fields=True):
    """POST /auth/login."""

    email: Email
    password: Password


class SetupBody(msgspec.Struct, forbid_unknown_fields=True, rename="camel"):
    """POST /auth/setup: the first owner, from the setup link's token."""

    token: Secret
    email: Email
    password: Password
    display_name: Name = ""


class AcceptInviteBody(msgspec.Struct, forbid_unknown_fields=True, rename="camel"):
    """POST /auth/invite/accept: a new account for the invitation's email, from its link's token."""

    token: Secret
    password: Password
    display_name: Name = ""


class ResetPasswordBody(msgspec.Struct, forbid_unknown_fields=True):
    """POST /auth/password/reset: a new password, from a reset link's token."""

    token: Secret
    password: Password


def link_json(info: LinkInfo) -> dict[str, Any]:
    """What GET /auth/links/{kind} answers about a valid link."""
    return {
        "kind": info.kind.value,
        "workspace": {"name": info.workspace.name, "slug": info.workspace.slug},
        "email": info.email,
        "role": None if info.role is None else info.role.value,
        "expiresAt": info.expires_at.isoformat(),
        "accountExists": info.account_exists,
    }


def problem(status: int, code: str, message: str) -> Response[Any]:
    """An error answer."""
    return Response({"error": {"code": code, "message": message}}, status_code=status)


def session_cookie(settings: Settings, value: str, max_age: int) -> Cookie:
    """The session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS, for the whole site."""
    return Cookie(
        key=SESSION_COOKIE,
        value=value,
        max_age=max_age,
        path="/",
        httponly=True,
        secure=settings.cookies_secure(),
        samesite="lax",
    )


def signed_in_response(
    settings: Settings, signed_in: SignedIn, status: int, body: dict[str, Any]
) -> Response[Any]:
    """An answer that sets a new session's cookie (the old one, if any, is simply replaced)."""
    return Response(
        {**body, "csrfToken": signed_in.csrf_token},
        status_code=status,
        cookies=[session_cookie(settings, signed_in.secret, int(settings.session_absolute_seconds))],
    )


def decode_json(request: Request[Any, Any, Any], body: bytes, kind: type[Any]) -> Any:
    """The body as `kind`, or an error answer."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        return problem(
            HTTP_415_UNSUPPORTED_MEDIA_TYPE, "JSON_REQUIRED", "Send Content-Type: application/json."
        )
    try:
        return msgspec.json.decode(body, type=kind)
    except msgspec.ValidationError as exc:
        return problem(HTTP_400_BAD_REQUEST, "BAD_REQUEST", str(exc))
    except msgspec.DecodeError:
        return problem(HTTP_400_BAD_REQUEST, "BAD_REQUEST", "The body is not valid JSON.")


async def session_of(request: Request[Any, Any, Any], services: Api) -> tuple[Caller, str] | None:
    """The request's session and its cookie's secret."""
    secret = request.cookies.get(SESSION_COOKIE)
    caller = await services.accounts.session_caller(secret, client_address(request))
    return None if caller is None or secret is None else (caller, secret)


class AuthController(Controller):
    """Sign-in, sign-out, first-owner setup and the session's description."""

    path = "/auth"

    @get("/providers")
    async def providers(self, state: State) -> dict[str, Any]:
        """How people can sign in here, and whether the first owner still has to be set up."""
        services: Api = state.services
        return {
            "password": True,
            "providers": [
                {"id": provider.id, "name": provider.name, "loginUrl": f"/auth/oidc/{provider.id}/login"}
                for provider in services.settings.oidc_providers
            ],
            "setupRequired": await services.accounts.setup_needed(),
        }

    @post("/login")
    async def login(self, request: Request[Any, Any, Any], state: State) -> Response[Any]:
        """Sign in with email and password; sets a fresh session cookie."""
        services: Api = state.services
        body = decode_json(request, await request.body(), SignInBody)
        if isinstance(body, Response):
            return body
        throttle: SignInThrottle = state[THROTTLE]
        address = client_address(request) or "unknown"
        decision = await throttle.check(body.email, address)
        if not decision.allowed:
            refused = problem(
                HTTP_429_TOO_MANY_REQUESTS,
                "SIGN_IN_LOCKED",
                "Too many failed sign-ins for this account from here; try again later or reset the password.",
            )
            refused.headers["Retry-After"] = str(int(decision.retry_after) or 1)
            return refused
        if decision.delay:
            await asyncio.sleep(decision.delay)  # a slow-down after a few failures, not a lock-out
        signed_in = await services.accounts.sign_in(
            body.email, body.password, client_address(request), request.headers.get("user-agent")
        )
        if signed_in is None:
            await throttle.failed(body.email, address)
            return problem(HTTP_401_UNAUTHORIZED, "INVALID_CREDENTIALS", "Wrong email or password.")
        await throttle.succeeded(body.email, address)
        return signed_in_response(
            services.settings, signed_in, HTTP_200_OK, {"userId": str(signed_in.user_id)}
        )

    @post("/setup")
    async def setup(self, request: Request[Any, Any, Any], state: State) -> Response[Any]:
        """Create the first owner with the setup link's token, and sign them in."""
        services: Api = state.services
        body = decode_json(request, await request.body(), SetupBody)
        if isinstance(body, Response):
            return body
        result = await services.accounts.set_up_owner(
            body.token, body.email, body.password, body.display_name, DEFAULT_WORKSPACE_SLUG
        )
        if isinstance(result, Refused):
            return problem(HTTP_400_BAD_REQUEST, result.code, result.message)
        signed_in = await services.accounts.start_session(
            result, client_address(request), request.headers.get("user-agent")
        )
        return signed_in_response(services.settings, signed_in, HTTP_201_CREATED, {"userId": str(result)})

    @post("/logout", status_code=HTTP_200_OK)
    async def logout(self, request: Request[Any, Any, Any], state: State) -> Response[Any]:
        """End the session (it needs the CSRF header, like every cookie-authenticated POST)."""
        services: Api = state.services
        found = await session_of(request, services)
        if found is not None:
            caller, secret = found
            if request.headers.get(CSRF_HEADER) != csrf_token(secret):
                return problem(HTTP_403_FORBIDDEN, "CSRF_FAILED", f"Send the {CSRF_HEADER} header.")
            await services.accounts.sign_out(caller)
        response: Response[Any] = Response({"signedOut": True}, status_code=HTTP_200_OK)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @get("/session")
    async def session(self, request: Request[Any, Any, Any], state: State) -> Response[Any]:
        """Who is signed in, their workspaces, and the CSRF token their page sends with each POST."""
        services: Api = state.services
        found = await session_of(request, services)
        if found is None:
            return problem(HTTP_401_UNAUTHORIZED, "UNAUTHENTICATED", "Not signed in.")
        caller, secret = found
        account = await services.accounts.account(caller)
        if account is None:
            return problem(HTTP_401_UNAUTHORIZED, "UNAUTHENTICATED", "Not signed in.")
        workspaces = await services.accounts.workspaces(caller)
        return Response(
            {
                "user": {"id": str(account.id), "email": account.email, "displayName": account.display_name},
                "workspaces": [
                    {"id": str(w.id), "slug": w.slug, "name": w.name, "role": w.role.value}
                    for w in workspaces
                ],
                "csrfToken": csrf_token(secret),
            },
            headers={"Cache-Control": "no-store"},
        )

    @get("/links/{kind:str}")
    async def link(
        self, state: State, kind: FromPath[str], token: FromQuery[str | None] = None
    ) -> Response[Any]:
        """What an invitation (`invite`) or password-reset (`reset`) link is, for the page it opens.

        404 for a wrong, used, withdrawn or expired link: the page then says so.
        """
        services: Api = state.services
        info = None if not token else await services.invitations.describe(kind, token[:300])
        if info is None:
            return problem(HTTP_404_NOT_FOUND, "INVALID_LINK", "This link was used already, or is wrong.")
        return Response(link_json(info), headers={"Cache-Control": "no-store"})

    @post("/invite/accept")
    async def accept_invite(self, request: Request[Any, Any, Any], state: State) -> Response[Any]:
        """Create the invited person's account (EMAIL_TAKEN when they have one: they sign in and
        accept over GraphQL), join the workspace, and sign in."""
        services: Api = state.services
        body = decode_json(request, await request.body(), AcceptInviteBody)
        if isinstance(body, Response):
            return body
        result = await services.invitations.accept_as_new_account(
            body.token,
            body.password,
            body.display_name,
            client_address(request),
            request.headers.get("user-agent"),
        )
        if isinstance(result, Refused):
            return problem(HTTP_400_BAD_REQUEST, result.code, result.message)
        workspace = result.workspace
        return signed_in_response(
            services.settings,
            result.signed_in,
            HTTP_201_CREATED,
            {
                "userId": str(result.signed_in.user_id),
                "workspace": {"slug": workspace.slug, "name": workspace.name, "role": workspace.role.value},
            },
        )

    @post("/password/reset", status_code=HTTP_200_OK)
    async def reset_password(self, request: Request[Any, Any, Any], state: State) -> Response[Any]:
        """Set a new password with a reset link's token; every session of that person ends, and this
        browser is signed in afresh."""
        services: Api = state.services
        body = decode_json(request, await request.body(), ResetPasswordBody)
        if isinstance(body, Response):
            return body
        result = await services.passwords.reset_password(
            body.token, body.password, client_address(request), request.headers.get("user-agent")
        )
        if isinstance(result, Refused):
            return problem(HTTP_400_BAD_REQUEST, result.code, result.message)
        return signed_in_response(services.settings, result, HTTP_200_OK, {"userId": str(result.user_id)})
