"""Service settings, read once from the environment (prefix SPOORWIJZER_, plus DATABASE_URL)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Only for development: a key derived from a fixed phrase, so a fresh checkout works without set-up.
# Outside development the service refuses to start with it (see the validator below).
_DEV_BSN_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"spoorwijzer-development-only").digest()).decode()
_DEV_SECRET_KEY = hashlib.sha256(b"spoorwijzer-development-only-secret").hexdigest()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SPOORWIJZER_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "SPOORWIJZER_DATABASE_URL"),
        description="PostgreSQL URL; unset: an embedded PostgreSQL in data_dir",
    )
    data_dir: Path = PROJECT_ROOT / ".data"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    bsn_key: SecretStr = SecretStr(_DEV_BSN_KEY)
    # Signs pagination cursors and keys the idempotency fingerprints (HMAC); at least 32 characters.
    secret_key: SecretStr = Field(default=SecretStr(_DEV_SECRET_KEY), min_length=32)
    idempotency_ttl_hours: int = Field(default=24, ge=1, le=24 * 30)
    idempotency_purge_seconds: float = Field(default=600, gt=0)
    # Unset: /metrics is open (as for a scrape inside a private network); set: it asks `Authorization: Bearer`.
    metrics_token: SecretStr | None = None
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    report_grace_days: int = Field(default=14, ge=0, le=60)
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_statement_timeout_ms: int = Field(default=15_000, ge=100)
    db_lock_timeout_ms: int = Field(default=5_000, ge=10)
    log_level: str = "info"
    demo_data: bool = False

    @model_validator(mode="after")
    def _refuse_development_secrets(self) -> Settings:
        if self.environment == "production" and self.bsn_key.get_secret_value() == _DEV_BSN_KEY:
            raise ValueError("SPOORWIJZER_BSN_KEY must be set in production (a Fernet key)")
        if self.environment == "production" and self.secret_key.get_secret_value() == _DEV_SECRET_KEY:
            raise ValueError("SPOORWIJZER_SECRET_KEY must be set in production (32 or more random characters)")
        if self.environment == "production" and not self.database_url:
            raise ValueError("DATABASE_URL must be set in production")
        return self


def derived_key(settings: Settings, purpose: str) -> bytes:
    """A key of its own for each use of the secret (cursors, idempotency fingerprints)."""
    return hmac.new(settings.secret_key.get_secret_value().encode(), purpose.encode(), hashlib.sha256).digest()


@lru_cache
def get_settings() -> Settings:
    return Settings()
