"""Webhook endpoints: registration, changes, secret rotation; deliveries: listing and redelivery."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.core.crypto import encrypt
from app.core.errors import NotFound, Unprocessable
from app.core.etag import check_version
from app.core.pagination import Page, created_key, paginate
from app.core.settings import Settings
from app.webhooks import ssrf
from app.webhooks.delivery import CHANNEL, RETRY_WINDOW
from app.webhooks.models import WebhookDelivery, WebhookEndpoint
from app.webhooks.schemas import (
    DeliveryStatus,
    WebhookDeliveryRead,
    WebhookEndpointCreate,
    WebhookEndpointCreated,
    WebhookEndpointRead,
    WebhookEndpointUpdate,
    WebhookSecretRotated,
)
from app.webhooks.signing import new_secret

ROTATION_OVERLAP = timedelta(hours=24)


async def _check_url(url: str, settings: Settings) -> None:
    try:
        await ssrf.check_url(url, settings)
    except ssrf.UnsafeUrl as exc:
        raise Unprocessable(str(exc), field="url") from None


async def create(
    session: AsyncSession, principal: Principal, body: WebhookEndpointCreate, settings: Settings
) -> WebhookEndpointCreated:
    await _check_url(body.url, settings)
    secret = new_secret()
    endpoint = WebhookEndpoint(
        organization_id=principal.organization_id,
        organization_kind=principal.kind.value,
        url=body.url,
        description=body.description,
        event_types=sorted(set(body.event_types)),
        secret=encrypt(secret),
        disabled=False,
        version=1,
    )
    session.add(endpoint)
    await session.flush()
    await session.refresh(endpoint)
    return WebhookEndpointCreated.model_validate({**_read(endpoint).model_dump(), "secret": secret})


def _read(endpoint: WebhookEndpoint) -> WebhookEndpointRead:
    return WebhookEndpointRead.model_validate(endpoint)


async def _own(
    session: AsyncSession, principal: Principal, endpoint_id: uuid.UUID, *, lock: bool = False
) -> WebhookEndpoint:
    """The caller's endpoint; another organization's answers 404 like a missing one."""
    query = select(WebhookEndpoint).where(
        WebhookEndpoint.id == endpoint_id, WebhookEndpoint.organization_id == principal.organization_id
    )
    if lock:
        query = query.with_for_update()
    endpoint = await session.scalar(query)
    if endpoint is None:
        raise NotFound("No such webhook endpoint.")
    return endpoint


async def get(session: AsyncSession, principal: Principal, endpoint_id: uuid.UUID) -> WebhookEndpointRead:
    return _read(await _own(session, principal, endpoint_id))


async def list_page(
    session: AsyncSession, principal: Principal, cursor: str | None, limit: int
) -> Page[WebhookEndpointRead]:
    query = select(WebhookEndpoint).where(WebhookEndpoint.organization_id == principal.organization_id)
    after = created_key(cursor)
    if after is not None:
        query = query.where(tuple_(WebhookEndpoint.created_at, WebhookEndpoint.id) > tuple_(*after))
    rows = list(await session.scalars(query.order_by(WebhookEndpoint.created_at, WebhookEndpoint.id).limit(limit + 1)))
    return paginate(rows, limit, lambda r: (r.created_at.isoformat(), r.id), _read)


async def update(
    session: AsyncSession,
    principal: Principal,
    endpoint_id: uuid.UUID,
    version: int,
    body: WebhookEndpointUpdate,
    settings: Settings,
    now: datetime,
) -> WebhookEndpointRead:
    endpoint = await _own(session, principal, endpoint_id, lock=True)
    check_version(version, endpoint.version)
    changes = body.model_dump(exclude_unset=True)
    for field in ("url", "event_types", "description", "disabled"):
        if field in changes and changes[field] is None:
            raise Unprocessable(f"{field} may not be null.", field=field)
    if "url" in changes:
        await _check_url(changes["url"], settings)
        endpoint.url = changes["url"]
    if "event_types" in changes:
        endpoint.event_types = sorted(set(changes["event_types"]))
    if "description" in changes:
        endpoint.description = changes["description"]
    if "disabled" in changes and changes["disabled"] != endpoint.disabled:
        endpoint.disabled = changes["disabled"]
        endpoint.disabled_reason = "manual" if endpoint.disabled else None
        endpoint.failing_since = None  # a fresh start either way
    endpoint.version += 1
    endpoint.updated_at = now
    await session.flush()
    return _read(endpoint)


async def delete(session: AsyncSession, principal: Principal, endpoint_id: uuid.UUID) -> None:
    endpoint = await _own(session, principal, endpoint_id, lock=True)
    await session.delete(endpoint)  # its deliveries go with it (ON DELETE CASCADE)
    await session.flush()


async def rotate_secret(
    session: AsyncSession, principal: Principal, endpoint_id: uuid.UUID, now: datetime
) -> WebhookSecretRotated:
    endpoint = await _own(session, principal, endpoint_id, lock=True)
    secret = new_secret()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = now + ROTATION_OVERLAP
    endpoint.secret = encrypt(secret)
    endpoint.version += 1
    endpoint.updated_at = now
    await session.flush()
    return WebhookSecretRotated.model_validate(
        {**_read(endpoint).model_dump(), "secret": secret, "previous_secret_expires_at": endpoint.previous_secret_until}
    )


async def deliveries(
    session: AsyncSession,
    principal: Principal,
    endpoint_id: uuid.UUID,
    status: DeliveryStatus | None,
    cursor: str | None,
    limit: int,
) -> Page[WebhookDeliveryRead]:
    endpoint = await _own(session, principal, endpoint_id)
    d = WebhookDelivery
    query = select(d).where(d.endpoint_id == endpoint.id)
    if status is not None:
        query = query.where(d.status == status)
    after = created_key(cursor)
    if after is not None:
        query = query.where(tuple_(d.created_at, d.id) > tuple_(*after))
    rows = list(await session.scalars(query.order_by(d.created_at, d.id).limit(limit + 1)))
    return paginate(rows, limit, lambda r: (r.created_at.isoformat(), r.id), WebhookDeliveryRead.model_validate)


async def redeliver(
    session: AsyncSession, principal: Principal, delivery_id: uuid.UUID, now: datetime
) -> WebhookDeliveryRead:
    """Send a delivery again, whatever its status: due now, with a fresh 3-day retry window."""
    d = WebhookDelivery
    delivery = await session.scalar(
        select(d).where(d.id == delivery_id, d.organization_id == principal.organization_id).with_for_update()
    )
    if delivery is None:
        raise NotFound("No such webhook delivery.")
    delivery.status = "pending"
    delivery.attempts = 0  # attempts since the last (re)delivery: the retry schedule starts over
    delivery.next_attempt_at = now
    delivery.give_up_at = now + RETRY_WINDOW
    await session.flush()
    await session.execute(select(func.pg_notify(CHANNEL, "")))
    return WebhookDeliveryRead.model_validate(delivery)
