"""HTTP routes of imports."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from app.auth.principal import PrincipalDep
from app.core.db import SessionDep
from app.core.openapi import problems
from app.core.pagination import CursorQuery, LimitQuery, Page
from app.imports import service
from app.imports.schemas import MAX_BUNDLES, ImportLineRead, ImportRead, LineStatus

router = APIRouter(prefix="/v1", tags=["imports"])

_BODY = {
    "requestBody": {
        "required": True,
        "description": f"JSON Lines: one case bundle (the `CaseBundle` schema) per line, at most {MAX_BUNDLES}.",
        "content": {
            "application/x-ndjson": {
                "schema": {"type": "string", "format": "binary"},
                "example": '{"external_ref": "BO-1", "employer_id": "...", "employee": {"name": "J. de Vries", '
                '"date_of_birth": "1980-05-17"}, "absence_periods": [{"first_day": "2025-01-06"}], '
                '"milestones": [{"type": "probleemanalyse", "occurred_on": "2025-02-20"}], "tracks": []}\n',
            }
        },
    }
}


@router.post(
    "/imports",
    operation_id="imports_create",
    status_code=202,
    response_model=ImportRead,
    responses=problems(403, 413, 415),
    openapi_extra=_BODY,
)
async def create_import(
    request: Request, session: SessionDep, principal: PrincipalDep, response: Response
) -> ImportRead:
    """Import up to 10,000 case bundles (bureaus only). Answers 202 at once; the bundles are created in the
    background, each all or nothing, and a bundle whose `external_ref` already has a case is skipped
    (`existing`), so importing a file twice creates nothing twice. Follow progress at `Location`."""
    job = await service.create(session, principal, await request.body())
    response.headers["Location"] = f"/v1/imports/{job.id}"
    return job


@router.get("/imports", operation_id="imports_list", response_model=Page[ImportRead], responses=problems(403))
async def list_imports(
    session: SessionDep, principal: PrincipalDep, cursor: CursorQuery = None, limit: LimitQuery = 50
) -> Page[ImportRead]:
    """The bureau's imports, oldest first."""
    return await service.list_page(session, principal, cursor=cursor, limit=limit)


@router.get("/imports/{import_id}", operation_id="imports_get", response_model=ImportRead, responses=problems(403, 404))
async def get_import(import_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> ImportRead:
    """Progress: `total`, `done` (`created` + `existing` + `failed`); `status` is `done` when every line is."""
    return await service.get(session, principal, import_id)


@router.get(
    "/imports/{import_id}/lines",
    operation_id="imports_lines",
    response_model=Page[ImportLineRead],
    responses=problems(403, 404),
)
async def list_import_lines(
    import_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    status: LineStatus | None = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[ImportLineRead]:
    """Per line: the ids created, the case that already existed, or the problem (field and message)."""
    return await service.lines_page(session, principal, import_id, status=status, cursor=cursor, limit=limit)
