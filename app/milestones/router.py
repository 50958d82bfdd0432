"""HTTP routes of milestones."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app.auth.principal import PrincipalDep
from app.core.db import SessionDep
from app.core.idempotency import Created, IdempotencyKeyHeader, idempotent
from app.core.openapi import problems
from app.core.pagination import CursorQuery, LimitQuery, Page
from app.milestones import service
from app.milestones.schemas import MilestoneCreate, MilestoneRead, MilestoneVoid
from app.poortwachter.facts import MilestoneType

router = APIRouter(prefix="/v1", tags=["milestones"])


@router.post(
    "/cases/{case_id}/milestones",
    operation_id="milestones_create",
    status_code=201,
    response_model=MilestoneRead,
    responses=problems(403, 404, 409),
)
async def record_milestone(
    case_id: uuid.UUID,
    request: Request,
    body: MilestoneCreate,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Record a dated fact of the dossier. Bedrijfsarts facts: arbodienst or bureau; employer, employee and
    UWV facts: employer or bureau."""

    async def create() -> Created:
        milestone = await service.record(session, principal, case_id, body)
        return Created(milestone, {"Location": f"/v1/cases/{case_id}/milestones/{milestone.id}"})

    return await idempotent(session, request, principal.idempotency_scope, idempotency_key, body, create)


@router.get(
    "/cases/{case_id}/milestones",
    operation_id="milestones_list",
    response_model=Page[MilestoneRead],
    responses=problems(404),
)
async def list_milestones(
    case_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    type: MilestoneType | None = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[MilestoneRead]:
    """The case's milestones in date order."""
    return await service.list_page(session, principal, case_id, type=type, cursor=cursor, limit=limit)


@router.get(
    "/cases/{case_id}/milestones/{milestone_id}",
    operation_id="milestones_get",
    response_model=MilestoneRead,
    responses=problems(404),
)
async def get_milestone(
    case_id: uuid.UUID, milestone_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> MilestoneRead:
    return await service.get(session, principal, case_id, milestone_id)


@router.post(
    "/milestones/{milestone_id}/void",
    operation_id="milestones_void",
    response_model=MilestoneRead,
    responses=problems(403, 404, 409),
)
async def void_milestone(
    milestone_id: uuid.UUID, body: MilestoneVoid, session: SessionDep, principal: PrincipalDep
) -> MilestoneRead:
    """Void a milestone recorded by mistake (whoever may record its type; the case's bureau always). It stays
    readable with `voided_at`, `voided_by` and `void_reason`; the compliance rules no longer count it."""
    return await service.void(session, principal, milestone_id, body)
