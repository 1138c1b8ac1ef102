"""Webhook secrets and the HMAC-SHA256 signature of a delivery.

A sender signs the raw request body with the trigger's secret and sends
`X-Flowloom-Signature: sha256=<hex digest>` (GitHub's scheme, under our name). Comparison is in
constant time.
"""

from __future__ import annotations

import hashlib
import hmac

from backend.accounts.digests import new_secret

SECRET_PREFIX = "flwh_"  # noqa: S105 - a marker that makes leaked webhook secrets greppable
SIGNATURE_HEADER = "x-flowloom-signature"
DELIVERY_HEADER = "x-flowloom-delivery"
WAIT_HEADER = "x-flowloom-wait"
SCHEME = "sha256="


def new_webhook_secret() -> str:
    """A fresh secret of 256 random bits."""
    return new_secret(SECRET_PREFIX)


def signature(secret: str, body: bytes) -> str:
    """The header value a sender puts on `body`: `sha256=<hex>`."""
    return SCHEME + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(secret: str, body: bytes, header: str) -> bool:
    """Whether `header` is the signature of `body` with `secret` (constant-time)."""
    return hmac.compare_digest(signature(secret, body).encode(), header.strip().lower().encode())
