"""The id_token checks of OpenID Connect Core §3.1.3.7, with joserfc, each failure with its own code."""

from __future__ import annotations

import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from joserfc import jws, jwt
from joserfc.errors import JoseError

from backend.accounts.oidc_discovery import ProviderDirectory
from backend.accounts.oidc_errors import OidcError

LEEWAY_SECONDS = 60
"""Clock skew tolerated between the provider and us, on `exp` and `iat`."""


@dataclass(frozen=True)
class IdTokenExpectations:
    """What a valid id_token of one sign-in must say."""

    issuer: str
    """The discovery document's issuer, exactly."""
    client_id: str
    nonce: str
    """The nonce this flow sent in the authorization request."""
    algorithms: tuple[str, ...]
    """Signature algorithms accepted: the provider's, among RS256/ES256/PS256."""


async def verify_id_token(
    id_token: str, expected: IdTokenExpectations, directory: ProviderDirectory
) -> Mapping[str, Any]:
    """Verify the signature against the provider's published keys, then the claims.

    Returns:
        The token's claims.

    Raises:
        OidcError: `invalid_id_token`, `unknown_key`, `wrong_issuer`, `wrong_audience`, `expired`
            or `nonce_mismatch`, or what fetching the provider's keys raises.
    """
    algorithm, kid = _signature_header(id_token, expected.algorithms)
    key = await directory.signing_key(kid)
    try:
        token = jwt.decode(id_token, key, algorithms=[algorithm])
    except JoseError as error:
        raise OidcError("invalid_id_token", f"the signature does not verify ({error.error})") from error
    check_claims(token.claims, expected, now=time.time())
    return token.claims


def _signature_header(id_token: str, algorithms: tuple[str, ...]) -> tuple[str, str | None]:
    """The token's `alg` and `kid`, read before any key is chosen; a refused algorithm stops here."""
    try:
        header = jws.extract_compact(id_token.encode()).headers()
    except (JoseError, ValueError) as error:
        raise OidcError("invalid_id_token", "the id_token is not a signed JWT") from error
    algorithm = header.get("alg")
    if not isinstance(algorithm, str) or algorithm not in algorithms:
        raise OidcError("invalid_id_token", f"algorithm {algorithm!r} refused, expected one of {algorithms}")
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise OidcError("invalid_id_token", "the `kid` header is not a string")
    return algorithm, kid


def _number(claims: Mapping[str, Any], name: str) -> float:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise OidcError("invalid_id_token", f"`{name}` is missing or not a number")
    return float(value)


def check_claims(claims: Mapping[str, Any], expected: IdTokenExpectations, *, now: float) -> None:
    """Check `iss`, `aud`/`azp`, `exp`, `iat`, `nonce` and `sub` of verified claims.

    Raises:
        OidcError: the first claim that fails, with its own code.
    """
    if claims.get("iss") != expected.issuer:
        raise OidcError("wrong_issuer", f"issued by {claims.get('iss')!r}, expected {expected.issuer!r}")
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience
    if not isinstance(audiences, list) or expected.client_id not in audiences:
        raise OidcError("wrong_audience", f"the audience {audience!r} does not include this client")
    authorized_party = claims.get("azp")
    # Several audiences: the token must say it was issued to us (Core §3.1.3.7, points 4 and 5).
    if (len(audiences) > 1 or authorized_party is not None) and authorized_party != expected.client_id:
        raise OidcError("wrong_audience", f"authorized party {authorized_party!r} is not this client")
    if _number(claims, "exp") + LEEWAY_SECONDS <= now:
        raise OidcError("expired", "the id_token has expired")
    if _number(claims, "iat") > now + LEEWAY_SECONDS:
        raise OidcError("invalid_id_token", "the id_token is issued in the future")
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not hmac.compare_digest(nonce.encode(), expected.nonce.encode()):
        raise OidcError("nonce_mismatch", "the id_token's nonce is not this sign-in's")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise OidcError("invalid_id_token", "`sub` is missing, empty or longer than 255 characters")
