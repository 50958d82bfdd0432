"""Rules of tracks: spoor 3 conditions, no two overlapping tracks of one spoor, read-only once ended."""

from __future__ import annotations

import calendar
import uuid
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession

from app import poortwachter
from app.audit.service import record_change
from app.auth.principal import Principal
from app.cases import service as cases
from app.cases.models import Case
from app.core.errors import Conflict, NotFound, Unprocessable
from app.core.etag import check_version
from app.core.pagination import Page, dated_key, paginate
from app.milestones import repository as milestones
from app.organizations.models import OrganizationKind
from app.proposals import repository as proposals
from app.reports import repository as reports
from app.tracks import repository
from app.tracks.models import Track
from app.tracks.schemas import TrackCreate, TrackEnd, TrackRead, TrackUpdate

_BUREAU = OrganizationKind.reintegratiebureau


def period_of(day: date) -> str:
    """The calendar month of a day as `YYYY-MM`."""
    return f"{day.year:04d}-{day.month:02d}"


def period_bounds(period: str) -> tuple[date, date]:
    """First and last day of a `YYYY-MM` month."""
    year, month = int(period[:4]), int(period[5:7])
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def active_until(track: Track) -> date:
    """The last day the track counts as running: its end, or today while it runs."""
    return track.ended_on if track.ended_on is not None else cases.today()


def to_read(track: Track) -> TrackRead:
    return TrackRead(
        id=track.id,
        case_id=track.case_id,
        bureau_id=track.bureau_id,
        spoor=track.spoor,
        status="ended" if track.ended_on is not None else "active",
        started_on=track.started_on,
        ended_on=track.ended_on,
        end_reason=track.end_reason,
        coach=track.coach,
        goal=track.goal,
        version=track.version,
        created_at=track.created_at,
        updated_at=track.updated_at,
    )


def _audit_shape(track: Track) -> dict[str, Any]:
    return to_read(track).model_dump(mode="json")


async def load_visible(
    session: AsyncSession, principal: Principal, track_id: uuid.UUID, *, for_update: bool = False
) -> tuple[Track, Case]:
    """The track and its case if the caller sees the case; 404 otherwise."""
    found = await repository.get_visible(session, principal, track_id, for_update=for_update)
    if found is None:
        raise NotFound("No such track.")
    return found


async def load_for_write(session: AsyncSession, principal: Principal, track_id: uuid.UUID) -> tuple[Track, Case]:
    """The track locked for a change by its bureau: 404 outside the caller's view, 403 for other parties."""
    track, case = await load_visible(session, principal, track_id, for_update=True)
    principal.require(_BUREAU, action="change tracks, progress reports or candidate proposals")
    return track, case


def _check_started_on(case: Case, started_on: date) -> None:
    if started_on < case.first_sick_day:
        raise Unprocessable(
            f"started_on is before the case's first sick day ({case.first_sick_day}).", field="started_on"
        )


async def _check_spoor_3(session: AsyncSession, case: Case, started_on: date) -> None:
    """Domain section 3.4 (v2): spoor 3 only for a WGA-eigenrisicodrager after a WIA decision with uitkering wga."""
    if not case.employer_is_wga_eigenrisicodrager:
        raise Unprocessable(
            "Spoor 3 needs an employer that is WGA-eigenrisicodrager; the case's "
            "employer_is_wga_eigenrisicodrager is false.",
            field="spoor",
            unmet_condition="employer_is_wga_eigenrisicodrager",
        )
    rows = await milestones.list_for_case(session, case.bureau_id, case.id, type="wia_beslissing", include_voided=False)
    decisions = [
        poortwachter.Milestone(type=m.type, occurred_on=m.occurred_on, percentage=m.percentage, uitkering=m.uitkering)
        for m in rows
        if m.occurred_on <= started_on
    ]
    if not decisions:
        raise Unprocessable(
            f"Spoor 3 needs a wia_beslissing milestone with uitkering wga dated on or before {started_on}.",
            field="spoor",
            unmet_condition="wia_beslissing",
        )
    if not poortwachter.spoor_3_allowed(decisions, True, started_on):
        latest = max(decisions, key=lambda m: m.occurred_on)
        raise Unprocessable(
            f"Spoor 3 needs a WIA decision with uitkering wga; the latest one ({latest.occurred_on}) "
            f"has uitkering {latest.uitkering or 'unknown'} ({latest.percentage} percent).",
            field="spoor",
            unmet_condition="wia_uitkering",
        )


async def _check_no_overlap(
    session: AsyncSession, case: Case, spoor: int, started_on: date, track_id: uuid.UUID | None
) -> None:
    """Spoor 1 and 2 may run side by side; two tracks of the same spoor may not overlap in time."""
    for other in await repository.same_spoor(session, case.bureau_id, case.id, spoor, exclude=track_id):
        if other.ended_on is None or other.ended_on >= started_on:
            raise Conflict(
                f"A spoor {spoor} track ({other.id}, from {other.started_on}) is active on {started_on}; end it first.",
                existing_id=str(other.id),
            )


async def create(session: AsyncSession, principal: Principal, case_id: uuid.UUID, data: TrackCreate) -> TrackRead:
    # Locking the case serialises track starts per case, so the overlap check cannot race.
    case = await cases.load_visible(session, principal, case_id, for_update=True)
    return to_read(await start(session, principal, case, data))


