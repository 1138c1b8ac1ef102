"""The test OpenID provider is strict where a real one is: what Flowloom's sign-in tests rely on."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.servers.oidc_provider import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, OidcProvider


def challenge_of(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def authorization_query(**changes: str | None) -> dict[str, str]:
    query: dict[str, str | None] = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid email",
        "state": "s",
        "nonce": secrets.token_urlsafe(16),
        "code_challenge": challenge_of("v" * 43),
        "code_challenge_method": "S256",
        **changes,
    }
    return {name: value for name, value in query.items() if value is not None}


async def authorize(provider: OidcProvider, **changes: str | None) -> httpx.Response:
    async with httpx.AsyncClient() as browser:
        return await browser.get(f"{provider.issuer}/authorize", params=authorization_query(**changes))


def error_of(response: httpx.Response) -> str:
    """The OAuth error, from the redirect back to the client or from the body."""
    if response.status_code == 302:
        return parse_qs(urlsplit(response.headers["location"]).query)["error"][0]
    body: dict[str, Any] = response.json()
    return str(body["error"])


async def test_an_authorization_request_without_pkce_is_refused(oidc_provider: OidcProvider) -> None:
    response = await authorize(oidc_provider, code_challenge=None, code_challenge_method=None)

    assert error_of(response) == "invalid_request"
    assert oidc_provider.codes == {}


async def test_the_plain_pkce_method_is_refused(oidc_provider: OidcProvider) -> None:
    response = await authorize(oidc_provider, code_challenge="v" * 43, code_challenge_method="plain")

    assert error_of(response) == "invalid_request"


async def test_an_authorization_request_without_a_nonce_is_refused(oidc_provider: OidcProvider) -> None:
    response = await authorize(oidc_provider, nonce=None)

    assert error_of(response) == "invalid_request"


async def test_an_unregistered_redirect_uri_gets_no_redirect(oidc_provider: OidcProvider) -> None:
    response = await authorize(oidc_provider, redirect_uri="http://127.0.0.1:9/elsewhere")

    assert response.status_code == 400
    assert "location" not in response.headers


async def test_the_token_endpoint_checks_the_client_secret(oidc_provider: OidcProvider) -> None:
    redirect = await authorize(oidc_provider)
    code = parse_qs(urlsplit(redirect.headers["location"]).query)["code"][0]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": "v" * 43,
    }

    async with httpx.AsyncClient() as client:
        wrong = await client.post(
            f"{oidc_provider.issuer}/token", data=form, auth=(CLIENT_ID, "not-the-secret")
        )
        right = await client.post(f"{oidc_provider.issuer}/token", data=form, auth=(CLIENT_ID, CLIENT_SECRET))

    assert wrong.json()["error"] == "invalid_client"
    assert set(right.json()) >= {"access_token", "id_token"}


async def test_the_jwks_publishes_only_the_current_key(oidc_provider: OidcProvider) -> None:
    async with httpx.AsyncClient() as client:
        before = (await client.get(f"{oidc_provider.issuer}/jwks")).json()
        new_kid = oidc_provider.rotate_key()
        after = (await client.get(f"{oidc_provider.issuer}/jwks")).json()

    assert [key["kid"] for key in after["keys"]] == [new_kid]
    assert before["keys"][0]["kid"] != new_kid
    assert all("d" not in key for key in after["keys"])  # no private part
    assert oidc_provider.count("jwks") == 2
