"""The browser's part of an OIDC sign-in, for tests against the test OpenID provider."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from backend.accounts.oidc import OidcClient, OidcError, OidcFlow, OidcIdentity
from tests.servers.oidc_provider import REDIRECT_URI


async def authorize(url: str) -> tuple[str, str]:
    """What the browser does: follow the authorization URL to the provider (which signs the user
    in at once) and stop at the redirect back to Flowloom; returns its code and state."""
    async with httpx.AsyncClient() as browser:
        response = await browser.get(url)
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(REDIRECT_URI + "?"), location
    query = parse_qs(urlsplit(location).query)
    return query["code"][0], query["state"][0]


async def start(client: OidcClient) -> tuple[OidcFlow, str, str]:
    """`begin` plus the browser's round trip: the flow, the code and the returned state."""
    url, flow = await client.begin(REDIRECT_URI)
    code, state = await authorize(url)
    return flow, code, state


async def sign_in(client: OidcClient) -> OidcIdentity:
    """A whole sign-in as the provider's current user."""
    flow, code, state = await start(client)
    return await client.finish(flow, REDIRECT_URI, code, state)


async def refusal(client: OidcClient) -> OidcError:
    """The error a whole sign-in ends with (the test fails if it succeeds)."""
    with pytest.raises(OidcError) as caught:
        await sign_in(client)
    return caught.value