async def start(session: AsyncSession, principal: Principal, case: Case, data: TrackCreate) -> Track:
    """Start a track on a case the caller holds locked (a bulk import: the case it just created)."""
    principal.require(_BUREAU, action="start tracks")
    if case.status == "closed":
        raise Conflict("The case is closed; no new track can start.")
    _check_started_on(case, data.started_on)
    if data.spoor == 3:
        await _check_spoor_3(session, case, data.started_on)
    await _check_no_overlap(session, case, data.spoor, data.started_on, None)
    track = Track(
        id=uuid.uuid4(),
        case_id=case.id,
        bureau_id=case.bureau_id,
        spoor=data.spoor,
        started_on=data.started_on,
        coach=data.coach,
        goal=data.goal,
        version=1,
    )
    session.add(track)
    await session.flush()  # the INSERT's RETURNING brings the server defaults (created_at, updated_at)
    record_change(
        session,
        principal,
        action="started",
        entity_type="track",
        entity_id=track.id,
        case=cases.parties(case),
        after=_audit_shape(track),
    )
    return track


async def list_page(
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    *,
    spoor: int | None,
    cursor: str | None,
    limit: int,
) -> Page[TrackRead]:
    case = await cases.load_visible(session, principal, case_id)
    rows = await repository.list_for_case(
        session, case.bureau_id, case.id, spoor=spoor, after=dated_key(cursor), limit=limit + 1
    )
    return paginate(rows, limit, lambda t: (t.started_on.isoformat(), t.id), to_read)


async def get(session: AsyncSession, principal: Principal, track_id: uuid.UUID) -> TrackRead:
    track, _ = await load_visible(session, principal, track_id)
    return to_read(track)


def _check_not_ended(track: Track) -> None:
    if track.ended_on is not None:
        raise Conflict(f"The track ended on {track.ended_on}; an ended track is read-only.")


async def update(
    session: AsyncSession, principal: Principal, track_id: uuid.UUID, expected_version: int, data: TrackUpdate
) -> TrackRead:
    track, case = await load_for_write(session, principal, track_id)
    check_version(expected_version, track.version)
    _check_not_ended(track)
    before = _audit_shape(track)
    changes = data.model_fields_set
    if "started_on" in changes:
        if data.started_on is None:
            raise Unprocessable("started_on cannot be null.", field="started_on")
        if data.started_on != track.started_on:
            await _move_start(session, case, track, data.started_on)
    if "coach" in changes:
        track.coach = data.coach
    if "goal" in changes:
        track.goal = data.goal
    return await _save(session, principal, case, track, before, action="updated")


async def _move_start(session: AsyncSession, case: Case, track: Track, started_on: date) -> None:
    _check_started_on(case, started_on)
    if track.spoor == 3:
        await _check_spoor_3(session, case, started_on)
    await _check_no_overlap(session, case, track.spoor, started_on, track.id)
    first_report = (await reports.period_range(session, track.bureau_id, track.id))[0]
    if first_report is not None and first_report < period_of(started_on):
        raise Conflict(f"A progress report exists for {first_report}, before the new start month.")
    first_proposal = (await proposals.date_range(session, track.bureau_id, track.id))[0]
    if first_proposal is not None and first_proposal < started_on:
        raise Conflict(f"A candidate proposal is dated {first_proposal}, before the new start.")
    track.started_on = started_on


async def end(
    session: AsyncSession, principal: Principal, track_id: uuid.UUID, expected_version: int | None, data: TrackEnd
) -> TrackRead:
    track, case = await load_for_write(session, principal, track_id)
    if expected_version is not None:
        check_version(expected_version, track.version)
    return await end_on(session, principal, track, case, data)


async def end_on(session: AsyncSession, principal: Principal, track: Track, case: Case, data: TrackEnd) -> TrackRead:
    """End a track the caller holds locked for writing."""
    _check_not_ended(track)
    if data.ended_on < track.started_on:
        raise Unprocessable(f"ended_on is before the track's start ({track.started_on}).", field="ended_on")
    last_report = (await reports.period_range(session, track.bureau_id, track.id))[1]
    if last_report is not None and last_report > period_of(data.ended_on):
        raise Conflict(f"A progress report exists for {last_report}, after the month the track would end.")
    last_proposal = (await proposals.date_range(session, track.bureau_id, track.id))[1]
    if last_proposal is not None and last_proposal > data.ended_on:
        raise Conflict(f"A candidate proposal is dated {last_proposal}, after the day the track would end.")
    before = _audit_shape(track)
    track.ended_on, track.end_reason = data.ended_on, data.end_reason
    return await _save(session, principal, case, track, before, action="ended")


async def delete(session: AsyncSession, principal: Principal, track_id: uuid.UUID, expected_version: int) -> None:
    """Delete a track started by mistake: only while it has no progress reports and no candidate proposals."""
    track, case = await load_for_write(session, principal, track_id)
    check_version(expected_version, track.version)
    if (await reports.period_range(session, track.bureau_id, track.id))[0] is not None:
        raise Conflict("The track has progress reports; delete its drafts first (submitted ones stay).")
    if (await proposals.date_range(session, track.bureau_id, track.id))[0] is not None:
        raise Conflict("The track has candidate proposals; a track with proposals can only be ended.")
    before = _audit_shape(track)
    await session.delete(track)
    await session.flush()
    record_change(
        session,
        principal,
        action="deleted",
        entity_type="track",
        entity_id=track.id,
        case=cases.parties(case),
        before=before,
    )


async def _save(
    session: AsyncSession, principal: Principal, case: Case, track: Track, before: dict[str, Any], *, action: str
) -> TrackRead:
    track.version += 1
    track.updated_at = func.clock_timestamp()
    await session.flush()
    await session.refresh(track)
    record_change(
        session,
        principal,
        action=action,
        entity_type="track",
        entity_id=track.id,
        case=cases.parties(case),
        before=before,
        after=_audit_shape(track),
    )
    return to_read(track)
