"""HTTP routes of webhook endpoints and deliveries (every organization kind may register endpoints)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.auth.principal import WHOLE_VIEW, PrincipalDep
from app.core.db import SessionDep
from app.core.etag import IfMatchHeader, etag, require_version, set_etag
from app.core.idempotency import Created, IdempotencyKeyHeader, idempotent
from app.core.openapi import problems
from app.core.pagination import CursorQuery, LimitQuery, Page
from app.webhooks import service
from app.webhooks.schemas import (
    DeliveryStatus,
    WebhookDeliveryRead,
    WebhookEndpointCreate,
    WebhookEndpointCreated,
    WebhookEndpointRead,
    WebhookEndpointUpdate,
    WebhookSecretRotated,
)

router = APIRouter(prefix="/v1", tags=["webhooks"], dependencies=[WHOLE_VIEW])


@router.post(
    "/webhook-endpoints",
    operation_id="webhook_endpoints_create",
    status_code=201,
    response_model=WebhookEndpointCreated,
    responses=problems(409),
)
async def create_endpoint(
    request: Request,
    body: WebhookEndpointCreate,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Register a URL for the events your organization may see (the `/v1/events` rule). The answer holds the
    signing secret once. In production the URL must be https to a public address (docs/webhooks.md)."""

    async def make() -> Created:
        created = await service.create(session, principal, body, request.app.state.settings)
        headers = {"Location": f"/v1/webhook-endpoints/{created.id}", "ETag": etag(created.version)}
        return Created(created, headers, secret_fields=("secret",))

    return await idempotent(session, request, principal.organization_id, idempotency_key, body, make)


@router.get(
    "/webhook-endpoints",
    operation_id="webhook_endpoints_list",
    response_model=Page[WebhookEndpointRead],
    responses=problems(),
)
async def list_endpoints(
    session: SessionDep, principal: PrincipalDep, cursor: CursorQuery = None, limit: LimitQuery = 50
) -> Page[WebhookEndpointRead]:
    """Your organization's endpoints, oldest first."""
    return await service.list_page(session, principal, cursor, limit)


@router.get(
    "/webhook-endpoints/{endpoint_id}",
    operation_id="webhook_endpoints_get",
    response_model=WebhookEndpointRead,
    responses=problems(404),
)
async def get_endpoint(
    endpoint_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, response: Response
) -> WebhookEndpointRead:
    endpoint = await service.get(session, principal, endpoint_id)
    set_etag(response, endpoint.version)
    return endpoint


@router.patch(
    "/webhook-endpoints/{endpoint_id}",
    operation_id="webhook_endpoints_update",
    response_model=WebhookEndpointRead,
    responses=problems(404, 412, 428),
)
async def update_endpoint(
    endpoint_id: uuid.UUID,
    request: Request,
    body: WebhookEndpointUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> WebhookEndpointRead:
    """Change url, event types or description, or disable (`disabled: true`) and re-enable; requires If-Match."""
    endpoint = await service.update(
        session,
        principal,
        endpoint_id,
        require_version(if_match),
        body,
        request.app.state.settings,
        request.app.state.clock.now(),
    )
    set_etag(response, endpoint.version)
    return endpoint


@router.delete(
    "/webhook-endpoints/{endpoint_id}",
    operation_id="webhook_endpoints_delete",
    status_code=204,
    responses=problems(404),
)
async def delete_endpoint(endpoint_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> Response:
    """Remove the endpoint and its deliveries; nothing more is sent to it."""
    await service.delete(session, principal, endpoint_id)
    return Response(status_code=204)


@router.post(
    "/webhook-endpoints/{endpoint_id}/rotate-secret",
    operation_id="webhook_endpoints_rotate_secret",
    response_model=WebhookSecretRotated,
    responses=problems(404),
)
async def rotate_secret(
    endpoint_id: uuid.UUID, request: Request, session: SessionDep, principal: PrincipalDep, response: Response
) -> WebhookSecretRotated:
    """A new signing secret (shown once); for 24 hours every delivery carries signatures by both secrets."""
    rotated = await service.rotate_secret(session, principal, endpoint_id, request.app.state.clock.now())
    set_etag(response, rotated.version)
    return rotated


@router.get(
    "/webhook-endpoints/{endpoint_id}/deliveries",
    operation_id="webhook_endpoints_deliveries",
    response_model=Page[WebhookDeliveryRead],
    responses=problems(404),
)
async def list_deliveries(
    endpoint_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    status: Annotated[DeliveryStatus | None, Query(description="Only deliveries with this status")] = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[WebhookDeliveryRead]:
    """The endpoint's deliveries, oldest first: status, attempts, last answer and the next attempt."""
    return await service.deliveries(session, principal, endpoint_id, status, cursor, limit)


@router.post(
    "/webhook-deliveries/{delivery_id}/redeliver",
    operation_id="webhook_deliveries_redeliver",
    status_code=202,
    response_model=WebhookDeliveryRead,
    responses=problems(404),
)
async def redeliver(
    delivery_id: uuid.UUID, request: Request, session: SessionDep, principal: PrincipalDep
) -> WebhookDeliveryRead:
    """Send the delivery again now (also a delivered or failed one), with a fresh retry schedule."""
    return await service.redeliver(session, principal, delivery_id, request.app.state.clock.now())
