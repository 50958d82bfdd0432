"""Idempotency-Key on creating POSTs, kept in PostgreSQL so retries are safe across restarts and workers."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Annotated, Any, NamedTuple

from fastapi import Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import DateTime, Integer, String, delete, func, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base
from app.core.errors import Code, Conflict, Unprocessable
from app.core.settings import derived_key

log = logging.getLogger(__name__)

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Any unique string per intended creation; a retry with the same key and body replays "
        "the first answer",
    ),
]


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"

    organization_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[Any] = mapped_column(JSONB)
    response_headers: Mapped[dict[str, str]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)


class Created(NamedTuple):
    """What a creating handler answers: the body, its headers (Location, ETag) and the status."""

    body: BaseModel
    headers: dict[str, str]
    status_code: int = 201
    # Fields shown once (a signing secret, a feed token): stored as null, so a replay answers null for them.
    secret_fields: tuple[str, ...] = ()


def _request_hash(request: Request, payload: BaseModel | None) -> str:
    """A keyed fingerprint (HMAC-SHA256 with a server secret) of the request: a plain hash of a body that holds a
    BSN could be reversed by trying every BSN; without the key this one cannot."""
    body = payload.model_dump(mode="json") if payload is not None else None
    canonical = json.dumps([request.method, request.url.path, body], sort_keys=True, separators=(",", ":"))
    key = derived_key(request.app.state.settings, "idempotency")
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


async def purge_expired(session: AsyncSession, cutoff: datetime) -> int:
    """Delete the records made before `cutoff` (their stored answers hold personal data); answers how many.
    Run by the `idempotency_purge` background job (app/main.py) in every process."""
    result = await session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff))
    purged = int(getattr(result, "rowcount", 0) or 0)
    if purged:
        log.info("purged %d expired idempotency records", purged)
    return purged


def _lock_id(organization_id: uuid.UUID, key: str) -> int:
    digest = hashlib.sha256(organization_id.bytes + key.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def idempotent(
    session: AsyncSession,
    request: Request,
    organization_id: uuid.UUID,
    key: str | None,
    payload: BaseModel | None,
    create: Callable[[], Awaitable[Created]],
    on_replay: Callable[[dict[str, Any]], None] | None = None,
) -> JSONResponse:
    """Run `create` once per (organization, key); replay its answer for a retry with the same body. `on_replay`
    sees a replayed answer before it goes out (a replayed case is a read of personal data: the access log)."""
    if key is None:
        created = await create()
        return JSONResponse(created.body.model_dump(mode="json"), created.status_code, headers=created.headers)

    # The transaction-scoped advisory lock makes a concurrent duplicate fail fast instead of running twice;
    # it is released by the commit that also stores the answer below.
    got_lock = (
        await session.execute(text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": _lock_id(organization_id, key)})
    ).scalar_one()
    if not got_lock:
        raise Conflict(
            "A request with this Idempotency-Key is still being processed; retry shortly.",
            code=Code.idempotency_in_progress,
            headers={"Retry-After": "1"},
        )
    request_hash = _request_hash(request, payload)
    stored = await session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.organization_id == organization_id, IdempotencyRecord.key == key
        )
    )
    ttl = timedelta(hours=request.app.state.settings.idempotency_ttl_hours)
    if stored is not None and stored.created_at < request.app.state.clock.now() - ttl:
        # Expired (the purge has not come by yet): the key is free again.
        await session.delete(stored)
        await session.flush()
        stored = None
    if stored is not None:
        if stored.request_hash != request_hash:
            raise Unprocessable(
                "This Idempotency-Key was used for a different request; use a new key for a new request.",
                field="Idempotency-Key",
                location="header",
                code=Code.idempotency_key_reused,
            )
        headers = {**stored.response_headers, "Idempotent-Replayed": "true"}
        if on_replay is not None:
            on_replay(stored.response_body)
        return JSONResponse(stored.response_body, status_code=stored.status_code, headers=headers)

    created = await create()
    body = created.body.model_dump(mode="json")
    session.add(
        IdempotencyRecord(
            organization_id=organization_id,
            key=key,
            request_hash=request_hash,
            status_code=created.status_code,
            response_body={**body, **dict.fromkeys(created.secret_fields)},
            response_headers=created.headers,
        )
    )
    return JSONResponse(body, created.status_code, headers=created.headers)
