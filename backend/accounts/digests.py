"""Secrets handed out once (tokens, session cookies, one-time links) and the digests stored for them."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "flt_"  # noqa: S105 - a marker that makes leaked tokens greppable, not a secret
SESSION_PREFIX = "fls_"
LINK_PREFIX = "fll_"


def new_secret(prefix: str) -> str:
    """A fresh secret: the prefix and 256 random bits, URL-safe."""
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """The stored form of a secret: its SHA-256, hex-encoded.

    A plain hash suffices (unlike passwords): the secret has 256 random bits, so nothing can be
    guessed from the digest, and a fast hash keeps per-request authentication cheap.
    """
    return hashlib.sha256(secret.encode()).hexdigest()


def well_formed(secret: str | None, prefix: str) -> bool:
    """Whether `secret` could be one of ours (checked before any database lookup)."""
    return bool(secret) and secret is not None and secret.startswith(prefix) and len(secret) <= 256


def csrf_token(session_secret: str) -> str:
    """The CSRF token of a session: derived from the cookie's secret, which scripts cannot read.

    A page of another origin can make the browser send the cookie, but cannot learn this value;
    a request that carries it came from a page that was given it by `/auth/session`.
    """
    return hashlib.sha256(b"flowloom-csrf:" + session_secret.encode()).hexdigest()
