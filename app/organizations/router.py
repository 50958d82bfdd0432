"""HTTP routes of organizations and of the caller itself."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from app.auth.principal import PrincipalDep
from app.core.db import SessionDep
from app.core.idempotency import Created, IdempotencyKeyHeader, idempotent
from app.core.openapi import problems
from app.core.pagination import CursorQuery, LimitQuery, Page
from app.core.schemas import KvkNumber
from app.organizations import service
from app.organizations.models import OrganizationKind
from app.organizations.schemas import Me, OrganizationCreate, OrganizationRead, OrganizationUpdate

router = APIRouter(prefix="/v1", tags=["organizations"])


@router.get("/me", operation_id="me_get", response_model=Me, responses=problems())
async def me(session: SessionDep, principal: PrincipalDep) -> Me:
    """The calling organization, its kind, and the key's scope, expiry and issuer."""
    org = await service.get(session, principal, principal.organization_id)
    return Me(
        organization=org,
        kind=principal.kind,
        api_key_id=principal.key_id,
        scope=principal.scope,
        expires_on=principal.expires_on,
        issued_by_id=principal.issuer_id,
    )


@router.post(
    "/organizations",
    operation_id="organizations_create",
    status_code=201,
    response_model=OrganizationRead,
    responses={
        200: {
            "model": OrganizationRead,
            "description": "An organization with this KvK number already existed",
        },
        **problems(403, 409),
    },
)
async def create_organization(
    request: Request,
    body: OrganizationCreate,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Add an employer or arbodienst (bureaus only); a known KvK number answers the existing one (200)."""

    async def create() -> Created:
        org, created = await service.register(session, principal, body)
        return Created(org, {"Location": f"/v1/organizations/{org.id}"}, 201 if created else 200)

    return await idempotent(session, request, principal.idempotency_scope, idempotency_key, body, create)


@router.get(
    "/organizations",
    operation_id="organizations_list",
    response_model=Page[OrganizationRead],
    responses=problems(),
)
async def list_organizations(
    session: SessionDep,
    principal: PrincipalDep,
    kind: OrganizationKind | None = None,
    kvk: Annotated[KvkNumber | None, Query()] = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[OrganizationRead]:
    """Organizations the caller may refer to: itself and those it registered or works with."""
    return await service.list_page(session, principal, kind=kind, kvk=kvk, cursor=cursor, limit=limit)


@router.get(
    "/organizations/{organization_id}",
    operation_id="organizations_get",
    response_model=OrganizationRead,
    responses=problems(404),
)
async def get_organization(
    organization_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> OrganizationRead:
    return await service.get(session, principal, organization_id)


@router.patch(
    "/organizations/{organization_id}",
    operation_id="organizations_update",
    response_model=OrganizationRead,
    responses=problems(403, 404),
)
async def update_organization(
    organization_id: uuid.UUID, body: OrganizationUpdate, session: SessionDep, principal: PrincipalDep
) -> OrganizationRead:
    """Change the name or contact details (the organization itself, or the bureau that registered it)."""
    return await service.update(session, principal, organization_id, body)
