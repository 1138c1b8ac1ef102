"""Small account pages (setup, sign-in, invitation, password reset, who is signed in).

They make the links Flowloom prints and hands out usable in a browser before the web app exists;
the web app takes these routes over. One static HTML page and one script, no inline code, served
with a content security policy that allows nothing from another origin.
"""

from __future__ import annotations

from importlib.resources import files

from litestar import Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

PAGE_ROUTES = ["/setup", "/signin", "/invite", "/reset-password", "/account"]
_ASSETS = {"account.js": "text/javascript", "account.css": "text/css"}
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the links carry one-time tokens in their query
    "Cache-Control": "no-store",
}


def _read(name: str) -> str:
    return (files("backend.accounts.static") / name).read_text(encoding="utf-8")


@get(PAGE_ROUTES, sync_to_thread=False, include_in_schema=False)
def account_page() -> Response[str]:
    """The page; its script shows the part the path asks for."""
    return Response(_read("account.html"), media_type="text/html", headers=_SECURITY_HEADERS)


@get("/auth/pages/{name:str}", sync_to_thread=False, include_in_schema=False)
def account_asset(name: FromPath[str]) -> Response[str]:
    """The page's script and style sheet."""
    media_type = _ASSETS.get(name)
    if media_type is None:
        raise NotFoundException
    return Response(_read(name), media_type=media_type, headers=_SECURITY_HEADERS)
