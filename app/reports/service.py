"""Rules of progress reports: one per track and month inside the track's months, draft until submitted,
immutable after; the employer reads submitted reports only, the arbodienst none."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record_access, record_change
from app.auth.principal import Principal
from app.cases import service as cases
from app.cases.facts import sick_clock
from app.cases.models import Case
from app.core.errors import Code, Conflict, InvalidCursor, NotFound, Unprocessable
from app.core.etag import check_version
from app.core.pagination import Page, decode_cursor, paginate
from app.organizations import repository as organizations
from app.organizations.models import OrganizationKind
from app.poortwachter import sick_week
from app.proposals import service as proposals
from app.proposals.schemas import ProposalSummary
from app.reports import repository
from app.reports.models import ProgressReport
from app.reports.pdf import ReportHeader, in_thread, render
from app.reports.schemas import ReportCreate, ReportRead, ReportSubmit, ReportUpdate
from app.tracks import service as tracks
from app.tracks.models import Track

_LISTS = ("plan_progress", "activities", "bottlenecks", "next_steps")
_CONTENT = (*_LISTS, "belastbaarheid", "houding_en_gedrag", "employee_comments")


def _submitted_only(principal: Principal) -> bool:
    """Design section 2: the employer reads submitted reports only; the arbodienst reads none (404)."""
    if principal.kind is OrganizationKind.arbodienst:
        raise NotFound("No such progress report.")
    return principal.kind is OrganizationKind.werkgever


def to_read(report: ProgressReport, track: Track, proposals_of_month: list[ProposalSummary]) -> ReportRead:
    return ReportRead.model_validate(
        {
            "id": report.id,
            "track_id": report.track_id,
            "case_id": report.case_id,
            "bureau_id": report.bureau_id,
            "spoor": track.spoor,
            "period": report.period,
            "status": report.status,
            "submitted_on": report.submitted_on,
            "plan_progress": report.plan_progress,
            "belastbaarheid": report.belastbaarheid,
            "activities": report.activities,
            "houding_en_gedrag": report.houding_en_gedrag,
            "bottlenecks": report.bottlenecks,
            "next_steps": report.next_steps,
            "employee_comments": report.employee_comments,
            "candidate_proposals": proposals_of_month,
            "version": report.version,
            "created_at": report.created_at,
            "updated_at": report.updated_at,
        }
    )


async def _month_proposals(session: AsyncSession, report: ProgressReport, track: Track) -> list[ProposalSummary]:
    """As sent for a submitted report; live for a draft."""
    if report.proposals_snapshot is not None:
        return [ProposalSummary.model_validate(p) for p in report.proposals_snapshot]
    first, last = tracks.period_bounds(report.period)
    return await proposals.in_month(session, track, first, last)


async def _read(session: AsyncSession, report: ProgressReport, track: Track) -> ReportRead:
    return to_read(report, track, await _month_proposals(session, report, track))


def _check_period(track: Track, period: str) -> None:
    """The period lies within the track's months and not after the current month."""
    if period < tracks.period_of(track.started_on):
        raise Unprocessable(f"period {period} is before the track started ({track.started_on}).", field="period")
    if track.ended_on is not None and period > tracks.period_of(track.ended_on):
        raise Unprocessable(f"period {period} is after the track ended ({track.ended_on}).", field="period")
    if period > tracks.period_of(cases.today()):
        raise Unprocessable(f"period {period} is after the current month.", field="period")


async def _check_period_free(
    session: AsyncSession, track: Track, period: str, report_id: uuid.UUID | None = None
) -> None:
    existing = await repository.find_for_period(session, track.bureau_id, track.id, period)
    if existing is not None and existing.id != report_id:
        raise Conflict(
            f"The track already has a progress report for {period} ({existing.id}).",
            code=Code.report_period_taken,
            existing_id=str(existing.id),
        )


def _apply_content(report: ProgressReport, data: ReportCreate | ReportUpdate) -> None:
    fields = data.model_fields_set
    for name in _CONTENT:
        if name not in fields:
            continue
        value = getattr(data, name)
        if name in _LISTS:
            setattr(report, name, [item.model_dump(mode="json") for item in value or ()])
        elif name == "belastbaarheid":
            report.belastbaarheid = value.model_dump(mode="json") if value is not None else None
        else:
            setattr(report, name, value or None)


