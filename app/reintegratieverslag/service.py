"""The RIV check of one case or of a portfolio, and its export: facts from the database, rules from
app.poortwachter and app.reintegratieverslag.check."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import anyio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import poortwachter
from app.audit.service import record_access
from app.auth.principal import Principal
from app.cases import service as cases
from app.compliance import repository as compliance
from app.compliance.facts import to_facts
from app.core.crypto import decrypt
from app.core.errors import NotFound
from app.core.pagination import dated_key, encode_cursor
from app.organizations.models import Organization, OrganizationKind
from app.poortwachter.snapshot import RULES_VERSION
from app.proposals.models import CandidateProposal
from app.reintegratieverslag import check as riv
from app.reintegratieverslag import repository
from app.reintegratieverslag.documents import DocumentRef, readable_kinds, upload_findings
from app.reintegratieverslag.schemas import (
    ReintegratieverslagCheck,
    ReintegratieverslagExport,
    RivPortfolioCounts,
    RivPortfolioPage,
    RivPortfolioRow,
)
from app.reports.models import ProgressReport
from app.tracks.models import Track


@dataclass(frozen=True, slots=True)
class Settings:
    report_grace_days: int
    max_age_days: int


def _document(row: Mapping[str, Any]) -> DocumentRef:
    return DocumentRef(
        id=str(row["id"]),
        kind=row["kind"],
        dated_on=row["dated_on"],
        supplied_by=row["supplied_by"],
        signed_by=tuple(row["signed_by"]),
        bsn_on_document=row["bsn_on_document"],
        media_type=row["media_type"],
        size_bytes=row["size_bytes"],
        milestone_id=str(row["milestone_id"]) if row["milestone_id"] else None,
        created_at=row["created_at"],
    )


@dataclass(frozen=True, slots=True)
class _Checked:
    rows: compliance.CaseRows
    compliance: poortwachter.Compliance
    result: riv.RivCheck
    documents: list[Mapping[str, Any]]


async def _check_cases(
    session: AsyncSession, principal: Principal, case_ids: list[uuid.UUID], as_of: date, settings: Settings
) -> list[_Checked]:
    """The check of each of these cases the caller sees."""
    if not case_ids:
        return []
    loaded = await repository.load(session, principal, case_ids)
    if len(case_ids) == 1:
        return _run_checks(loaded, as_of, settings)  # well under a millisecond: a thread hop would cost more
    # A portfolio checks thousands of cases (about a second of CPU): off the event loop, so other requests of
    # this worker keep being served meanwhile.
    return await anyio.to_thread.run_sync(_run_checks, loaded, as_of, settings)


def _run_checks(loaded: repository.Loaded, as_of: date, settings: Settings) -> list[_Checked]:
    """The pure part: the rules and the RIV check of every loaded case (no I/O)."""
    checked = []
    for rows in loaded.rows:
        facts = to_facts(rows)
        result = poortwachter.evaluate(facts, as_of, report_grace_days=settings.report_grace_days)
        case = loaded.cases[rows.id]
        subject = riv.RivCase(
            case_id=str(rows.id),
            first_sick_day=result.first_sick_day,
            bsn_known=case["bsn_known"],
            arbodienst_known=case["arbodienst_id"] is not None,
            facts=facts,
            medical=tuple(
                riv.MedicalVersion(str(v["id"]), str(v["milestone_id"]), v["assessed_on"])
                for v in loaded.medical[rows.id]
            ),
            documents=tuple(_document(d) for d in loaded.documents[rows.id]),
        )
        check = riv.check(subject, result, as_of, max_age_days=settings.max_age_days)
        checked.append(_Checked(rows, result, check, loaded.documents[rows.id]))
    return checked


def _for(principal: Principal, result: riv.RivCheck) -> riv.RivCheck:
    arbodienst = principal.kind is OrganizationKind.arbodienst
    return riv.redact(result, readable_kinds=readable_kinds(principal.kind.value), reports_visible=not arbodienst)


def to_read(result: riv.RivCheck) -> dict[str, Any]:
    """The check in its wire shape (a dict that ReintegratieverslagCheck validates)."""
    obligations = {
        ob.code: {
            "status": ob.status,
            "due_on": ob.due_on,
            "completed_on": ob.completed_on,
            "evidence_id": ob.evidence_id,
        }
        for ob in result.obligations
    }
    return {
        "case_id": result.case_id,
        "as_of": result.as_of,
        "first_sick_day": result.first_sick_day,
        "sick_week": result.sick_week,
        "wachttijd_end": result.wachttijd_end,
        "verlenging_end": result.verlenging_end,
        "due_on": result.due_on,
        "aanvraag_due_on": result.aanvraag_due_on,
        "reference_date": result.reference_date,
        "complete": result.complete,
        "blocking": list(result.blocking),
        "upload_ready": result.upload_ready,
        "obligations": obligations,
        "parts": [
            {
                "part": p.part,
                "title": p.title,
                "legal_basis": p.legal_basis,
                "supplied_by": list(p.supplied_by),
                "status": p.status,
                "findings": [{"code": f.code, "ref": f.ref} for f in p.findings],
                "evidence": [{"type": e.type, "id": e.id, "date": e.date, "detail": e.detail} for e in p.evidence],
                "documents": [
                    {
                        "id": d.id,
                        "milestone_id": d.milestone_id,
                        "kind": d.kind,
                        "dated_on": d.dated_on,
                        "findings": [{"code": f.code, "ref": f.ref} for f in d.findings],
                    }
                    for d in p.documents
                ],
                "documents_ok": p.documents_ok,
                "action_by": list(p.action_by),
                "due_on": p.due_on,
                "obligation": p.obligation,
            }
            for p in result.parts
        ],
    }


async def _one(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, as_of: date, settings: Settings
) -> _Checked:
    found = await _check_cases(session, principal, [case_id], as_of, settings)  # scoped to the caller's view
    if not found:
        raise NotFound("No such case.")
    return found[0]


async def for_case(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, as_of: date, settings: Settings
) -> ReintegratieverslagCheck:
    checked = await _one(session, principal, case_id, as_of, settings)
    return ReintegratieverslagCheck.model_validate(to_read(_for(principal, checked.result)))


def _end(result: riv.RivCheck) -> date:
    return result.verlenging_end or result.wachttijd_end


async def portfolio(
    session: AsyncSession,
    principal: Principal,
    *,
    as_of: date,
    settings: Settings,
    within_days: int,
    include_complete: bool,
    parties: Iterable[str] | None,
    employer_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> RivPortfolioPage:
    """The caller's cases whose RIV falls due within `within_days` or is late, while the wachttijd (or its
    verlenging) runs and the item is neither suspended nor lapsed; by due date."""
    after = dated_key(cursor)
    after_key = (after[0], str(after[1])) if after else None
    wanted = set(parties) if parties else None
    query = compliance.PortfolioQuery(principal, as_of, settings.report_grace_days, employer_id)
    last_due = as_of + timedelta(days=within_days)
    # Candidates from the stored snapshots (due_on = E' - 91, and E' >= as_of), plus cases without a valid one.
    candidates = set(
        await repository.cases_due_between(session, query, as_of - timedelta(days=riv.RIV_DUE_BEFORE_END), last_due)
    )
    candidates.update(await compliance.cases_without_snapshot(session, query))

    selected: list[tuple[tuple[date, str], dict[str, Any]]] = []
    in_scope = complete = 0
    for checked in await _check_cases(session, principal, sorted(candidates), as_of, settings):
        result = checked.result
        riv_item = next(ob for ob in result.obligations if ob.code == "reintegratieverslag")
        if as_of > _end(result) or riv_item.status in ("suspended", "lapsed") or result.due_on > last_due:
            continue
        in_scope += 1
        complete += result.complete
        if result.complete and not include_complete:
            continue
        blocking = [p for p in result.parts if p.status in riv.BLOCKING_STATUSES]
        if wanted is not None and not any(wanted.intersection(p.action_by) for p in blocking):
            continue
        key = (result.due_on, result.case_id)
        if after_key is not None and key <= after_key:
            continue
        row: dict[str, Any] = {
            "case_id": result.case_id,
            "external_ref": checked.rows.external_ref,
            "sick_week": result.sick_week,
            "due_on": result.due_on,
            "aanvraag_due_on": result.aanvraag_due_on,
            "days_left": (result.due_on - as_of).days,
            "complete": result.complete,
            "upload_ready": result.upload_ready,
            "blocking": [{"part": p.part, "status": p.status, "action_by": list(p.action_by)} for p in blocking],
        }
        selected.append((key, row))
    selected.sort(key=lambda item: item[0])
    page = selected[:limit]
    return RivPortfolioPage(
        items=[RivPortfolioRow.model_validate(row) for _, row in page],  # only the page's rows
        next_cursor=encode_cursor(page[-1][0][0].isoformat(), page[-1][0][1]) if len(selected) > limit else None,
        counts=RivPortfolioCounts(cases=in_scope, complete=complete, incomplete=in_scope - complete),
    )


async def _organizations(session: AsyncSession, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, Organization]:
    wanted = [i for i in ids if i is not None]
    rows = await session.scalars(select(Organization).where(Organization.id.in_(wanted)))
    return {org.id: org for org in rows}


async def export(
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    as_of: date,
    settings: Settings,
    *,
    path: str,
    full_bsn: bool,
) -> tuple[ReintegratieverslagExport, str | None]:
    """The dossier summary (section 6) and, for the PDF alone, the full BSN. The arbodienst: 404. Each export
    shows the BSN (masked in JSON, in full on the PDF), so each is written to the case's access log."""
    if principal.kind is OrganizationKind.arbodienst:
        raise NotFound("No such case.")
    case = await cases.load_visible(session, principal, case_id)
    checked = await _one(session, principal, case_id, as_of, settings)
    result = checked.result
    orgs = await _organizations(session, (case.employer_id, case.arbodienst_id, case.bureau_id))

    counting = {d.id for part in result.parts for d in part.documents}
    documents = [
        {
            "id": row["id"],
            "milestone_id": row["milestone_id"],
            "kind": row["kind"],
            "title": row["title"],
            "dated_on": row["dated_on"],
            "supplied_by": row["supplied_by"],
            "signed_by": list(row["signed_by"]),
            "media_type": row["media_type"],
            "size_bytes": row["size_bytes"],
            "sha256": row["sha256"],
            "findings": [{"code": f.code, "ref": f.ref} for f in upload_findings(_document(row))],
        }
        for row in sorted(checked.documents, key=lambda r: (r["dated_on"], r["kind"], str(r["id"])))
        if str(row["id"]) in counting
    ]

    tracks = list(
        await session.scalars(
            select(Track)
            .where(Track.bureau_id == case.bureau_id, Track.case_id == case.id, Track.spoor.in_((1, 2)))
            .where(Track.started_on <= as_of)
            .order_by(Track.started_on, Track.id)
        )
    )
    reports = list(
        await session.scalars(
            select(ProgressReport)
            .where(ProgressReport.bureau_id == case.bureau_id, ProgressReport.case_id == case.id)
            .where(ProgressReport.submitted_on.is_not(None), ProgressReport.submitted_on <= as_of)
            .order_by(ProgressReport.period)
        )
    )
    proposals = list(
        await session.scalars(
            select(CandidateProposal)
            .where(CandidateProposal.bureau_id == case.bureau_id, CandidateProposal.case_id == case.id)
            .where(CandidateProposal.proposed_on <= as_of)
            .order_by(CandidateProposal.proposed_on, CandidateProposal.id)
        )
    )
    employer = orgs[case.employer_id]
    arbodienst = orgs.get(case.arbodienst_id) if case.arbodienst_id else None
    body = {
        **to_read(result),
        "employee": {
            "name": case.employee_name,
            "date_of_birth": case.employee_date_of_birth,
            "bsn_masked": case.employee_bsn_masked,
        },
        "employer": {"name": employer.name, "kvk": employer.kvk},
        "arbodienst": {"name": arbodienst.name} if arbodienst else None,
        "bureau": {"name": orgs[case.bureau_id].name},
        "documents": documents,
        "tracks": [
            {
                "id": t.id,
                "spoor": t.spoor,
                "started_on": t.started_on,
                "ended_on": t.ended_on,
                "end_reason": t.end_reason,
                "coach": t.coach,
                "reports": [
                    {"period": r.period, "submitted_on": r.submitted_on} for r in reports if r.track_id == t.id
                ],
                "proposals": [
                    {
                        "company": p.employer_name,
                        "place": p.employer_place,
                        "vacancy": p.vacancy_title,
                        "proposed_on": p.proposed_on,
                        "channel": p.channel,
                        "status": p.status,
                        "status_date": p.status_date,
                    }
                    for p in proposals
                    if p.track_id == t.id
                ],
            }
            for t in tracks
        ],
        "generated_at": datetime.now(UTC),
        "rules_version": RULES_VERSION,
    }
    if case.employee_bsn_masked is not None:
        record_access(session, principal, cases.parties(case), what="bsn", path=path)
    bsn = decrypt(case.employee_bsn_encrypted) if full_bsn and case.employee_bsn_encrypted is not None else None
    return ReintegratieverslagExport.model_validate(body), bsn
