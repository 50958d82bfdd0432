"""Compliance of one case or a portfolio: facts from the database, rules from app.poortwachter."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app import poortwachter
from app.auth.principal import Principal
from app.cases.facts import absence_periods, leave_periods
from app.cases.service import load_visible
from app.compliance import repository
from app.compliance.repository import CaseRows
from app.compliance.schemas import (
    CaseCompliance,
    ObligationRead,
    Outstanding,
    PortfolioCounts,
    PortfolioPage,
    PortfolioRow,
)
from app.core.pagination import decode_cursor, encode_cursor

OUTSTANDING = ("open", "overdue")


def to_facts(rows: CaseRows) -> poortwachter.CaseFacts:
    return poortwachter.CaseFacts(
        absence_periods=absence_periods(rows.absence_periods),
        leave_periods=leave_periods(rows.leave_periods),
        milestones=tuple(
            poortwachter.Milestone(
                type=m.type,
                occurred_on=m.occurred_on,
                id=str(m.id),
                until=m.until,
                percentage=m.percentage,
                obligation=m.obligation,
            )
            for m in rows.milestones
        ),
        tracks=tuple(
            poortwachter.Track(id=str(t.id), spoor=t.spoor, started_on=t.started_on, ended_on=t.ended_on)
            for t in rows.tracks
        ),
        reports=tuple(
            poortwachter.SubmittedReport(
                id=str(r.id), track_id=str(r.track_id), period=r.period, submitted_on=r.submitted_on
            )
            for r in rows.reports
        ),
        closed_on=rows.closed_on,
    )


def _obligation(ob: poortwachter.Obligation) -> ObligationRead:
    return ObligationRead.model_validate(
        {
            "code": ob.code,
            "title": ob.title,
            "parties": list(ob.parties),
            "legal_basis": ob.legal_basis,
            "due_on": ob.due_on,
            "window_opens_on": ob.window_opens_on,
            "status": ob.status,
            "completed_on": ob.completed_on,
            "late_by_days": ob.late_by_days,
            "waiting_for": ob.waiting_for,
            "evidence_id": ob.evidence_id,
            "period": ob.period,
            "track_id": ob.track_id,
        }
    )


async def for_case(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, as_of: date, report_grace_days: int
) -> CaseCompliance:
    await load_visible(session, principal, case_id)  # 404 outside the caller's view
    [rows] = await repository.load(session, principal, case_id=case_id)
    result = poortwachter.evaluate(to_facts(rows), as_of, report_grace_days=report_grace_days)
    shaped = {id(ob): _obligation(ob) for ob in result.obligations}
    return CaseCompliance(
        case_id=case_id,
        as_of=as_of,
        first_sick_day=result.first_sick_day,
        sick_week=result.sick_week,
        wachttijd_end=result.wachttijd_end,
        loondoorbetaling_end=result.loondoorbetaling_end,
        loonsanctie_risk=result.loonsanctie_risk,
        obligations=list(shaped.values()),
        outstanding=Outstanding.model_validate(
            {party: [shaped[id(ob)] for ob in result.outstanding.get(party, ())] for party in poortwachter.PARTIES}
        ),
    )


def _sort_key(case_id: uuid.UUID, ob: poortwachter.Obligation) -> tuple[str, str, str, str, str]:
    return (ob.due_on.isoformat(), str(case_id), ob.code, ob.period or "", ob.track_id or "")


async def portfolio(
    session: AsyncSession,
    principal: Principal,
    *,
    as_of: date,
    report_grace_days: int,
    parties: Iterable[str] | None,
    statuses: Iterable[str] | None,
    due_before: date | None,
    employer_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> PortfolioPage:
    """Obligations over every case the caller sees, soonest due first; outstanding ones unless `statuses`."""
    after = decode_cursor(cursor, 5)
    after_key = tuple(after) if after else None
    wanted_parties = set(parties) if parties else None
    wanted_statuses = set(statuses) if statuses else set(OUTSTANDING)

    by_status: Counter[str] = Counter()
    by_party: dict[str, Counter[str]] = {party: Counter() for party in poortwachter.PARTIES}
    matches: list[tuple[tuple[str, str, str, str, str], CaseRows, poortwachter.Obligation]] = []
    cases = await repository.load(session, principal, employer_id=employer_id)
    for rows in cases:
        result = poortwachter.evaluate(to_facts(rows), as_of, report_grace_days=report_grace_days)
        for ob in result.obligations:
            by_status[ob.status] += 1
            for party in ob.parties:
                by_party[party][ob.status] += 1
            if ob.status not in wanted_statuses:
                continue
            if wanted_parties is not None and wanted_parties.isdisjoint(ob.parties):
                continue
            if due_before is not None and ob.due_on >= due_before:
                continue
            key = _sort_key(rows.id, ob)
            if after_key is not None and key <= after_key:
                continue
            matches.append((key, rows, ob))
    matches.sort(key=lambda match: match[0])
    page = matches[:limit]
    items = [
        PortfolioRow.model_validate(
            {**_obligation(ob).model_dump(), "case_id": rows.id, "external_ref": rows.external_ref}
        )
        for _, rows, ob in page
    ]
    return PortfolioPage(
        items=items,
        next_cursor=encode_cursor(*page[-1][0]) if len(matches) > limit else None,
        counts=PortfolioCounts.model_validate(
            {"by_status": dict(by_status), "by_party": {p: dict(c) for p, c in by_party.items()}}
        ),
        cases=len(cases),
    )
