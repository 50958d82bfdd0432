"""Encryption of personal numbers at rest (Fernet: AES-128-CBC with HMAC-SHA256)."""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet

from app.core.settings import get_settings


@lru_cache
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


def encrypt(value: str) -> bytes:
    return _fernet(get_settings().bsn_key.get_secret_value()).encrypt(value.encode())


def decrypt(token: bytes) -> str:
    return _fernet(get_settings().bsn_key.get_secret_value()).decrypt(token).decode()


def mask_bsn(bsn: str) -> str:
    return "*" * (len(bsn) - 4) + bsn[-4:]
