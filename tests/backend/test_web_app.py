"""The built web app served at `/` beside the API, from a tiny stand-in for `frontend/dist`."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from litestar import Litestar

from backend.app import create_app
from backend.services import Services
from backend.settings import Settings

INDEX = '<!doctype html><title>Flowloom</title><script type="module" src="/assets/x-abc123.js"></script>'
ASSET = "console.log('flowloom')"


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    """A built app as Vite lays it out: index.html, a hashed script, a file from public/."""
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(INDEX)
    (root / "assets" / "x-abc123.js").write_text(ASSET)
    (root / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "secret.txt").write_text("not for the web")
    return root


@pytest.fixture
def web_app(services: Services, dist: Path) -> Litestar:
    """The app over the session's services, serving `dist`."""
    return create_app(replace(services.settings, web_dir=dist), services)


@pytest.fixture
async def web(web_app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of `web_app`."""
    transport = httpx.ASGITransport(app=web_app)  # type: ignore[arg-type]  # see conftest's `http`
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def raw_get(app: Litestar, raw_path: bytes) -> tuple[int, bytes]:
    """The status of a GET whose path no client normalised (httpx removes `..` segments itself)."""
    path = unquote(raw_path.decode("ascii"))  # as uvicorn does: the scope's path is percent-decoded
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": raw_path,
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)  # type: ignore[arg-type]  # plain dicts for Litestar's TypedDicts
    status: int = sent[0]["status"]
    return status, b"".join(message.get("body", b"") for message in sent[1:])


@pytest.mark.parametrize(
    "path", ["/", "/workflows/42", "/runs?status=FAILED", "/setup?token=fll_x", "/signin"]
)
async def test_the_root_and_client_side_routes_answer_with_the_app_revalidated_on_each_load(
    web: httpx.AsyncClient, path: str
) -> None:
    page = await web.get(path)

    assert page.status_code == 200
    assert page.text == INDEX
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-cache"


async def test_hashed_assets_are_cached_for_a_year_and_never_revalidated(web: httpx.AsyncClient) -> None:
    script = await web.get("/assets/x-abc123.js")

    assert script.status_code == 200
    assert script.text == ASSET
    assert script.headers["content-type"].startswith("text/javascript")
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"


async def raw_body(
    client: httpx.AsyncClient, path: str, accept_encoding: str
) -> tuple[httpx.Response, bytes]:
    """A GET's response and its body as sent, not decoded by httpx."""
    async with client.stream("GET", path, headers={"Accept-Encoding": accept_encoding}) as response:
        return response, b"".join([chunk async for chunk in response.aiter_raw()])


async def test_a_browser_taking_brotli_gets_the_builds_brotli_copy(
    web: httpx.AsyncClient, dist: Path
) -> None:
    (dist / "assets" / "x-abc123.js.br").write_bytes(b"brotli bytes")
    (dist / "assets" / "x-abc123.js.gz").write_bytes(gzip.compress(b"gzip copy"))

    response, body = await raw_body(web, "/assets/x-abc123.js", "gzip, deflate, br, zstd")

    assert body == b"brotli bytes"
    assert response.headers["content-encoding"] == "br"
    assert response.headers["vary"] == "Accept-Encoding"
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_a_browser_taking_gzip_only_gets_the_gzip_copy(web: httpx.AsyncClient, dist: Path) -> None:
    (dist / "assets" / "x-abc123.js.br").write_bytes(b"brotli bytes")
    (dist / "assets" / "x-abc123.js.gz").write_bytes(gzip.compress(b"gzip copy"))
    (dist / "index.html.gz").write_bytes(gzip.compress(b"<!doctype html>gzipped"))

    script = await web.get("/assets/x-abc123.js", headers={"Accept-Encoding": "gzip, br;q=0"})
    page = await web.get("/runs", headers={"Accept-Encoding": "gzip"})

    assert (script.headers["content-encoding"], script.text) == ("gzip", "gzip copy")
    assert (page.headers["content-encoding"], page.text) == ("gzip", "<!doctype html>gzipped")


async def test_without_an_accepted_copy_the_file_itself_is_sent(web: httpx.AsyncClient, dist: Path) -> None:
    (dist / "assets" / "x-abc123.js.br").write_bytes(b"brotli bytes")

    refused, refused_body = await raw_body(web, "/assets/x-abc123.js", "gzip, br;q=0")
    missing, missing_body = await raw_body(web, "/favicon.svg", "gzip, br")

    assert refused_body == ASSET.encode()
    assert "content-encoding" not in refused.headers
    assert missing_body.startswith(b"<svg")
    assert "content-encoding" not in missing.headers


async def test_unhashed_files_of_the_build_are_served_revalidated(web: httpx.AsyncClient) -> None:
    icon = await web.get("/favicon.svg")

    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.headers["cache-control"] == "no-cache"


async def test_head_answers_like_get_without_the_body(web: httpx.AsyncClient) -> None:
    page = await web.head("/workflows/42")
    script = await web.head("/assets/x-abc123.js")

    assert (page.status_code, page.headers["cache-control"]) == (200, "no-cache")
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert page.content == b""


async def test_a_missing_asset_is_a_404_not_the_page(web: httpx.AsyncClient) -> None:
    missing = await web.get("/assets/x-old999.js")

    assert missing.status_code == 404
    assert "immutable" not in missing.headers.get("cache-control", "")


@pytest.mark.parametrize("path", ["/", "/workflows/42", "/assets/x-abc123.js"])
async def test_every_answer_carries_a_policy_that_allows_no_other_origin(
    web: httpx.AsyncClient, path: str
) -> None:
    answer = await web.get(path)

    policy = dict(
        directive.strip().split(" ", 1) for directive in answer.headers["content-security-policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["connect-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert not [value for value in policy.values() if "http" in value or "*" in value]
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize(
    "raw_path",
    [
        b"/../secret.txt",
        b"/assets/../../secret.txt",
        b"/%2e%2e/secret.txt",
        b"/assets/%2e%2e/%2e%2e/secret.txt",
        b"/assets/..%2f..%2fsecret.txt",
        b"/./index.html",
    ],
)
async def test_paths_that_climb_out_of_the_build_are_refused(web_app: Litestar, raw_path: bytes) -> None:
    status, _ = await raw_get(web_app, raw_path)

    assert status == 404


@pytest.mark.parametrize("raw_path", [b"//etc/passwd", b"/%2fetc/passwd", b"/assets//etc/passwd"])
async def test_absolute_paths_name_no_file_outside_the_build(web_app: Litestar, raw_path: bytes) -> None:
    status, body = await raw_get(web_app, raw_path)

    assert b"root:" not in body
    assert status == 404 or body == INDEX.encode()


async def test_symbolic_links_out_of_the_build_are_not_followed(
    web: httpx.AsyncClient, dist: Path, tmp_path: Path
) -> None:
    (dist / "assets" / "leak.js").symlink_to(tmp_path / "secret.txt")
    (dist / "leak.txt").symlink_to(tmp_path / "secret.txt")

    asset = await web.get("/assets/leak.js")
    page = await web.get("/leak.txt")

    assert asset.status_code == 404
    assert page.text == INDEX  # an unknown path, so the app, which will say so
    assert "not for the web" not in page.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/auth/nope"),
        ("POST", "/auth/nope"),
        ("GET", "/graphql/nope"),
        ("GET", "/hooks/x/y"),
        ("GET", "/metrics/x"),
        ("POST", "/x"),
    ],
)
async def test_unknown_api_paths_and_writes_stay_404(web: httpx.AsyncClient, method: str, path: str) -> None:
    answer = await web.request(method, path)

    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/json")


async def test_a_webhook_read_with_get_is_refused_by_the_api_not_answered_by_the_app(
    web: httpx.AsyncClient,
) -> None:
    answer = await web.get("/hooks/x")

    assert answer.status_code == 405
    assert answer.headers["content-type"].startswith("application/json")


async def test_api_routes_answer_as_without_the_app(web: httpx.AsyncClient, http: httpx.AsyncClient) -> None:
    requests: list[tuple[str, str, dict[str, str]]] = [
        ("GET", "/healthz", {}),
        ("GET", "/readyz", {}),
        ("GET", "/auth/providers", {}),
        ("GET", "/auth/session", {}),
        ("GET", "/auth/oidc/nobody/login", {}),
        ("POST", "/auth/login", {}),
        ("GET", "/auth/pages/account.js", {}),
    ]
    for method, path, headers in requests:
        with_app = await web.request(method, path, headers=headers)
        without = await http.request(method, path, headers=headers)
        assert (path, with_app.status_code, with_app.text) == (path, without.status_code, without.text)


async def test_graphql_queries_are_answered_by_the_api(web: httpx.AsyncClient) -> None:
    answer = await web.post("/graphql", json={"query": "{ __typename }"})

    assert answer.headers["content-type"].startswith("application/json")
    assert "data" in answer.json() or "errors" in answer.json()


async def test_a_browser_at_the_graphql_endpoint_gets_the_app_and_its_bundled_graphiql(
    web: httpx.AsyncClient,
) -> None:
    page = await web.get("/graphql", headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})

    assert page.status_code == 200
    assert page.text == INDEX  # not Strawberry's page, which loads GraphiQL from a CDN
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-cache"
    assert page.headers["content-security-policy"].startswith("default-src 'self'")


