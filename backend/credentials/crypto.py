"""Encryption of secrets at rest (Fernet), keyed from FLOWLOOM_SECRET_KEY or a generated key file."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

KEY_FILE = "secret.key"


class SecretKeyError(Exception):
    """No usable secret key; the message says how to provide one."""


class SecretBox:
    """Encrypts and decrypts secrets with one key."""

    def __init__(self, secret: str) -> None:
        # any string may serve as FLOWLOOM_SECRET_KEY: derive Fernet's 32-byte key from it
        self._fernet = Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest()))

    def encrypt(self, plaintext: str) -> str:
        """The ciphertext (URL-safe text) of `plaintext`."""
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        """The plaintext of a ciphertext made with this key.

        Raises:
            SecretKeyError: it was made with another key.
        """
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise SecretKeyError(
                "a stored secret cannot be decrypted: FLOWLOOM_SECRET_KEY has changed"
            ) from exc


def load_secret(configured: str | None, home: Path, *, embedded: bool) -> str:
    """The secret to encrypt with: the configured one, or (embedded mode) one kept under `home`.

    Raises:
        SecretKeyError: distributed mode without FLOWLOOM_SECRET_KEY (replicas must share one key).
    """
    if configured:
        return configured
    if not embedded:
        raise SecretKeyError(
            "FLOWLOOM_SECRET_KEY is not set: every Flowloom process on a shared database needs the same key "
            "(e.g. openssl rand -base64 32)"
        )
    path = home / KEY_FILE
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    return path.read_text().strip()