def _check_content(report: ProgressReport) -> None:
    first, last = tracks.period_bounds(report.period)
    for i, activity in enumerate(report.activities):
        on = activity.get("on")
        if on is not None and not first.isoformat() <= on <= last.isoformat():
            raise Unprocessable(f"activities.{i}.on is outside the period {report.period}.", field=f"activities.{i}.on")
    if report.belastbaarheid is not None and date.fromisoformat(report.belastbaarheid["assessed_on"]) > cases.today():
        raise Unprocessable("belastbaarheid.assessed_on is in the future.", field="belastbaarheid.assessed_on")


def _record(
    session: AsyncSession,
    principal: Principal,
    case: Case,
    report: ProgressReport,
    action: str,
    before: ReportRead | None,
    after: ReportRead,
) -> None:
    record_change(
        session,
        principal,
        action=action,
        entity_type="progress_report",
        entity_id=report.id,
        case=cases.parties(case),
        before=before.model_dump(mode="json") if before is not None else None,
        after=after.model_dump(mode="json"),
        # Drafts are the bureau's own; the employer learns of a report when it is submitted. Never the arbodienst.
        employer_may_see=report.status == "submitted",
        arbodienst_may_see=False,
    )


async def create(session: AsyncSession, principal: Principal, track_id: uuid.UUID, data: ReportCreate) -> ReportRead:
    # The track row is locked: two drafts for one month cannot race past the check below.
    track, case = await tracks.load_for_write(session, principal, track_id)
    return (await create_on(session, principal, track, case, data))[1]


async def create_on(
    session: AsyncSession, principal: Principal, track: Track, case: Case, data: ReportCreate
) -> tuple[ProgressReport, ReportRead]:
    """A draft on a track the caller holds locked for writing (tracks.load_for_write, or a bulk import's new one)."""
    _check_period(track, data.period)
    await _check_period_free(session, track, data.period)
    report = ProgressReport(
        id=uuid.uuid4(),
        track_id=track.id,
        case_id=case.id,
        bureau_id=case.bureau_id,
        period=data.period,
        status="draft",
        plan_progress=[],
        activities=[],
        bottlenecks=[],
        next_steps=[],
        version=1,
    )
    _apply_content(report, data)
    _check_content(report)
    session.add(report)
    await session.flush()  # the INSERT's RETURNING brings the server defaults (created_at, updated_at)
    read = await _read(session, report, track)
    _record(session, principal, case, report, "created", None, read)
    return report, read


async def _load_for_write(
    session: AsyncSession, principal: Principal, report_id: uuid.UUID, expected_version: int | None
) -> tuple[ProgressReport, Track, Case]:
    # Writes resolve by the case alone: its employer and arbodienst get 403, not 404 (design section 2).
    found = await repository.get_visible(session, principal, report_id, for_update=True)
    if found is None:
        raise NotFound("No such progress report.")
    principal.require(OrganizationKind.reintegratiebureau, action="change progress reports")
    report = found[0]
    if expected_version is not None:
        check_version(expected_version, report.version)
    if report.status == "submitted":
        raise Conflict(
            f"The report was submitted on {report.submitted_on}; it can no longer be changed.",
            code=Code.report_submitted,
        )
    return found


async def update(
    session: AsyncSession, principal: Principal, report_id: uuid.UUID, expected_version: int, data: ReportUpdate
) -> ReportRead:
    report, track, case = await _load_for_write(session, principal, report_id, expected_version)
    before = await _read(session, report, track)
    if "period" in data.model_fields_set:
        if data.period is None:
            raise Unprocessable("period cannot be null.", field="period")
        if data.period != report.period:
            _check_period(track, data.period)
            await _check_period_free(session, track, data.period, report.id)
            report.period = data.period
    _apply_content(report, data)
    _check_content(report)
    await _bump(session, report)
    read = await _read(session, report, track)
    _record(session, principal, case, report, "updated", before, read)
    return read


async def submit(
    session: AsyncSession,
    principal: Principal,
    report_id: uuid.UUID,
    expected_version: int | None,
    data: ReportSubmit,
) -> ReportRead:
    report, track, case = await _load_for_write(session, principal, report_id, expected_version)
    return await submit_on(session, principal, report, track, case, data)


