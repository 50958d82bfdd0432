"""Service settings, read once from the environment (prefix SPOORWIJZER_, plus DATABASE_URL).

Every secret setting may also come from a file named by the same variable with `_FILE` appended
(`SPOORWIJZER_BSN_KEYS_FILE=/run/secrets/bsn_keys`, `DATABASE_URL_FILE=...`): container and Kubernetes secrets.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Only for development: a key derived from a fixed phrase, so a fresh checkout works without set-up.
# Outside development the service refuses to start with it (see the validator below).
_DEV_BSN_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"spoorwijzer-development-only").digest()).decode()

# Secret settings that are not typed SecretStr, with the variables that carry them. Every SecretStr setting is a
# secret too (SPOORWIJZER_<NAME>), so one added later gets its *_FILE form without being listed here.
SECRET_VARIABLES: dict[str, tuple[str, ...]] = {"database_url": ("DATABASE_URL", "SPOORWIJZER_DATABASE_URL")}


def _is_secret(annotation: Any) -> bool:
    return annotation is SecretStr or SecretStr in get_args(annotation)


class _SecretFiles(PydanticBaseSettingsSource):
    """`<VARIABLE>_FILE` names a file holding the secret (trailing newline dropped)."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, field in self.settings_cls.model_fields.items():
            if name in SECRET_VARIABLES:
                variables = SECRET_VARIABLES[name]
            elif _is_secret(field.annotation):
                variables = (f"SPOORWIJZER_{name.upper()}",)
            else:
                continue
            for variable in variables:
                path = os.environ.get(f"{variable}_FILE")
                if path:
                    values[name] = Path(path).read_text().strip()
                    break
        return values


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SPOORWIJZER_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "SPOORWIJZER_DATABASE_URL", "database_url"),
        description="PostgreSQL URL; unset: an embedded PostgreSQL in data_dir",
    )
    data_dir: Path = PROJECT_ROOT / ".data"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    # One Fernet key (kept for existing set-ups) or several, comma-separated: the first encrypts, all decrypt.
    bsn_key: SecretStr = SecretStr(_DEV_BSN_KEY)
    bsn_keys: SecretStr | None = None
    # Signs pagination cursors and keys the idempotency fingerprints (HMAC); 32 characters or more. Unset: a key
    # derived from the encrypting BSN key (a secret production already requires).
    secret_key: SecretStr | None = Field(default=None, min_length=32)
    idempotency_ttl_hours: int = Field(default=24, ge=1, le=24 * 30)
    idempotency_purge_seconds: float = Field(default=600, gt=0)
    # Unset: /metrics is open (as for a scrape inside a private network); set: it asks `Authorization: Bearer`.
    metrics_token: SecretStr | None = None
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # POST /v1/imports: up to 10,000 case bundles as JSON Lines.
    max_import_bytes: int = Field(default=64 * 1_048_576, ge=1024)
    report_grace_days: int = Field(default=14, ge=0, le=60)
    # Cases the portfolio evaluates directly (no stored history for them yet, or a date past its horizon)
    # before it answers 503 (too many: refresh-compliance has not run) or 422 (as_of too far ahead).
    portfolio_direct_limit: int = Field(default=2000, ge=0)
    # The actueel oordeel's and eindevaluatie's allowed age at the RIV's reference date (a choice, no statute).
    riv_max_age_days: int = Field(default=48, ge=14, le=182)
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_statement_timeout_ms: int = Field(default=15_000, ge=100)
    db_lock_timeout_ms: int = Field(default=5_000, ge=10)
    log_level: str = "info"
    demo_data: bool = False
    # Background work (app/background): every process runs the registered jobs unless turned off here.
    background_workers: bool = True
    # Import batches each process runs side by side (app/imports/worker.py); each holds a connection meanwhile.
    import_concurrency: int = Field(default=3, ge=1, le=16)
    # Webhooks (docs/webhooks.md). Private or loopback hosts (names, addresses or CIDR ranges) a deployment may
    # call anyway, e.g. an on-premise receiver: JSON list, SPOORWIJZER_WEBHOOK_ALLOWED_HOSTS='["10.1.0.0/16"]'.
    webhook_allowed_hosts: list[str] = []
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    webhook_batch: int = Field(default=20, ge=1, le=500)
    # Deadline scheduler: obligation.due_soon this many days before the last allowed day.
    due_soon_days: int = Field(default=7, ge=1, le=60)
    # AVG retention (app/retention): a closed case is anonymised this many days after its closing date; its audit
    # and access rows (already without personal fields) are deleted this many days after they were written.
    retention_days: int = Field(default=730, ge=1)
    log_retention_days: int = Field(default=2555, ge=1)
    retention_enabled: bool = Field(default=True, description="the daily in-service retention run")
    retention_batch_size: int = Field(default=100, ge=1, le=10_000)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Explicit arguments, then the variables themselves, then their *_FILE forms.
        return (init_settings, env_settings, _SecretFiles(settings_cls), dotenv_settings, file_secret_settings)

    def bsn_key_list(self) -> list[str]:
        """The BSN keys, the encrypting one first."""
        if self.bsn_keys is not None:
            keys = [k.strip() for k in self.bsn_keys.get_secret_value().split(",") if k.strip()]
            if keys:
                return keys
        return [self.bsn_key.get_secret_value()]

    @model_validator(mode="after")
    def _refuse_development_secrets(self) -> Settings:
        if self.environment == "production":
            if _DEV_BSN_KEY in self.bsn_key_list():
                raise ValueError(
                    "SPOORWIJZER_BSN_KEYS (or _BSN_KEY) must be set in production, not the development key"
                )
            if not self.database_url:
                raise ValueError("DATABASE_URL must be set in production")
            if self.demo_data:
                raise ValueError("SPOORWIJZER_DEMO_DATA must be off in production")
        if self.log_retention_days < self.retention_days:
            raise ValueError("SPOORWIJZER_LOG_RETENTION_DAYS must be at least SPOORWIJZER_RETENTION_DAYS")
        return self


def derived_key(settings: Settings, purpose: str) -> bytes:
    """A key of its own for each use of the secret (cursors, idempotency fingerprints)."""
    secret = settings.secret_key.get_secret_value() if settings.secret_key else "bsn:" + settings.bsn_key_list()[0]
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()


@lru_cache
def get_settings() -> Settings:
    return Settings()
