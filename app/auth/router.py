"""HTTP routes of partner keys."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from app.auth import service
from app.auth.principal import PrincipalDep
from app.auth.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead
from app.core.db import SessionDep
from app.core.openapi import problems
from app.core.pagination import CursorQuery, LimitQuery, Page

router = APIRouter(prefix="/v1", tags=["api keys"])


@router.post(
    "/organizations/{organization_id}/api-keys",
    operation_id="api_keys_create",
    status_code=201,
    response_model=ApiKeyCreated,
    responses=problems(403, 404),
)
async def create_api_key(
    organization_id: uuid.UUID, body: ApiKeyCreate, session: SessionDep, principal: PrincipalDep
) -> ApiKeyCreated:
    """Issue a key for an employer or arbodienst you registered (or for your bureau). The key sees only your
    cases of that organization; its secret is shown once, in this answer."""
    return await service.issue(session, principal, organization_id, body)


@router.get(
    "/organizations/{organization_id}/api-keys",
    operation_id="api_keys_list",
    response_model=Page[ApiKeyRead],
    responses=problems(403, 404),
)
async def list_api_keys(
    organization_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[ApiKeyRead]:
    """The keys you issued for this organization (for your own bureau: all its keys), without secrets."""
    return await service.list_page(session, principal, organization_id, cursor=cursor, limit=limit)


@router.delete(
    "/api-keys/{api_key_id}",
    operation_id="api_keys_revoke",
    status_code=204,
    response_class=Response,
    responses=problems(403, 404),
)
async def revoke_api_key(api_key_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> Response:
    """Revoke a key you issued (or one of your bureau's own); it answers 401 from now on."""
    await service.revoke(session, principal, api_key_id)
    return Response(status_code=204)
