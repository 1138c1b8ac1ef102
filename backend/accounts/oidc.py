"""OpenID Connect sign-in: the authorization code flow with PKCE (S256) and a nonce, per provider.

Framework-free, for the `/auth/oidc/{provider}/login` and `/callback` routes: `begin` gives the URL to
send the browser to and an `OidcFlow` that the route keeps server side; `finish` takes the callback's
`code` and `state` with that flow and returns who signed in, or raises `OidcError`.

All requests go through one shared `httpx2.AsyncClient` (see `oidc_http_client`); Authlib builds
the authorization URL and does the token request, joserfc verifies the id_token.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx2
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client

from backend.accounts.oidc_discovery import ProviderDirectory, ProviderMetadata
from backend.accounts.oidc_errors import OIDC_ERROR_CODES, OidcError, OidcErrorCode
from backend.accounts.oidc_id_token import IdTokenExpectations, verify_id_token
from backend.accounts.oidc_userinfo import fetch_profile
from backend.settings import OidcProviderSettings

__all__ = [
    "OIDC_ERROR_CODES",
    "OidcClient",
    "OidcClients",
    "OidcError",
    "OidcErrorCode",
    "OidcFlow",
    "OidcIdentity",
    "oidc_http_client",
]

HTTP_TIMEOUT_SECONDS = 10.0


def oidc_http_client() -> httpx2.AsyncClient:
    """The client every provider's requests share: 10 s timeouts, no redirects followed (a
    discovery document or token endpoint that redirects is misconfigured). The caller closes it."""
    return httpx2.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS, follow_redirects=False)


@dataclass(frozen=True)
class OidcFlow:
    """The secrets of one sign-in between `begin` and `finish`; kept server side, never in the browser."""

    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class OidcIdentity:
    """Who signed in, as the provider vouches for them."""

    provider: str
    """The provider's id in settings."""
    subject: str
    """The provider's stable id of the person (`sub`): link accounts on (provider, subject)."""
    email: str | None
    email_verified: bool
    """Only a verified email may be trusted to match an existing account."""
    name: str | None


class _ThroughSharedClient(httpx2.AsyncBaseTransport):
    """Sends Authlib's requests through the shared client, so they share its connections and
    timeouts; closing Authlib's client leaves the shared one open."""

    def __init__(self, http: httpx2.AsyncClient) -> None:
        self._http = http

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        return await self._http.send(request)


