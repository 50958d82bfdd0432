"""Encryption of personal numbers at rest (Fernet: AES-128-CBC with HMAC-SHA256), with key rotation.

SPOORWIJZER_BSN_KEYS holds one or more keys: the first encrypts, every one decrypts (MultiFernet), so a new key
goes first, `spoorwijzer rotate-bsn-key` re-encrypts every stored BSN with it, and the old key can then go.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from app.core.settings import get_settings


@lru_cache
def _multi(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _keys() -> tuple[str, ...]:
    return tuple(get_settings().bsn_key_list())


def encrypt(value: str) -> bytes:
    return _multi(_keys()).encrypt(value.encode())


def decrypt(token: bytes) -> str:
    return _multi(_keys()).decrypt(token).decode()


def is_current(token: bytes) -> bool:
    """Whether `token` is encrypted with the first (encrypting) key already."""
    try:
        _multi(_keys()[:1]).decrypt(token)
    except InvalidToken:
        return False
    return True


def rotate(token: bytes) -> bytes:
    """`token` re-encrypted with the first key (decrypted with whichever key made it)."""
    return _multi(_keys()).rotate(token)


def mask_bsn(bsn: str) -> str:
    return "*" * (len(bsn) - 4) + bsn[-4:]
