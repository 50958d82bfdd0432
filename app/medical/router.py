"""HTTP routes of the medical status."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import JSONResponse

from app.auth.principal import PrincipalDep
from app.core.db import SessionDep
from app.core.etag import IfMatchHeader, etag, set_etag
from app.core.idempotency import Created, IdempotencyKeyHeader, idempotent
from app.core.openapi import problems
from app.core.pagination import CursorQuery, LimitQuery, Page
from app.medical import service
from app.medical.schemas import MedicalStatusPut, MedicalStatusRead

router = APIRouter(prefix="/v1/cases/{case_id}/medical-status", tags=["medical"])

IfNoneMatchHeader = Annotated[
    str | None,
    Header(
        alias="If-None-Match",
        max_length=200,
        description="`*` on the first push: fails with 412 when the case already has a medical status",
    ),
]


@router.put(
    "",
    operation_id="medical_status_put",
    response_model=MedicalStatusRead,
    responses={
        **problems(403, 404, 409, 412, 428),
        201: {"model": MedicalStatusRead, "description": "The case's first medical status"},
    },
)
async def put_medical_status(
    case_id: uuid.UUID,
    request: Request,
    body: MedicalStatusPut,
    session: SessionDep,
    principal: PrincipalDep,
    if_match: IfMatchHeader = None,
    if_none_match: IfNoneMatchHeader = None,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Push the functional status after an assessment (the case's arbodienst only).

    The first push takes no If-Match (or `If-None-Match: *`) and answers 201; every later push needs
    `If-Match` with the current ETag (428 without, 412 when stale) and answers 200. A push with an
    `assessment_kind` records the matching milestone on `assessed_on`, once per kind and date. Unknown
    fields, such as a diagnosis, are refused with 422 and nothing is stored."""

    async def push() -> Created:
        status, created = await service.push(
            session, principal, case_id, body, if_match=if_match, if_none_match=if_none_match
        )
        location = f"/v1/cases/{case_id}/medical-status"
        headers = {"ETag": etag(status.version), "Content-Location": location}
        if created:
            headers["Location"] = location
        return Created(status, headers, 201 if created else 200)

    return await idempotent(session, request, principal.idempotency_scope, idempotency_key, body, push)


@router.get("", operation_id="medical_status_get", response_model=MedicalStatusRead, responses=problems(404))
async def get_medical_status(
    case_id: uuid.UUID, request: Request, session: SessionDep, principal: PrincipalDep, response: Response
) -> MedicalStatusRead:
    """The case's current functional status (bureau, employer and arbodienst of the case); every read is logged."""
    status = await service.get(session, principal, case_id, path=request.url.path)
    set_etag(response, status.version)
    return status


@router.get(
    "/history",
    operation_id="medical_status_history",
    response_model=Page[MedicalStatusRead],
    responses=problems(404),
)
async def medical_status_history(
    case_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[MedicalStatusRead]:
    """Every version, oldest first, with who pushed it (organization and key) and when; every read is logged."""
    return await service.history(session, principal, case_id, path=request.url.path, cursor=cursor, limit=limit)