class OidcClient:
    """Sign-in with one configured OpenID provider.

    The discovery document and the JWKS are fetched on first use and cached for `metadata_ttl`
    seconds. `finish` refuses a verified email outside `allowed_domains` (code `domain_not_allowed`);
    `email_allowed` says the same for any email.

    Raises:
        OidcError: `invalid_provider_metadata` at construction when the issuer is plain http to a
            host other than loopback, so a misconfigured provider stops the start-up.
    """

    def __init__(
        self, settings: OidcProviderSettings, http: httpx2.AsyncClient, *, metadata_ttl: float = 3600.0
    ) -> None:
        self.settings = settings
        """The provider's settings."""
        self._http = http
        self._directory = ProviderDirectory(settings.issuer, http, ttl=metadata_ttl)

    async def begin(self, redirect_uri: str) -> tuple[str, OidcFlow]:
        """Start a sign-in.

        Args:
            redirect_uri: Our callback URL, registered with the provider.

        Returns:
            The provider's authorization URL to redirect the browser to, and the flow to keep.

        Raises:
            OidcError: when the provider's discovery document cannot be had.
        """
        metadata = await self._directory.metadata()
        flow = OidcFlow(
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            code_verifier=secrets.token_urlsafe(48),
        )
        async with self._oauth(metadata, redirect_uri) as oauth:
            url, _ = oauth.create_authorization_url(
                metadata.authorization_endpoint,
                state=flow.state,
                code_verifier=flow.code_verifier,
                nonce=flow.nonce,
            )
        return str(url), flow

    async def finish(self, flow: OidcFlow, redirect_uri: str, code: str, returned_state: str) -> OidcIdentity:
        """Complete a sign-in from the provider's callback.

        Args:
            flow: What `begin` returned for this browser.
            redirect_uri: The same callback URL `begin` was given.
            code: The callback's `code` parameter.
            returned_state: The callback's `state` parameter.

        Returns:
            The verified identity.

        Raises:
            OidcError: whatever makes the sign-in untrustworthy (see `OidcErrorCode`).
        """
        if not hmac.compare_digest(returned_state.encode(), flow.state.encode()):
            raise OidcError("state_mismatch", "the callback's state is not this sign-in's")
        metadata = await self._directory.metadata()
        token = await self._exchange(metadata, flow, redirect_uri, code)
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise OidcError("token_exchange_failed", "the token response has no id_token")
        expected = IdTokenExpectations(
            issuer=metadata.issuer,
            client_id=self.settings.client_id,
            nonce=flow.nonce,
            algorithms=metadata.algorithms,
        )
        claims = await verify_id_token(id_token, expected, self._directory)
        profile = await fetch_profile(self._http, metadata, claims, token.get("access_token"))
        identity = OidcIdentity(
            provider=self.settings.id,
            subject=claims["sub"],
            email=profile.email,
            email_verified=profile.email_verified,
            name=profile.name,
        )
        if self.settings.allowed_domains and not (
            identity.email and identity.email_verified and self.email_allowed(identity.email)
        ):
            raise OidcError("domain_not_allowed", "no verified email in a domain allowed to sign in")
        return identity

    def email_allowed(self, email: str) -> bool:
        """Whether `email`'s domain may sign in with this provider (any, when none is configured).

        Domains match exactly, without subdomains. Only ask this of a verified email.
        """
        if not self.settings.allowed_domains:
            return True
        local, at, domain = email.rpartition("@")
        return bool(local and at) and domain.lower() in self.settings.allowed_domains

    def _oauth(self, metadata: ProviderMetadata, redirect_uri: str) -> Any:
        secret = self.settings.client_secret
        if secret is None:
            method = "none"
        elif "client_secret_basic" in metadata.token_auth_methods:
            method = "client_secret_basic"
        else:
            method = "client_secret_post"
        return AsyncOAuth2Client(
            client_id=self.settings.client_id,
            client_secret=secret,
            token_endpoint_auth_method=method,
            scope=" ".join(self.settings.scopes),
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            transport=_ThroughSharedClient(self._http),
            trust_env=False,  # proxies and certificates are the shared client's business
        )

    async def _exchange(
        self, metadata: ProviderMetadata, flow: OidcFlow, redirect_uri: str, code: str
    ) -> Mapping[str, Any]:
        try:
            async with self._oauth(metadata, redirect_uri) as oauth:
                token: Mapping[str, Any] = await oauth.fetch_token(
                    metadata.token_endpoint,
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=flow.code_verifier,
                )
        except OAuthError as error:
            # The provider's own error code and description; they carry no token.
            raise OidcError("token_exchange_failed", f"{error.error}: {error.description}") from error
        except httpx2.HTTPStatusError as error:
            # Authlib raises this for an answer that is not a JSON object: a 5xx, or a 4xx page.
            status = error.response.status_code
            failure: OidcErrorCode = "provider_unreachable" if status >= 500 else "token_exchange_failed"
            raise OidcError(failure, f"the token endpoint answered HTTP {status}") from error
        except httpx2.HTTPError as error:
            raise OidcError(
                "provider_unreachable", f"the token request failed ({type(error).__name__})"
            ) from error
        except ValueError as error:
            raise OidcError("token_exchange_failed", "the token response is not a JSON object") from error
        return token


class OidcClients(Mapping[str, OidcClient]):
    """Every configured provider's client, by provider id; build it once in the composition root
    with the shared `oidc_http_client()` (it raises `OidcError` for an insecure issuer)."""

    def __init__(
        self,
        providers: Iterable[OidcProviderSettings],
        http: httpx2.AsyncClient,
        *,
        metadata_ttl: float = 3600.0,
    ) -> None:
        self._clients = {p.id: OidcClient(p, http, metadata_ttl=metadata_ttl) for p in providers}

    def __getitem__(self, provider_id: str) -> OidcClient:
        return self._clients[provider_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._clients)

    def __len__(self) -> int:
        return len(self._clients)
