"""Passwords: argon2id hashes (argon2-cffi), checked off the event loop."""

from __future__ import annotations

import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from backend.problems import Refused

MIN_LENGTH = 10
MAX_LENGTH = 256
"""Longer passwords only cost hashing time (an easy way to burn the server's CPU)."""

_HASHER = PasswordHasher()  # argon2id with the library's RFC 9106 "low memory" profile
# A hash to verify against when the account does not exist, so that an unknown email takes as
# long to refuse as a wrong password (no account enumeration by timing).
_DUMMY_HASH = _HASHER.hash("flowloom-no-such-account")


def password_problem(password: str) -> Refused | None:
    """Why `password` cannot be used, or None."""
    if len(password) < MIN_LENGTH:
        return Refused("WEAK_PASSWORD", f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        return Refused("WEAK_PASSWORD", f"Use at most {MAX_LENGTH} characters.")
    if "\x00" in password or any(0xD800 <= ord(c) <= 0xDFFF for c in password):
        return Refused("WEAK_PASSWORD", "The password contains characters that cannot be stored.")
    return None


async def hash_password(password: str) -> str:
    """The argon2id hash of `password` (about 50 ms of CPU, in a worker thread)."""
    return await anyio.to_thread.run_sync(_HASHER.hash, password)


async def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches `stored_hash`; None (no password) spends the same time and fails."""
    if len(password) > MAX_LENGTH:
        return False

    def check() -> bool:
        try:
            return _HASHER.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await anyio.to_thread.run_sync(check)
