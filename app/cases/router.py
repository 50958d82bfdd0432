"""HTTP routes of cases."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from app.auth.principal import PrincipalDep, RawPrincipalDep
from app.cases import service
from app.cases.schemas import CaseClose, CaseCreate, CaseRead, CaseStatus, CaseUpdate, ExternalRef
from app.core.db import SessionDep, raw_connection
from app.core.etag import IfMatchHeader, etag, require_version, set_etag
from app.core.idempotency import Created, IdempotencyKeyHeader, idempotent
from app.core.openapi import problems
from app.core.pagination import CursorQuery, LimitQuery, Page
from app.core.schemas import Timestamp

router = APIRouter(prefix="/v1/cases", tags=["cases"])


@router.post("", operation_id="cases_create", status_code=201, response_model=CaseRead, responses=problems(403, 409))
async def create_case(
    request: Request,
    body: CaseCreate,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Open a re-integratiedossier (bureaus only)."""

    async def create() -> Created:
        case = await service.create(session, principal, body)
        return Created(case, {"Location": f"/v1/cases/{case.id}", "ETag": etag(case.version)})

    def replayed(answer: dict[str, Any]) -> None:
        service.log_replayed_answer(session, principal, answer)

    return await idempotent(
        session, request, principal.idempotency_scope, idempotency_key, body, create, on_replay=replayed
    )


@router.get("", operation_id="cases_list", response_model=Page[CaseRead], responses=problems())
async def list_cases(
    request: Request,
    principal: RawPrincipalDep,
    status: CaseStatus | None = None,
    employer_id: uuid.UUID | None = None,
    arbodienst_id: uuid.UUID | None = None,
    # No NUL: PostgreSQL text cannot hold one, so such a value could never match (and the driver refuses it).
    external_ref: Annotated[ExternalRef | None, Query(pattern=r"^[^\x00]*$")] = None,
    updated_since: Annotated[
        Timestamp | None,
        Query(
            description="Only cases changed at or after this moment (RFC 3339). A filter, not a way to sync: a "
            "change that commits late carries the moment it was written, which may be before one you already "
            "saw. To miss nothing, follow the change feed, `GET /v1/events` (docs/versioning.md, Syncing)."
        ),
    ] = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Response:
    """The caller's cases, oldest first."""
    since: datetime | None = updated_since
    body = await service.list_json(
        partial(raw_connection, request),
        principal,
        status=status,
        employer_id=employer_id,
        arbodienst_id=arbodienst_id,
        external_ref=external_ref,
        updated_since=since,
        cursor=cursor,
        limit=limit,
        path=request.url.path,
    )
    return Response(body, media_type="application/json")


@router.get("/{case_id}", operation_id="cases_get", response_model=CaseRead, responses=problems(404))
async def get_case(case_id: uuid.UUID, request: Request, principal: RawPrincipalDep) -> Response:
    # A hot read: the raw pool, no session (design section 9); the BSN read is logged by the same statement.
    body, version = await service.get_json(partial(raw_connection, request), principal, case_id, request.url.path)
    return Response(body, media_type="application/json", headers={"ETag": etag(version)})


@router.patch(
    "/{case_id}",
    operation_id="cases_update",
    response_model=CaseRead,
    responses=problems(403, 404, 409, 412, 428),
)
async def update_case(
    case_id: uuid.UUID,
    body: CaseUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> CaseRead:
    """Change any subset of the writable fields; requires If-Match with the current ETag."""
    case = await service.update(session, principal, case_id, require_version(if_match), body)
    set_etag(response, case.version)
    return case


@router.post("/{case_id}/close", operation_id="cases_close", response_model=CaseRead, responses=problems(403, 404, 409))
async def close_case(
    case_id: uuid.UUID, body: CaseClose, session: SessionDep, principal: PrincipalDep, response: Response
) -> CaseRead:
    """Close the case: remaining obligations lapse from `closed_on`."""
    case = await service.close(session, principal, case_id, body)
    set_etag(response, case.version)
    return case
