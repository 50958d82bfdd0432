"""HTTP routes of monthly progress reports."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from app.auth.principal import PrincipalDep
from app.core.db import SessionDep
from app.core.etag import IfMatchHeader, etag, optional_version, require_version, set_etag
from app.core.idempotency import Created, IdempotencyKeyHeader, idempotent
from app.core.openapi import problems
from app.core.pagination import CursorQuery, LimitQuery, Page
from app.reports import service
from app.reports.schemas import ReportCreate, ReportRead, ReportStatus, ReportSubmit, ReportUpdate

router = APIRouter(prefix="/v1", tags=["progress-reports"])

PDF = "application/pdf"


def _wants_pdf(accept: str | None) -> bool:
    """True when the client ranks application/pdf above JSON (ties go to the one listed first)."""
    best: tuple[float, int, str] | None = None
    for position, part in enumerate((accept or "")[:1000].split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        if media.lower() not in (PDF, "application/json"):
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        candidate = (q, -position, media.lower())
        if q > 0 and (best is None or candidate > best):
            best = candidate
    return best is not None and best[2] == PDF


@router.post(
    "/tracks/{track_id}/progress-reports",
    operation_id="progress_reports_create",
    status_code=201,
    response_model=ReportRead,
    responses=problems(403, 404, 409),
)
async def create_report(
    track_id: uuid.UUID,
    request: Request,
    body: ReportCreate,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Draft the report of one month of the track (the case's bureau only). One per track and month (409 on a
    second); the period lies within the track's months and not after the current month."""

    async def create() -> Created:
        report = await service.create(session, principal, track_id, body)
        return Created(report, {"Location": f"/v1/progress-reports/{report.id}", "ETag": etag(report.version)})

    return await idempotent(session, request, principal.idempotency_scope, idempotency_key, body, create)


@router.get(
    "/tracks/{track_id}/progress-reports",
    operation_id="progress_reports_list",
    response_model=Page[ReportRead],
    responses=problems(404),
)
async def list_reports(
    track_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    status: ReportStatus | None = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[ReportRead]:
    """The track's reports by period. The employer sees submitted reports only; the arbodienst none (404)."""
    return await service.list_page(session, principal, track_id, status=status, cursor=cursor, limit=limit)


@router.get(
    "/progress-reports/{report_id}",
    operation_id="progress_reports_get",
    response_model=ReportRead,
    responses={
        200: {
            "description": "The report as JSON, or as a printable PDF with `Accept: application/pdf`",
            "content": {PDF: {"schema": {"type": "string", "format": "binary"}}},
        },
        **problems(404),
    },
)
async def get_report(
    report_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    request: Request,
    response: Response,
) -> ReportRead | Response:
    """One report (a draft only for its bureau). With `Accept: application/pdf`: the printable monthly report
    with header, every section and the month's candidate proposals, for the employer and the dossier."""
    if _wants_pdf(request.headers.get("accept")):
        content, filename = await service.pdf(session, principal, report_id)
        headers = {"Content-Disposition": f'inline; filename="{filename}"', "Vary": "Accept"}
        return Response(content, media_type=PDF, headers=headers)
    report = await service.get(session, principal, report_id)
    set_etag(response, report.version)
    response.headers["Vary"] = "Accept"  # the same URL answers JSON or PDF
    return report


@router.patch(
    "/progress-reports/{report_id}",
    operation_id="progress_reports_update",
    response_model=ReportRead,
    responses=problems(403, 404, 409, 412, 428),
)
async def update_report(
    report_id: uuid.UUID,
    body: ReportUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> ReportRead:
    """Change a draft; requires If-Match. A submitted report is immutable (409)."""
    report = await service.update(session, principal, report_id, require_version(if_match), body)
    set_etag(response, report.version)
    return report


@router.post(
    "/progress-reports/{report_id}/submit",
    operation_id="progress_reports_submit",
    response_model=ReportRead,
    responses=problems(403, 404, 409, 412),
)
async def submit_report(
    report_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    response: Response,
    body: ReportSubmit | None = None,
    if_match: IfMatchHeader = None,
) -> ReportRead:
    """Submit the report: it becomes visible to the employer and immutable, and its month's candidate proposals
    are frozen into it. `submitted_on` defaults to today. If-Match is optional here (checked when sent)."""
    version = optional_version(if_match)
    report = await service.submit(session, principal, report_id, version, body or ReportSubmit())
    set_etag(response, report.version)
    return report


@router.delete(
    "/progress-reports/{report_id}",
    operation_id="progress_reports_delete",
    status_code=204,
    response_class=Response,
    responses=problems(403, 404, 409, 412, 428),
)
async def delete_report(
    report_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, if_match: IfMatchHeader = None
) -> Response:
    """Delete a draft; requires If-Match. A submitted report stays (409)."""
    await service.delete(session, principal, report_id, require_version(if_match))
    return Response(status_code=204)
