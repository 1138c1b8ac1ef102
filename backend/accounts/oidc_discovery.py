"""What an OpenID provider publishes: its discovery document and its signing keys, cached.

Both are fetched lazily, kept for a TTL, and never cached when fetching fails, so a provider that
was down at start-up is used as soon as it answers.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx2
from joserfc.errors import JoseError
from joserfc.jwk import Key, KeySet

from backend.accounts.oidc_errors import OidcError, OidcErrorCode

log = logging.getLogger(__name__)

ACCEPTED_ALGORITHMS = ("RS256", "ES256", "PS256")
"""The id_token signatures we verify. Never HS* (the key would be our client secret, shared with
every holder of it) and never `none`."""

MAX_DOCUMENT_BYTES = 512 * 1024
"""Largest discovery document, JWKS or userinfo answer read; real ones are a few kilobytes."""


def is_secure_url(url: str) -> bool:
    """True for https, and for plain http only to a loopback host (a provider on this machine)."""
    parts = urlsplit(url)
    if not parts.hostname or parts.scheme not in {"https", "http"}:
        return False
    if parts.scheme == "https" or parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


async def fetch_json(
    http: httpx2.AsyncClient,
    url: str,
    *,
    what: str,
    unusable: OidcErrorCode,
    headers: Mapping[str, str] | None = None,
) -> object:
    """GET `url` and parse its JSON body, read up to `MAX_DOCUMENT_BYTES`.

    Raises:
        OidcError: `provider_unreachable` on a transport error or a 5xx; `unusable` on any other
            status than 200, a body too large, or a body that is not JSON.
    """
    try:
        async with http.stream("GET", url, headers=headers) as response:
            if response.status_code >= 500:
                raise OidcError("provider_unreachable", f"{what} answered HTTP {response.status_code}")
            if response.status_code != 200:
                raise OidcError(unusable, f"{what} answered HTTP {response.status_code}")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_DOCUMENT_BYTES:
                    raise OidcError(unusable, f"{what} is larger than {MAX_DOCUMENT_BYTES} bytes")
    except httpx2.HTTPError as error:
        raise OidcError(
            "provider_unreachable", f"{what} could not be read ({type(error).__name__})"
        ) from error
    try:
        return json.loads(body)
    except ValueError as error:
        raise OidcError(unusable, f"{what} is not JSON") from error


@dataclass(frozen=True)
class ProviderMetadata:
    """The parts of a discovery document the sign-in uses."""

    issuer: str
    """Exactly as the provider writes it: id_tokens must carry this `iss`."""
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None
    algorithms: tuple[str, ...]
    """The provider's id_token algorithms that we accept, in its order."""
    token_auth_methods: tuple[str, ...]
    """How the token endpoint lets clients authenticate."""

    @classmethod
    def parse(cls, document: object, configured_issuer: str) -> ProviderMetadata:
        """Check a discovery document against the configured issuer.

        The issuer is compared without a trailing slash, because settings strip it and some
        providers publish one; everything else is compared exactly.

        Raises:
            OidcError: `wrong_issuer`, or `invalid_provider_metadata` for a missing or insecure
                endpoint or no acceptable algorithm.
        """
        if not isinstance(document, dict):
            raise OidcError("invalid_provider_metadata", "the discovery document is not a JSON object")
        issuer = document.get("issuer")
        if not isinstance(issuer, str) or issuer.rstrip("/") != configured_issuer.rstrip("/"):
            raise OidcError(
                "wrong_issuer", f"discovery names issuer {issuer!r}, expected {configured_issuer!r}"
            )
        endpoints: dict[str, str] = {}
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint"):
            value = document.get(name)
            if value is None and name == "userinfo_endpoint":
                continue
            if not isinstance(value, str) or not is_secure_url(value):
                raise OidcError("invalid_provider_metadata", f"{name} is missing or not https: {value!r}")
            endpoints[name] = value
        # Discovery must list the algorithms; RS256 is the one every provider has to support.
        listed = _strings(document.get("id_token_signing_alg_values_supported")) or ("RS256",)
        algorithms = tuple(alg for alg in listed if alg in ACCEPTED_ALGORITHMS)
        if not algorithms:
            raise OidcError("invalid_provider_metadata", f"no accepted id_token algorithm among {listed}")
        return cls(
            issuer=issuer,
            authorization_endpoint=endpoints["authorization_endpoint"],
            token_endpoint=endpoints["token_endpoint"],
            jwks_uri=endpoints["jwks_uri"],
            userinfo_endpoint=endpoints.get("userinfo_endpoint"),
            algorithms=algorithms,
            # RFC 8414: client_secret_basic when the provider does not say
            token_auth_methods=_strings(document.get("token_endpoint_auth_methods_supported"))
            or ("client_secret_basic",),
        )


