"""Compliance of one case or a portfolio: facts from the database, rules from app.poortwachter."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import date
from functools import partial
from typing import Any

import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from app import poortwachter
from app.auth.principal import Principal
from app.compliance import repository
from app.compliance.facts import to_facts
from app.compliance.schemas import (
    CaseCompliance,
    ObligationRead,
    Outstanding,
    PortfolioCounts,
    PortfolioPage,
    PortfolioRow,
)
from app.compliance.snapshots import HORIZON
from app.core.errors import Code, InvalidCursor, NotFound, ServiceUnavailable, Unprocessable
from app.core.pagination import decode_cursor, encode_cursor

OUTSTANDING = ("open", "overdue")


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
            "overdue_by_days": ob.overdue_by_days,
            "waiting_for": ob.waiting_for,
            "evidence_id": ob.evidence_id,
            "period": ob.period,
            "track_id": ob.track_id,
        }
    )


# Facts of one case past which its evaluation runs in a worker thread. A typical case (tens of facts) evaluates in
# about a millisecond, less than a thread hop costs; one with hundreds of milestones would hold the event loop.
THREAD_FROM_FACTS = 200


async def evaluate_case(facts: poortwachter.CaseFacts, as_of: date, report_grace_days: int) -> poortwachter.Compliance:
    """The rules for one case: on the event loop when small, in a worker thread when large."""
    size = len(facts.milestones) + len(facts.tracks) + len(facts.reports) + len(facts.absence_periods)
    evaluate = partial(poortwachter.evaluate, facts, as_of, report_grace_days=report_grace_days)
    if size < THREAD_FROM_FACTS:
        return evaluate()
    return await anyio.to_thread.run_sync(evaluate)


async def for_case(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, as_of: date, report_grace_days: int
) -> CaseCompliance:
    found = await repository.load(session, principal, case_id=case_id)  # scoped to the caller's view
    if not found:
        raise NotFound("No such case.")
    [rows] = found
    result = await evaluate_case(to_facts(rows), as_of, report_grace_days)
    shaped = {id(ob): _obligation(ob) for ob in result.obligations}
    return CaseCompliance(
        case_id=case_id,
        as_of=as_of,
        first_sick_day=result.first_sick_day,
        sick_week=result.sick_week,
        phase=result.phase,
        wachttijd_end=result.wachttijd_end,
        verlenging_end=result.verlenging_end,
        loondoorbetaling_end=result.loondoorbetaling_end,
        wia_uitkering=result.wia_uitkering,
        loonsanctie_risk=result.loonsanctie_risk,
        obligations=list(shaped.values()),
        outstanding=Outstanding.model_validate(
            {party: [shaped[id(ob)] for ob in result.outstanding.get(party, ())] for party in poortwachter.PARTIES}
        ),
    )


PortfolioKey = tuple[str, str, str, str, str]


def _key(case_id: uuid.UUID, due_on: date, code: str, period: str | None, track_id: str | None) -> PortfolioKey:
    return (due_on.isoformat(), str(case_id), code, period or "", track_id or "")


def _row(case_id: uuid.UUID, external_ref: str | None, ob: poortwachter.Obligation) -> dict[str, Any]:
    return {**_obligation(ob).model_dump(), "case_id": case_id, "external_ref": external_ref}


def _stored_row(row: Any, as_of: date) -> dict[str, Any]:
    """A stored item (app/compliance/repository.py) in the shape evaluate() gives it."""
    return {
        "case_id": row.case_id,
        "external_ref": row.external_ref,
        "code": row.code,
        "title": poortwachter.OBLIGATION_TITLES[row.code],
        "parties": list(poortwachter.OBLIGATION_PARTIES[row.code]),
        "legal_basis": poortwachter.OBLIGATION_LEGAL_BASIS[row.code],
        "due_on": row.due_on,
        "window_opens_on": row.window_opens_on,
        "status": row.status,
        "completed_on": row.completed_on,
        "late_by_days": row.late_by_days,
        "overdue_by_days": (as_of - row.overdue_after).days if row.status == "overdue" else None,
        "waiting_for": row.waiting_for if row.status == "upcoming" else None,
        "evidence_id": row.evidence_id if row.status in ("done", "waived") else None,
        "period": row.period,
        "track_id": row.track_id,
    }


def _evaluate_directly(
    loaded: list[repository.CaseRows],
    as_of: date,
    report_grace_days: int,
    want: tuple[set[str], set[str] | None, date | None, PortfolioKey | None],
) -> tuple[list[tuple[PortfolioKey, dict[str, Any]]], Counter[tuple[str, str]]]:
    """The rules for cases without a usable stored history: CPU work, run in a worker thread."""
    wanted_statuses, wanted_parties, due_before, text_after = want
    matches: list[tuple[PortfolioKey, dict[str, Any]]] = []
    counts: Counter[tuple[str, str]] = Counter()
    for rows in loaded:
        result = poortwachter.evaluate(to_facts(rows), as_of, report_grace_days=report_grace_days)
        for ob in result.obligations:
            counts[(ob.status, ob.code)] += 1
            if ob.status not in wanted_statuses:
                continue
            if wanted_parties is not None and wanted_parties.isdisjoint(ob.parties):
                continue
            if due_before is not None and ob.due_on >= due_before:
                continue
            key = _key(rows.id, ob.due_on, ob.code, ob.period, ob.track_id)
            if text_after is not None and key <= text_after:
                continue
            matches.append((key, _row(rows.id, rows.external_ref, ob)))
    return matches, counts


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
    direct_limit: int,
    today: date,
) -> PortfolioPage:
    """Obligations over every case the caller sees, soonest due first; outstanding ones unless `statuses`.

    Cases whose stored history is valid on `as_of` (every case, once `refresh-compliance` has run after a rules
    change, for any date up to the horizon, past ones too) are answered in SQL: the page by one query over the
    stored items, the counts of a bureau's whole portfolio by one range sum over compliance_counts. The others
    (no history yet, `as_of` past the horizon) are evaluated here, in a worker thread, at most `direct_limit`
    of them. Both give exactly what evaluate() gives.
    """
    after = decode_cursor(cursor, 5)
    try:
        after_key = (date.fromisoformat(after[0]), after[1], after[2], after[3], after[4]) if after else None
    except ValueError:
        raise InvalidCursor() from None
    wanted_parties = set(parties) if parties else None
    wanted_statuses = set(statuses) if statuses else set(OUTSTANDING)
    query = repository.PortfolioQuery(principal, as_of, report_grace_days, employer_id)

    cases, covered = await repository.coverage(session, query)
    bureau = repository.whole_bureau(query)
    unsnapshotted: list[uuid.UUID] = []
    if covered < cases:
        unsnapshotted = await repository.cases_without_snapshot(session, query)
    if bureau is not None and not unsnapshotted:
        counted = await repository.bureau_counts(session, query, bureau)
    else:
        counted = await repository.stored_counts(session, query)
    if len(unsnapshotted) > direct_limit:
        if as_of > today + HORIZON:
            raise Unprocessable(
                f"The portfolio answers up to {HORIZON.days} days ahead; ask for an earlier as_of.",
                field="as_of",
                location="query",
            )
        raise ServiceUnavailable(
            "The compliance of these cases is being brought up to date (refresh-compliance); try again later.",
            code=Code.snapshots_refreshing,
            headers={"Retry-After": "60"},
        )

    by_status: Counter[str] = Counter()
    by_party: dict[str, Counter[str]] = {party: Counter() for party in poortwachter.PARTIES}

    def tally(status: str, code: str, n: int) -> None:
        by_status[status] += n
        for party in poortwachter.OBLIGATION_PARTIES[code]:
            by_party[party][status] += n

    for status, code, n in counted:
        tally(status, code, int(n))

    matches: list[tuple[PortfolioKey, dict[str, Any]]] = [
        (_key(row.case_id, row.due_on, row.code, row.period, row.track_id), _stored_row(row, as_of))
        for row in await repository.stored_rows(
            session,
            query,
            statuses=wanted_statuses,
            parties=wanted_parties,
            due_before=due_before,
            after=after_key,
            limit=limit + 1,
            covered=not unsnapshotted,
        )
    ]
    if unsnapshotted:
        loaded = await repository.load(session, principal, case_ids=unsnapshotted)
        text_after = (after_key[0].isoformat(), *after_key[1:]) if after_key else None
        want = (wanted_statuses, wanted_parties, due_before, text_after)
        direct, direct_counts = await asyncio.to_thread(_evaluate_directly, loaded, as_of, report_grace_days, want)
        for (status, code), n in direct_counts.items():
            tally(status, code, n)
        matches += direct
        matches.sort(key=lambda match: match[0])
    page = matches[:limit]
    return PortfolioPage(
        items=[PortfolioRow.model_validate(row) for _, row in page],
        next_cursor=encode_cursor(*page[-1][0]) if len(matches) > limit else None,
        counts=PortfolioCounts.model_validate(
            {"by_status": dict(by_status), "by_party": {p: dict(c) for p, c in by_party.items()}}
        ),
        cases=cases,
    )