async def submit_on(
    session: AsyncSession, principal: Principal, report: ProgressReport, track: Track, case: Case, data: ReportSubmit
) -> ReportRead:
    """Submit a draft the caller holds locked for writing."""
    today = cases.today()
    submitted_on = data.submitted_on or today
    if submitted_on > today:
        raise Unprocessable("submitted_on is in the future.", field="submitted_on")
    first, last = tracks.period_bounds(report.period)
    if submitted_on < first:
        raise Unprocessable(f"submitted_on is before the period's first day ({first}).", field="submitted_on")
    if not any(getattr(report, name) for name in _CONTENT):
        raise Unprocessable(
            "The report has no content yet; fill in at least one section before submitting.", code=Code.report_empty
        )
    # The month's proposals, as the draft showed them live and as the submitted report keeps them.
    month = await proposals.in_month(session, track, first, last)
    before = to_read(report, track, month)
    report.proposals_snapshot = [p.model_dump(mode="json") for p in month]
    report.status, report.submitted_on = "submitted", submitted_on
    await _bump(session, report)
    read = to_read(report, track, month)
    _record(session, principal, case, report, "submitted", before, read)
    return read


async def delete(session: AsyncSession, principal: Principal, report_id: uuid.UUID, expected_version: int) -> None:
    """Delete a draft (a submitted report is part of the dossier: 409)."""
    report, track, case = await _load_for_write(session, principal, report_id, expected_version)
    before = await _read(session, report, track)
    await session.delete(report)
    await session.flush()
    record_change(
        session,
        principal,
        action="deleted",
        entity_type="progress_report",
        entity_id=report.id,
        case=cases.parties(case),
        before=before.model_dump(mode="json"),
        employer_may_see=False,  # the employer never saw the draft
        arbodienst_may_see=False,
    )


async def _bump(session: AsyncSession, report: ProgressReport) -> None:
    report.version += 1
    report.updated_at = func.clock_timestamp()
    await session.flush()


async def _readable(
    session: AsyncSession, principal: Principal, report_id: uuid.UUID
) -> tuple[ProgressReport, Track, Case]:
    submitted_only = _submitted_only(principal)
    found = await repository.get_visible(session, principal, report_id, submitted_only=submitted_only)
    if found is None:
        raise NotFound("No such progress report.")
    return found


async def get(session: AsyncSession, principal: Principal, report_id: uuid.UUID) -> ReportRead:
    report, track, case = await _readable(session, principal, report_id)
    record_access(session, principal, cases.parties(case), what="progress_report")
    return await _read(session, report, track)


async def list_page(
    session: AsyncSession,
    principal: Principal,
    track_id: uuid.UUID,
    *,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> Page[ReportRead]:
    track, case = await tracks.load_visible(session, principal, track_id)
    submitted_only = _submitted_only(principal)
    key = decode_cursor(cursor, 2)
    try:
        after = (key[0], uuid.UUID(key[1])) if key else None
    except ValueError:
        raise InvalidCursor() from None
    rows = await repository.list_for_track(
        session,
        track.bureau_id,
        track.id,
        submitted_only=submitted_only,
        status=status,
        after=after,
        limit=limit + 1,
    )
    items = {r.id: await _read(session, r, track) for r in rows[:limit]}
    if items:
        record_access(session, principal, cases.parties(case), what="progress_report")
    return paginate(rows, limit, lambda r: (r.period, r.id), lambda r: items[r.id])


def _sick_weeks(case: Case, period: str) -> tuple[int, int] | None:
    """The weeks of the sickness (domain section 1) that the reporting month spans."""
    clock = sick_clock(case.absence_periods, case.leave_periods)
    first, last = tracks.period_bounds(period)
    start, end = sick_week(clock, max(first, case.first_sick_day)), sick_week(clock, last)
    return (start, end) if start is not None and end is not None else None


async def pdf(session: AsyncSession, principal: Principal, report_id: uuid.UUID) -> tuple[bytes, str]:
    """The report as a printable PDF, and a file name for it."""
    report, track, case = await _readable(session, principal, report_id)
    record_access(session, principal, cases.parties(case), what="progress_report")
    read = await _read(session, report, track)
    employer = await organizations.get(session, case.employer_id)
    bureau = await organizations.get(session, case.bureau_id)
    header = ReportHeader(
        employee=case.employee_name,
        employer=employer.name if employer else "",
        bureau=bureau.name if bureau else "",
        external_ref=case.external_ref,
        spoor=track.spoor,
        track_started_on=track.started_on,
        track_ended_on=track.ended_on,
        coach=track.coach,
        sick_weeks=_sick_weeks(case, report.period),
    )
    # CPU work (up to a second for the largest report): in a worker thread, so the event loop keeps serving.
    content = await in_thread(render, header, read)
    return content, f"voortgangsrapportage-{report.period}-{report.id}.pdf"