def _strings(value: object) -> tuple[str, ...]:
    return tuple(item for item in value if isinstance(item, str)) if isinstance(value, list) else ()


def _find_key(keys: KeySet, kid: str | None) -> Key | None:
    """The verification key named `kid`; without a kid only a set of one key can answer."""
    candidates = [key for key in keys if key.get("use") in {None, "sig"}]
    if kid is None:
        return candidates[0] if len(candidates) == 1 else None
    return next((key for key in candidates if key.kid == kid), None)


class ProviderDirectory:
    """The discovery document and JWKS of one provider, each cached for `ttl` seconds."""

    def __init__(self, issuer: str, http: httpx2.AsyncClient, *, ttl: float = 3600.0) -> None:
        if not is_secure_url(issuer):
            raise OidcError("invalid_provider_metadata", f"issuer {issuer!r} is not https")
        self._issuer = issuer
        self._http = http
        self._ttl = ttl
        self._lock = asyncio.Lock()
        self._metadata: tuple[float, ProviderMetadata] | None = None
        self._keys: tuple[float, KeySet] | None = None

    async def metadata(self) -> ProviderMetadata:
        """The provider's endpoints and algorithms, from the cache while it is fresh."""
        async with self._lock:
            return await self._cached_metadata()

    async def signing_key(self, kid: str | None) -> Key:
        """The key named `kid`. A kid the cache does not know makes one fresh fetch of the JWKS
        (the provider may have rotated its keys), and only one: a token signed by a key the
        provider does not publish then fails without hammering it.

        Raises:
            OidcError: `unknown_key`, or what fetching the JWKS raises.
        """
        async with self._lock:
            if self._keys is None or self._stale(self._keys[0]):
                self._keys = (time.monotonic(), await self._fetch_keys())
            key = _find_key(self._keys[1], kid)
            if key is None:
                log.info("OIDC issuer %s: key %r unknown, fetching the JWKS again", self._issuer, kid)
                self._keys = (time.monotonic(), await self._fetch_keys())
                key = _find_key(self._keys[1], kid)
        if key is None:
            raise OidcError("unknown_key", f"the provider publishes no signing key {kid!r}")
        return key

    def _stale(self, fetched_at: float) -> bool:
        return time.monotonic() - fetched_at >= self._ttl

    async def _fetch_keys(self) -> KeySet:
        jwks_uri = (await self._cached_metadata()).jwks_uri
        document = await fetch_json(
            self._http, jwks_uri, what="the JWKS", unusable="invalid_provider_metadata"
        )
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise OidcError("invalid_provider_metadata", "the JWKS has no `keys` list")
        try:
            return KeySet.import_key_set({"keys": document["keys"]})
        except (JoseError, ValueError, TypeError, KeyError) as error:
            raise OidcError("invalid_provider_metadata", f"the JWKS cannot be read ({error})") from error

    async def _cached_metadata(self) -> ProviderMetadata:
        # Called with the lock held, so one cold cache makes one request however many sign in.
        if self._metadata is None or self._stale(self._metadata[0]):
            url = self._issuer.rstrip("/") + "/.well-known/openid-configuration"
            document = await fetch_json(
                self._http, url, what="the discovery document", unusable="invalid_provider_metadata"
            )
            self._metadata = (time.monotonic(), ProviderMetadata.parse(document, self._issuer))
        return self._metadata[1]
