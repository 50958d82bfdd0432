"""HTTP routes of compliance: one case, and the caller's whole portfolio."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request

from app.auth.principal import PrincipalDep
from app.cases.service import today
from app.compliance import service
from app.compliance.schemas import CaseCompliance, PortfolioPage
from app.core.db import SessionDep
from app.core.openapi import problems
from app.core.pagination import CursorQuery, LimitQuery
from app.core.schemas import DossierDate
from app.poortwachter.facts import Party, Status

router = APIRouter(prefix="/v1", tags=["compliance"])

AsOfQuery = Annotated[
    DossierDate | None,
    Query(
        description="Reference date (YYYY-MM-DD); default today in Europe/Amsterdam. Only facts dated on or "
        "before it count."
    ),
]


@router.get(
    "/cases/{case_id}/compliance",
    operation_id="compliance_case",
    response_model=CaseCompliance,
    responses=problems(404),
)
async def case_compliance(
    case_id: uuid.UUID, request: Request, session: SessionDep, principal: PrincipalDep, as_of: AsOfQuery = None
) -> CaseCompliance:
    """Every Poortwachter obligation of the case on `as_of`, and the outstanding ones per party."""
    grace = request.app.state.settings.report_grace_days
    return await service.for_case(session, principal, case_id, as_of or today(), grace)


@router.get(
    "/compliance", operation_id="compliance_portfolio", response_model=PortfolioPage, responses=problems(422, 503)
)
async def portfolio_compliance(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    as_of: AsOfQuery = None,
    party: Annotated[list[Party] | None, Query(description="Only obligations naming this party (repeatable)")] = None,
    status: Annotated[
        list[Status] | None, Query(description="Only these statuses (repeatable); default `open` and `overdue`")
    ] = None,
    due_before: Annotated[DossierDate | None, Query(description="Only obligations due before this date")] = None,
    employer_id: uuid.UUID | None = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> PortfolioPage:
    """Obligations over every case the caller sees, soonest due first, with counts per status and party."""
    settings = request.app.state.settings
    now = today()
    return await service.portfolio(
        session,
        principal,
        as_of=as_of or now,
        report_grace_days=settings.report_grace_days,
        parties=party,
        statuses=status,
        due_before=due_before,
        employer_id=employer_id,
        cursor=cursor,
        limit=limit,
        direct_limit=settings.portfolio_direct_limit,
        today=now,
    )