async def test_queries_sent_with_get_still_reach_the_api_beside_the_app(
    web: httpx.AsyncClient, http: httpx.AsyncClient
) -> None:
    params = {"query": "{ __typename }"}
    headers = {"accept": "text/html"}  # a query in the URL is never the IDE, whatever the browser accepts

    with_app = await web.get("/graphql", params=params, headers=headers)
    without = await http.get("/graphql", params=params, headers=headers)

    assert (with_app.status_code, with_app.text) == (without.status_code, without.text)
    assert with_app.headers["content-type"].startswith("application/json")


async def test_without_a_build_the_graphql_endpoint_keeps_strawberrys_graphiql_page(
    http: httpx.AsyncClient,
) -> None:
    page = await http.get("/graphql", headers={"accept": "text/html"})

    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    assert page.text != INDEX


async def test_without_a_build_the_account_pages_and_a_404_at_the_root_remain(
    services: Services, tmp_path: Path
) -> None:
    app = create_app(replace(services.settings, web_dir=tmp_path / "not-built"), services)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]  # see conftest's `http`
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        root = await client.get("/")
        sign_in = await client.get("/signin")

    assert root.status_code == 404
    assert "/auth/pages/account.js" in sign_in.text


def test_a_source_checkout_serves_its_own_build_unless_told_otherwise(tmp_path: Path) -> None:
    repo = Path(__file__).resolve().parents[2]

    assert Settings.from_env({}).web_dir == repo / "frontend" / "dist"
    assert Settings.from_env({"FLOWLOOM_WEB_DIR": str(tmp_path)}).web_dir == tmp_path


def test_the_image_builds_the_web_app_and_serves_it_through_flowloom_web_dir() -> None:
    dockerfile = (Path(__file__).resolve().parents[2] / "Dockerfile").read_text()

    assert "RUN npm run build" in dockerfile
    assert "COPY --from=web /src/frontend/dist ./web" in dockerfile
    assert "WORKDIR /app" in dockerfile
    assert "FLOWLOOM_WEB_DIR=/app/web" in dockerfile
