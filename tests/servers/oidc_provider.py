"""A real OpenID provider on 127.0.0.1 for tests, built on Authlib's server components.

Authlib's `AuthorizationServer` runs the authorization code grant with PKCE required (S256 only)
and OpenID Connect's nonce required (`tests.servers.oidc_app`): discovery at
`/oidc/.well-known/openid-configuration`, `/oidc/jwks`, an auto-approving `/oidc/authorize` that
signs in `provider.user`, `/oidc/token` and `/oidc/userinfo`. Codes are one-time and bound to the
client, the redirect URI and the PKCE challenge. Two clients are registered: `CLIENT_ID` with
`CLIENT_SECRET` (basic or post) and the public `PUBLIC_CLIENT_ID`, both for `REDIRECT_URI`.

Knobs on the state (`tests.servers.oidc_state.OidcProvider`), all undone by `reset()` except the
key rotation:

- `login_as(sub=..., email=..., verified=..., name=...)`: who `/authorize` signs in;
- `override_claims(aud=..., iss=..., exp=..., iat=..., nonce=..., azp=...)`: id_token claims
  replaced as issued; `profile_in_id_token = False` leaves email and name to `/userinfo`;
- `signing`: `"current"` (the published key), `"next"` (the key `rotate_key()` will publish),
  `"unpublished"` (a key never published), `"HS256"` (HMAC with the client's secret) or `"none"`;
- `rotate_key()`: the next key becomes the current one, the old one leaves the JWKS;
- `override_metadata(...)`, `override_userinfo(...)`: fields of the discovery document or of
  `/userinfo` answers replaced;
- `register_client(...)`: another client (e.g. with the redirect URI of an app under test);
- `count("jwks")`: requests per endpoint (`discovery`, `jwks`, `authorize`, `token`, `userinfo`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.serving import WSGIRequestHandler, make_server

from tests.servers.oidc_app import create_app
from tests.servers.oidc_state import (
    CLIENT_ID,
    CLIENT_SECRET,
    PUBLIC_CLIENT_ID,
    REDIRECT_URI,
    OidcProvider,
    ProviderUser,
)

__all__ = [
    "CLIENT_ID",
    "CLIENT_SECRET",
    "PUBLIC_CLIENT_ID",
    "REDIRECT_URI",
    "OidcProvider",
    "ProviderUser",
    "oidc_provider",
]


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Tests read what the provider counts, not its access log."""


@contextmanager
def oidc_provider() -> Iterator[OidcProvider]:
    """Run the provider on a free 127.0.0.1 port until the block ends.

    Yields:
        Its state, with `issuer` set (`http://127.0.0.1:<port>/oidc`).
    """
    state = OidcProvider()
    server = make_server("127.0.0.1", 0, create_app(state), threaded=True, request_handler=_QuietHandler)
    state.issuer = f"http://127.0.0.1:{server.server_port}/oidc"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
