"""The test OpenID provider's state and knobs, shared by its request threads (see `oidc_provider`)."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from joserfc.jwk import RSAKey

from backend.settings import OidcProviderSettings

Signing = Literal["current", "next", "unpublished", "HS256", "none"]

CLIENT_ID = "flowloom"
CLIENT_SECRET = "flowloom-test-secret-0123456789abcdef"  # long enough for an HS256 key
PUBLIC_CLIENT_ID = "flowloom-public"
REDIRECT_URI = "http://127.0.0.1:9/auth/oidc/test/callback"
"""Registered for both default clients; nothing listens there, tests read the redirect instead."""


@dataclass(frozen=True)
class ProviderUser:
    """Who the provider signs in."""

    sub: str
    email: str | None
    email_verified: bool
    name: str | None


DEFAULT_USER = ProviderUser(sub="user-1", email="ada@example.com", email_verified=True, name="Ada Lovelace")


@dataclass(frozen=True)
class ProviderClient:
    """A client registered with the provider; no secret makes it a public client (PKCE alone)."""

    client_id: str
    client_secret: str | None
    redirect_uris: tuple[str, ...]


def _new_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"}, auto_kid=True)


@dataclass
class OidcProvider:
    """The provider's state, shared by its request threads; `issuer` is set once it serves."""

    issuer: str = ""
    user: ProviderUser = DEFAULT_USER
    signing: Signing = "current"
    profile_in_id_token: bool = True
    claim_overrides: dict[str, Any] = field(default_factory=dict)
    metadata_overrides: dict[str, Any] = field(default_factory=dict)
    userinfo_overrides: dict[str, Any] = field(default_factory=dict)
    clients: dict[str, ProviderClient] = field(default_factory=dict)
    codes: dict[str, Any] = field(default_factory=dict)
    """Authorization codes not yet used, by code (`tests.servers.oidc_app.IssuedCode`)."""
    used_nonces: set[str] = field(default_factory=set)
    access_tokens: dict[str, ProviderUser] = field(default_factory=dict)
    current_key: RSAKey = field(default_factory=_new_key)
    next_key: RSAKey = field(default_factory=_new_key)
    unpublished_key: RSAKey = field(default_factory=_new_key)
    lock: threading.RLock = field(default_factory=threading.RLock)
    _counts: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget codes, tokens and counts; undo every knob but the key rotation."""
        with self.lock:
            self.user = DEFAULT_USER
            self.signing = "current"
            self.profile_in_id_token = True
            self.claim_overrides.clear()
            self.metadata_overrides.clear()
            self.userinfo_overrides.clear()
            self.codes.clear()
            self.used_nonces.clear()
            self.access_tokens.clear()
            self._counts.clear()
            self.clients = {
                CLIENT_ID: ProviderClient(CLIENT_ID, CLIENT_SECRET, (REDIRECT_URI,)),
                PUBLIC_CLIENT_ID: ProviderClient(PUBLIC_CLIENT_ID, None, (REDIRECT_URI,)),
            }

    def login_as(
        self, *, sub: str, email: str | None = None, verified: bool = True, name: str | None = None
    ) -> ProviderUser:
        """Make `/authorize` sign in this person from now on."""
        with self.lock:
            self.user = ProviderUser(sub=sub, email=email, email_verified=verified, name=name)
            return self.user

    def register_client(self, client_id: str, secret: str | None, redirect_uris: tuple[str, ...]) -> None:
        """Register (or replace) a client until the next `reset()`."""
        with self.lock:
            self.clients[client_id] = ProviderClient(client_id, secret, redirect_uris)

    def override_claims(self, **claims: Any) -> None:
        """Replace these claims in every id_token issued until `reset()`."""
        with self.lock:
            self.claim_overrides.update(claims)

    def override_metadata(self, **fields: Any) -> None:
        """Replace these fields of the discovery document until `reset()`."""
        with self.lock:
            self.metadata_overrides.update(fields)

    def override_userinfo(self, **claims: Any) -> None:
        """Replace these claims in `/userinfo` answers until `reset()`."""
        with self.lock:
            self.userinfo_overrides.update(claims)

    def rotate_key(self) -> str:
        """Publish the next key in place of the current one (removed from the JWKS); returns its kid."""
        with self.lock:
            self.current_key, self.next_key = self.next_key, _new_key()
            return self.current_key.kid or ""

    def signing_key(self) -> RSAKey:
        """The RSA key id_tokens are signed with now."""
        with self.lock:
            if self.signing == "next":
                return self.next_key
            if self.signing == "unpublished":
                return self.unpublished_key
            return self.current_key

    def jwks(self) -> dict[str, Any]:
        """The published keys: only the current one."""
        with self.lock:
            return {"keys": [self.current_key.as_dict(private=False)]}

    def metadata(self) -> dict[str, Any]:
        """The discovery document."""
        with self.lock:
            return {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "userinfo_endpoint": f"{self.issuer}/userinfo",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                    "none",
                ],
                "code_challenge_methods_supported": ["S256"],
                **self.metadata_overrides,
            }

    def record(self, endpoint: str) -> None:
        """Count one request to `endpoint`."""
        with self.lock:
            self._counts[endpoint] += 1

    def count(self, endpoint: str) -> int:
        """Requests to `endpoint` since the last reset (`discovery`, `jwks`, `token`, ...)."""
        with self.lock:
            return self._counts[endpoint]

    def settings(
        self, provider_id: str = "test", *, public: bool = False, **changes: Any
    ) -> OidcProviderSettings:
        """Flowloom's settings for signing in with this provider as one of the default clients."""
        return OidcProviderSettings(
            **{
                "id": provider_id,
                "name": "Test provider",
                "issuer": self.issuer,
                "client_id": PUBLIC_CLIENT_ID if public else CLIENT_ID,
                "client_secret": None if public else CLIENT_SECRET,
                **changes,
            }
        )
