"""OIDC sign-in against a real OpenID provider on 127.0.0.1, driven the way a browser drives it
(`tests.backend.oidc_flow`): the flow, the provider's refusals, the profile, allowed domains,
discovery. The id_token checks are in test_oidc_id_token.py."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from backend.accounts.oidc import OidcClient, OidcClients, OidcError, OidcIdentity, oidc_http_client
from tests.backend.oidc_flow import refusal, sign_in, start
from tests.servers.oidc_provider import REDIRECT_URI, OidcProvider


@pytest.fixture
async def http() -> AsyncIterator[httpx2.AsyncClient]:
    async with oidc_http_client() as client:
        yield client


@pytest.fixture
def client(oidc_provider: OidcProvider, http: httpx2.AsyncClient) -> OidcClient:
    return OidcClient(oidc_provider.settings(), http)


async def test_a_sign_in_returns_who_the_provider_signed_in(
    oidc_provider: OidcProvider, client: OidcClient
) -> None:
    oidc_provider.login_as(sub="u-42", email="grace@example.com", verified=True, name="Grace Hopper")

    identity = await sign_in(client)

    assert identity == OidcIdentity(
        provider="test", subject="u-42", email="grace@example.com", email_verified=True, name="Grace Hopper"
    )


async def test_the_authorization_request_carries_pkce_s256_a_nonce_and_a_long_state(
    client: OidcClient,
) -> None:
    url, flow = await client.begin(REDIRECT_URI)

    query = {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
    assert query["code_challenge_method"] == "S256"
    assert query["code_challenge"]
    assert flow.code_verifier not in url
    assert query["nonce"] == flow.nonce
    assert query["state"] == flow.state
    assert len(flow.state) >= 43  # 32 random bytes, base64url
    assert query["scope"] == "openid email profile"


async def test_a_public_client_signs_in_with_pkce_alone(
    oidc_provider: OidcProvider, http: httpx2.AsyncClient
) -> None:
    client = OidcClient(oidc_provider.settings(public=True), http)

    identity = await sign_in(client)

    assert identity.subject == "user-1"


async def test_the_secret_is_posted_when_the_provider_does_not_take_basic_authentication(
    oidc_provider: OidcProvider, client: OidcClient
) -> None:
    oidc_provider.override_metadata(token_endpoint_auth_methods_supported=["client_secret_post"])

    identity = await sign_in(client)

    assert identity.subject == "user-1"


async def test_a_callback_with_another_state_is_refused_before_the_code_is_spent(
    oidc_provider: OidcProvider, client: OidcClient
) -> None:
    flow, code, _ = await start(client)

    with pytest.raises(OidcError) as caught:
        await client.finish(flow, REDIRECT_URI, code, "forged-state")

    assert caught.value.code == "state_mismatch"
    assert oidc_provider.count("token") == 0


async def test_a_replayed_code_is_refused_by_the_provider(client: OidcClient) -> None:
    flow, code, state = await start(client)
    await client.finish(flow, REDIRECT_URI, code, state)

    with pytest.raises(OidcError) as caught:
        await client.finish(flow, REDIRECT_URI, code, state)

    assert caught.value.code == "token_exchange_failed"
    assert "invalid_grant" in caught.value.message
    assert code not in str(caught.value)


async def test_a_wrong_pkce_verifier_is_refused_by_the_provider(client: OidcClient) -> None:
    flow, code, state = await start(client)
    other = await client.begin(REDIRECT_URI)

    with pytest.raises(OidcError) as caught:
        await client.finish(replace(flow, code_verifier=other[1].code_verifier), REDIRECT_URI, code, state)

    assert caught.value.code == "token_exchange_failed"
    assert "Code challenge failed" in caught.value.message


async def test_a_discovery_document_naming_another_issuer_is_refused(
    oidc_provider: OidcProvider, client: OidcClient
) -> None:
    oidc_provider.override_metadata(issuer="https://impostor.example.com")

    with pytest.raises(OidcError) as caught:
        await client.begin(REDIRECT_URI)

    assert caught.value.code == "wrong_issuer"


async def test_an_unverified_email_is_reported_unverified(
    oidc_provider: OidcProvider, client: OidcClient
) -> None:
    oidc_provider.login_as(sub="u-7", email="maybe@example.com", verified=False)

    identity = await sign_in(client)

    assert (identity.email, identity.email_verified) == ("maybe@example.com", False)


async def test_email_and_name_missing_from_the_id_token_come_from_userinfo(
    oidc_provider: OidcProvider, client: OidcClient
) -> None:
    oidc_provider.login_as(sub="u-9", email="lin@example.com", verified=True, name="Lin")
    oidc_provider.profile_in_id_token = False

    identity = await sign_in(client)

    assert (identity.email, identity.email_verified, identity.name) == ("lin@example.com", True, "Lin")
    assert oidc_provider.count("userinfo") == 1


async def test_userinfo_about_another_subject_is_refused(
    oidc_provider: OidcProvider, client: OidcClient
) -> None:
    oidc_provider.profile_in_id_token = False
    oidc_provider.override_userinfo(sub="someone-else")

    assert (await refusal(client)).code == "userinfo_failed"


async def test_userinfo_is_not_asked_when_the_id_token_has_the_profile(
    oidc_provider: OidcProvider, client: OidcClient
) -> None:
    await sign_in(client)

    assert oidc_provider.count("userinfo") == 0


def test_email_allowed_compares_the_domain_exactly_and_ignores_case(
    oidc_provider: OidcProvider, http: httpx2.AsyncClient
) -> None:
    limited = OidcClient(oidc_provider.settings(allowed_domains=("example.com",)), http)
    open_to_all = OidcClient(oidc_provider.settings(), http)

    assert limited.email_allowed("ada@Example.COM")
    assert not limited.email_allowed("ada@eng.example.com")
    assert not limited.email_allowed("example.com")
    assert open_to_all.email_allowed("ada@anywhere.org")


@pytest.mark.parametrize(
    ("email", "verified", "allowed"),
    [
        ("ada@example.com", True, True),
        ("ada@EXAMPLE.com", True, True),
        ("ada@example.org", True, False),
        ("ada@eng.example.com", True, False),  # no subdomains
        ("ada@example.com", False, False),  # an unverified email proves nothing about its domain
        (None, False, False),
    ],
)
async def test_allowed_domains_take_only_verified_emails_in_them(
    oidc_provider: OidcProvider,
    http: httpx2.AsyncClient,
    email: str | None,
    verified: bool,
    allowed: bool,
) -> None:
    client = OidcClient(oidc_provider.settings(allowed_domains=("example.com",)), http)
    oidc_provider.login_as(sub="u-1", email=email, verified=verified)

    if allowed:
        assert (await sign_in(client)).email == email
    else:
        assert (await refusal(client)).code == "domain_not_allowed"


async def test_the_discovery_document_is_cached(oidc_provider: OidcProvider, client: OidcClient) -> None:
    await sign_in(client)
    await sign_in(client)

    assert oidc_provider.count("discovery") == 1
    assert oidc_provider.count("jwks") == 1


async def test_the_discovery_document_is_fetched_again_once_stale(
    oidc_provider: OidcProvider, http: httpx2.AsyncClient
) -> None:
    client = OidcClient(oidc_provider.settings(), http, metadata_ttl=0)

    await sign_in(client)
    await sign_in(client)

    assert oidc_provider.count("discovery") > 1


async def test_a_provider_that_does_not_answer_is_unreachable(
    oidc_provider: OidcProvider, http: httpx2.AsyncClient
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = OidcClient(
        oidc_provider.settings(issuer=f"http://127.0.0.1:{port}/oidc"),  # nothing listens there now
        http,
    )

    with pytest.raises(OidcError) as caught:
        await client.begin(REDIRECT_URI)

    assert caught.value.code == "provider_unreachable"


def test_an_issuer_over_plain_http_to_another_host_is_refused(
    oidc_provider: OidcProvider, http: httpx2.AsyncClient
) -> None:
    with pytest.raises(OidcError) as caught:
        OidcClient(oidc_provider.settings(issuer="http://login.example.com"), http)

    assert caught.value.code == "invalid_provider_metadata"


async def test_a_token_endpoint_over_plain_http_to_another_host_is_refused(
    oidc_provider: OidcProvider, client: OidcClient
) -> None:
    oidc_provider.override_metadata(token_endpoint="http://login.example.com/token")

    with pytest.raises(OidcError) as caught:
        await client.begin(REDIRECT_URI)

    assert caught.value.code == "invalid_provider_metadata"


def test_clients_are_found_by_provider_id(oidc_provider: OidcProvider, http: httpx2.AsyncClient) -> None:
    clients = OidcClients([oidc_provider.settings("acme"), oidc_provider.settings("globex")], http)

    assert sorted(clients) == ["acme", "globex"]
    assert clients["acme"].settings.id == "acme"
    assert "initech" not in clients
