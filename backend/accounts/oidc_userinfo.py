"""Email and name of who signed in: from the id_token, or from the userinfo endpoint when it lacks them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx2

from backend.accounts.oidc_discovery import ProviderMetadata, fetch_json
from backend.accounts.oidc_errors import OidcError


@dataclass(frozen=True)
class Profile:
    """What the provider says about the person besides `sub`."""

    email: str | None
    email_verified: bool
    """From the same source as `email`; False when the provider does not say."""
    name: str | None


async def fetch_profile(
    http: httpx2.AsyncClient, metadata: ProviderMetadata, claims: Mapping[str, Any], access_token: object
) -> Profile:
    """The profile in verified id_token `claims`, completed from userinfo when email or name is missing.

    Raises:
        OidcError: `userinfo_failed` when the answer is not a JSON object about the same subject,
            `provider_unreachable` when it cannot be had.
    """
    userinfo: Mapping[str, Any] = {}
    incomplete = not isinstance(claims.get("email"), str) or not isinstance(claims.get("name"), str)
    if incomplete and metadata.userinfo_endpoint and isinstance(access_token, str):
        answer = await fetch_json(
            http,
            metadata.userinfo_endpoint,
            what="the userinfo endpoint",
            unusable="userinfo_failed",
            headers={"Authorization": f"Bearer {access_token}"},
        )
        if not isinstance(answer, dict):
            raise OidcError("userinfo_failed", "the userinfo answer is not a JSON object")
        # Core §5.3.2: a userinfo answer about another subject must not be used.
        if answer.get("sub") != claims.get("sub"):
            raise OidcError("userinfo_failed", "the userinfo answer is about another subject")
        userinfo = answer
    # email and email_verified are taken together, so a verified flag never vouches for another source's email
    source = claims if isinstance(claims.get("email"), str) else userinfo
    email = source.get("email")
    name = claims.get("name") if isinstance(claims.get("name"), str) else userinfo.get("name")
    return Profile(
        email=email if isinstance(email, str) else None,
        email_verified=isinstance(email, str) and _is_true(source.get("email_verified")),
        name=name if isinstance(name, str) else None,
    )


def _is_true(value: object) -> bool:
    # Some providers (older Cognito pools among them) send the string "true".
    return value is True or value == "true"
