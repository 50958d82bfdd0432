"""HTTP routes of the re-integratieverslag: the check of one case, the portfolio, and the export."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.auth.principal import PrincipalDep
from app.cases.service import today
from app.compliance.router import AsOfQuery
from app.core.db import SessionDep
from app.core.openapi import problems
from app.core.pagination import CursorQuery, LimitQuery
from app.reintegratieverslag import pdf, service
from app.reintegratieverslag.documents import SignerParty
from app.reintegratieverslag.schemas import ReintegratieverslagCheck, ReintegratieverslagExport, RivPortfolioPage
from app.reports.pdf import in_thread
from app.reports.router import PDF, _wants_pdf

router = APIRouter(prefix="/v1", tags=["reintegratieverslag"])


def _settings(request: Request) -> service.Settings:
    settings = request.app.state.settings
    return service.Settings(report_grace_days=settings.report_grace_days, max_age_days=settings.riv_max_age_days)


@router.get(
    "/cases/{case_id}/reintegratieverslag",
    operation_id="reintegratieverslag_case",
    response_model=ReintegratieverslagCheck,
    responses=problems(404),
)
async def case_reintegratieverslag(
    case_id: uuid.UUID, request: Request, session: SessionDep, principal: PrincipalDep, as_of: AsOfQuery = None
) -> ReintegratieverslagCheck:
    """The administrative completeness check of the case's re-integratieverslag on `as_of`: its ten parts in a
    fixed order with status, findings, evidence, documents, who must act and by when. `complete: true` means
    only that the API sees no administrative gap; it predicts nothing about UWV's inhoudelijke toets."""
    return await service.for_case(session, principal, case_id, as_of or today(), _settings(request))


@router.get(
    "/cases/{case_id}/reintegratieverslag/export",
    operation_id="reintegratieverslag_export",
    response_model=ReintegratieverslagExport,
    responses={
        200: {
            "description": "The dossier summary as JSON, or the cover overview for UWV as a PDF with "
            "`Accept: application/pdf` (the one answer with the full BSN)",
            "content": {PDF: {"schema": {"type": "string", "format": "binary"}}},
        },
        **problems(404),
    },
)
async def export_reintegratieverslag(
    case_id: uuid.UUID,
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    as_of: AsOfQuery = None,
) -> ReintegratieverslagExport | Response:
    """The case's bureau and werkgever: the dossier summary (JSON, BSN masked) or, with `Accept:
    application/pdf`, the A4 cover overview to upload with the documents (full BSN on every page). Each
    download is written to the case's access log."""
    wants_pdf = _wants_pdf(request.headers.get("accept"))
    summary, bsn = await service.export(
        session,
        principal,
        case_id,
        as_of or today(),
        _settings(request),
        path=request.url.path,
        full_bsn=wants_pdf,
    )
    if wants_pdf:
        filename = f"reintegratieverslag-overzicht-{summary.case_id}-{summary.as_of}.pdf"
        return Response(
            await in_thread(pdf.render, summary, bsn),  # CPU work: off the event loop
            media_type=PDF,
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "no-store",
                "Vary": "Accept",
            },
        )
    response.headers["Vary"] = "Accept"  # the same URL answers JSON or PDF
    return summary


@router.get(
    "/reintegratieverslag",
    operation_id="reintegratieverslag_portfolio",
    response_model=RivPortfolioPage,
    responses=problems(),
)
async def portfolio_reintegratieverslag(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    as_of: AsOfQuery = None,
    within_days: Annotated[
        int, Query(ge=0, le=365, description="RIVs due within this many days of `as_of`, and every late one")
    ] = 42,
    include_complete: Annotated[bool, Query(description="Also list cases whose RIV is complete")] = False,
    party: Annotated[
        list[SignerParty] | None, Query(description="Only cases with a blocking part this party must act on")
    ] = None,
    employer_id: uuid.UUID | None = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> RivPortfolioPage:
    """The caller's cases whose RIV falls due soon or is late and not complete, by due date, with the blocking
    parts; counts over every case in range."""
    return await service.portfolio(
        session,
        principal,
        as_of=as_of or today(),
        settings=_settings(request),
        within_days=within_days,
        include_complete=include_complete,
        parties=party,
        employer_id=employer_id,
        cursor=cursor,
        limit=limit,
    )
