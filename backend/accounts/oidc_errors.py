"""Why an OpenID Connect sign-in failed: one small, fixed set of codes the routes can map to pages."""

from __future__ import annotations

from typing import Literal, get_args

OidcErrorCode = Literal[
    "state_mismatch",
    "provider_unreachable",
    "invalid_provider_metadata",
    "wrong_issuer",
    "token_exchange_failed",
    "invalid_id_token",
    "unknown_key",
    "wrong_audience",
    "expired",
    "nonce_mismatch",
    "userinfo_failed",
    "domain_not_allowed",
]
"""Every code `OidcError` carries:

- `state_mismatch`: the callback's `state` is not the one this flow sent (forged or stale callback);
- `provider_unreachable`: discovery, JWKS, token or userinfo request failed in transport, or with 5xx;
- `invalid_provider_metadata`: the discovery document or the JWKS is unusable (missing endpoints,
  plain http to a non-loopback host, no signing algorithm we accept, no keys);
- `wrong_issuer`: the discovery document or the id_token names another issuer;
- `token_exchange_failed`: the provider refused the code (replayed, PKCE verifier wrong, client
  not authenticated) or answered without an id_token;
- `invalid_id_token`: not a signed JWT, a refused algorithm (HS*, none, …), a bad signature, `iat`
  in the future, no `sub`;
- `unknown_key`: signed with a `kid` the provider does not publish, even after fetching its JWKS again;
- `wrong_audience`: `aud` does not contain our client id, or several audiences and `azp` is not ours;
- `expired`: `exp` is past (beyond the leeway);
- `nonce_mismatch`: `nonce` is missing or not this flow's;
- `userinfo_failed`: the userinfo answer is unusable or about another subject;
- `domain_not_allowed`: the provider limits sign-in to some email domains and this verified email
  is not in one of them (or there is no verified email).
"""

OIDC_ERROR_CODES: frozenset[str] = frozenset(get_args(OidcErrorCode))


class OidcError(Exception):
    """A sign-in that cannot go on. The message is for logs and never holds a token, code or secret."""

    def __init__(self, code: OidcErrorCode, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code: OidcErrorCode = code
        """Which failure it is (see `OidcErrorCode`)."""
        self.message = message
        """What went wrong, for logs."""
