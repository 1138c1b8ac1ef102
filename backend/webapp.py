"""The built web app (`frontend/dist`) served at `/`, beside the API.

Vite's build is an `index.html` and content-hashed files under `assets/`. The hashed files never
change under their name, so browsers may keep them for a year; `index.html` and every path that is no
file (the app's own client-side routes, such as `/workflows/42`) answer with `index.html`, revalidated
on each load so that a new build reaches people at once. API paths never fall back to the app: an
unknown `/auth/...` stays a 404 rather than a page that pretends to be one.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path

from litestar import Request
from litestar.datastructures import State
from litestar.enums import HttpMethod
from litestar.exceptions import NotFoundException
from litestar.handlers import HTTPRouteHandler
from litestar.handlers.http_handlers import route
from litestar.response import File

logger = logging.getLogger(__name__)

API_PREFIXES = ("/graphql", "/auth", "/healthz", "/readyz", "/hooks", "/metrics")
"""Paths (and everything under them) that belong to the API and never fall back to the app."""

ASSETS_PREFIX = "/assets/"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # antd writes its styles at run time: CSS-in-JS <style> elements (a nonce would need a
        # per-response index.html and ConfigProvider csp), and some components set style attributes
        # with setAttribute (rc-textarea's auto-size), which no nonce allows; without 'unsafe-inline'
        # Chromium 156 refuses both (style-src-elem, style-src-attr). React's style props go through
        # the CSSOM, which CSP leaves alone. Styles run no code, and none come from another origin.
        "style-src 'self' 'unsafe-inline'",
        # data: URLs come from the page itself (inlined icons, fonts); they name no other origin
        "img-src 'self' data:",
        "font-src 'self' data:",
        # 'self' covers ws: and wss: of this host and port (CSP Level 3): checked in Chromium 156,
        # where a same-origin websocket opens and one to another origin is refused
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # setup, invite and reset links carry one-time tokens
    "X-Frame-Options": "DENY",  # frame-ancestors, for browsers that predate it
}
IMMUTABLE = "public, max-age=31536000, immutable"
PRECOMPRESSED = (("br", ".br"), ("gzip", ".gz"))
"""Content codings the build ships copies in (`frontend/scripts/compress.mjs`), preferred first."""
REVALIDATE = "no-cache"

_MEDIA_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".wasm": "application/wasm",
    ".woff2": "font/woff2",
}
_METHODS = [
    HttpMethod.GET,
    HttpMethod.HEAD,
    HttpMethod.POST,
    HttpMethod.PUT,
    HttpMethod.PATCH,
    HttpMethod.DELETE,
]


def built_app(web_dir: Path | None) -> Path | None:
    """`web_dir` resolved when it holds a built app (an `index.html`), else None."""
    if web_dir is None:
        return None
    if not (web_dir / "index.html").is_file():
        logger.info("no web app in %s (build it with `make run`); serving the API alone", web_dir)
        return None
    return web_dir.resolve()


def file_under(root: Path, path: str) -> Path | None:
    """The regular file `path` (a URL path, already percent-decoded) names under `root`, or None.

    `root` must be resolved. Segments `.` and `..` and empty ones (`//etc/passwd` would make an
    absolute path) are refused before touching the file system; symbolic links are followed and
    the target must still lie under `root`.
    """
    parts = path.strip("/").split("/")
    if any(part in {"", ".", ".."} or "\x00" in part for part in parts):
        return None
    candidate = root.joinpath(*parts).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate


def _unnormalised(path: str) -> bool:
    return path.startswith("//") or "\x00" in path or any(part in {".", ".."} for part in path.split("/"))


def _is_api(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in API_PREFIXES)


def accepted_encodings(accept_encoding: str) -> set[str]:
    """The content codings an `Accept-Encoding` header allows (those with q=0 refused)."""
    accepted = set()
    for item in accept_encoding.lower().split(","):
        coding, _, parameters = item.strip().partition(";")
        quality = parameters.strip().removeprefix("q=").strip() if parameters else "1"
        if coding and quality not in {"0", "0.0", "0.00", "0.000"}:
            accepted.add(coding.strip())
    return accepted


def _precompressed(file: Path, accept_encoding: str) -> tuple[Path, str | None]:
    """The build's Brotli or gzip copy of `file` (made by `npm run build`) when the client takes it."""
    accepted = accepted_encodings(accept_encoding)
    for coding, suffix in PRECOMPRESSED:
        copy = file.with_name(file.name + suffix)
        if coding in accepted and copy.is_file():
            return copy, coding
    return file, None


def _file_response(file: Path, cache_control: str, accept_encoding: str) -> File:
    media_type = (
        _MEDIA_TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    )
    sent, coding = _precompressed(file, accept_encoding)
    headers = {**SECURITY_HEADERS, "Cache-Control": cache_control, "Vary": "Accept-Encoding"}
    if coding is not None:
        headers["Content-Encoding"] = coding
    return File(
        path=sent,
        media_type=media_type,
        filename=file.name,
        content_disposition_type="inline",
        headers=headers,
    )


def app_page(root: Path, accept_encoding: str = "") -> File:
    """The app's `index.html` from the build in `root`, for a route the app renders itself."""
    return _file_response(root / "index.html", REVALIDATE, accept_encoding)


def web_app_handler(root: Path) -> HTTPRouteHandler:
    """The route handler serving the app built into `root` (resolved) at every path the API leaves."""

    @route(
        ["/", "/{path:path}"],
        http_method=_METHODS,
        status_code=200,
        sync_to_thread=False,
        include_in_schema=False,
    )
    def web_app(request: Request[object, object, State]) -> File:
        """A file of the build, or `index.html` for the app's client-side routes."""
        path: str = request.scope["path"]  # percent-decoded: %2e%2e arrives as ..
        # Only reads are the app's; other methods on paths without a route are unknown resources.
        if request.method not in {"GET", "HEAD"} or _is_api(path):
            raise NotFoundException
        accept_encoding = request.headers.get("accept-encoding", "")
        if path == "/":
            return app_page(root, accept_encoding)
        file = file_under(root, path)
        if file is not None:
            hashed = path.startswith(ASSETS_PREFIX)
            return _file_response(file, IMMUTABLE if hashed else REVALIDATE, accept_encoding)
        # A stale page asking for an asset of an older build must not get HTML under a .js name
        # (cached for a year); a path with . or .. segments comes from no browser, which normalises.
        if path.startswith(ASSETS_PREFIX) or _unnormalised(path):
            raise NotFoundException
        return app_page(root, accept_encoding)

    return web_app
