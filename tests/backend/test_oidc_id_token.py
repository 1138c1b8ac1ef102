"""The id_token checks of an OIDC sign-in against the real test provider: each tampered claim,
key rotation and unknown keys (counting JWKS fetches), and the algorithms never accepted."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx2
import pytest

from backend.accounts.oidc import OidcClient, OidcError, oidc_http_client
from tests.backend.oidc_flow import refusal, sign_in
from tests.servers.oidc_provider import REDIRECT_URI, OidcProvider


@pytest.fixture
async def http() -> AsyncIterator[httpx2.AsyncClient]:
    async with oidc_http_client() as client:
        yield client


@pytest.fixture
def client(oidc_provider: OidcProvider, http: httpx2.AsyncClient) -> OidcClient:
    return OidcClient(oidc_provider.settings(), http)


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
