"""OIDC sign-in against a real OpenID provider on 127.0.0.1, driven the way a browser drives it:
`begin`, GET the authorization URL, read `code` and `state` from the redirect, `finish`."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import httpx
import httpx2
import pytest

from backend.accounts.oidc import OidcClient, OidcClients, OidcError, OidcFlow, OidcIdentity, oidc_http_client
from tests.servers.oidc_provider import REDIRECT_URI, OidcProvider


@pytest.fixture
async def http() -> AsyncIterator[httpx2.AsyncClient]:
    async with oidc_http_client() as client:
        yield client


@pytest.fixture
def client(oidc_provider: OidcProvider, http: httpx2.AsyncClient) -> OidcClient:
    return OidcClient(oidc_provider.settings(), http)


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
    flow, code, state = await start(client)
    return await client.finish(flow, REDIRECT_URI, code, state)


async def refusal(client: OidcClient) -> OidcError:
    with pytest.raises(OidcError) as caught:
        await sign_in(client)
    return caught.value


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


async def test_an_id_token_with_another_nonce_is_refused(
    oidc_provider: OidcProvider, client: OidcClient
) -> None:
    oidc_provider.override_claims(nonce="someone-elses-nonce")

    assert (await refusal(client)).code == "nonce_mismatch"


async def test_an_id_token_for_another_audience_is_refused(
    oidc_provider: OidcProvider, client: OidcClient
) -> None:
    oidc_provider.override_claims(aud=["another-client"])

    assert (await refusal(client)).code == "wrong_audience"


async def test_several_audiences_need_us_as_the_authorized_party(
    oidc_provider: OidcProvider, client: OidcClient
) -> None:
    oidc_provider.override_claims(aud=["flowloom", "another-client"])
    assert (await refusal(client)).code == "wrong_audience"

    oidc_provider.override_claims(azp="flowloom")
    assert (await sign_in(client)).subject == "user-1"


async def test_an_id_token_from_another_issuer_is_refused(
    oidc_provider: OidcProvider, client: OidcClient
) -> None:
    oidc_provider.override_claims(iss="https://impostor.example.com")

    assert (await refusal(client)).code == "wrong_issuer"


async def test_a_discovery_document_naming_another_issuer_is_refused(
    oidc_provider: OidcProvider, client: OidcClient
) -> None:
    oidc_provider.override_metadata(issuer="https://impostor.example.com")

    with pytest.raises(OidcError) as caught:
        await client.begin(REDIRECT_URI)

    assert caught.value.code == "wrong_issuer"


async def test_an_expired_id_token_is_refused(oidc_provider: OidcProvider, client: OidcClient) -> None:
    oidc_provider.override_claims(exp=int(time.time()) - 120)

    assert (await refusal(client)).code == "expired"


async def test_an_id_token_expired_within_the_leeway_is_accepted(
    oidc_provider: OidcProvider, client: OidcClient
) -> None:
    oidc_provider.override_claims(exp=int(time.time()) - 20)

    assert (await sign_in(client)).subject == "user-1"


async def test_an_id_token_issued_in_the_future_is_refused(
    oidc_provider: OidcProvider, client: OidcClient
) -> None:
    oidc_provider.override_claims(iat=int(time.time()) + 600)

    assert (await refusal(client)).code == "invalid_id_token"


async def test_a_rotated_key_is_fetched_once_and_the_sign_in_succeeds(
    oidc_provider: OidcProvider, client: OidcClient
) -> None:
    await sign_in(client)
    oidc_provider.rotate_key()

    identity = await sign_in(client)

    assert identity.subject == "user-1"
    assert oidc_provider.count("jwks") == 2


async def test_a_token_signed_by_the_next_key_is_refused_until_a_rotation_publishes_it(
    oidc_provider: OidcProvider, client: OidcClient
) -> None:
    oidc_provider.signing = "next"
    assert (await refusal(client)).code == "unknown_key"

    oidc_provider.rotate_key()
    oidc_provider.signing = "current"

    assert (await sign_in(client)).subject == "user-1"


async def test_a_key_never_published_fails_after_exactly_one_more_jwks_fetch(
    oidc_provider: OidcProvider, client: OidcClient
) -> None:
    await sign_in(client)
    assert oidc_provider.count("jwks") == 1
    oidc_provider.signing = "unpublished"

    assert (await refusal(client)).code == "unknown_key"
    assert oidc_provider.count("jwks") == 2


@pytest.mark.parametrize("algorithm", ["HS256", "none"])
async def test_hmac_and_unsigned_id_tokens_are_refused_even_when_discovery_lists_them(
    oidc_provider: OidcProvider, client: OidcClient, algorithm: str
) -> None:
    oidc_provider.override_metadata(id_token_signing_alg_values_supported=[algorithm, "RS256"])
    oidc_provider.signing = "HS256" if algorithm == "HS256" else "none"

    error = await refusal(client)

    assert error.code == "invalid_id_token"
    assert repr(algorithm) in error.message


async def test_a_provider_offering_only_hmac_signatures_is_refused(
    oidc_provider: OidcProvider, client: OidcClient
) -> None:
    oidc_provider.override_metadata(id_token_signing_alg_values_supported=["HS256"])

    with pytest.raises(OidcError) as caught:
        await client.begin(REDIRECT_URI)

    assert caught.value.code == "invalid_provider_metadata"


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
