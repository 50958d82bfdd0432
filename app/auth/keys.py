"""Making and checking API key secrets."""

from __future__ import annotations

import hashlib
import secrets

KEY_PREFIX = "spw_"


def new_secret() -> str:
    # 32 random bytes; the prefix lets secret scanners and operators recognise a leaked key.
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    # A plain hash suffices: the secret has 256 bits of entropy, so it cannot be guessed from the hash.
    return hashlib.sha256(secret.encode()).hexdigest()
