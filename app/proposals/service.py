"""Rules of candidate proposals: spoor 2 and 3 only, dates inside the track, status moves forward only."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record_change
from app.auth.principal import Principal
from app.cases import service as cases
from app.cases.models import Case
from app.core.errors import Conflict, NotFound, Unprocessable
from app.core.etag import check_version
from app.core.pagination import Page, dated_key, paginate
from app.organizations.models import OrganizationKind
from app.proposals import repository
from app.proposals.models import CandidateProposal, ProposalStatusChange
from app.proposals.schemas import (
    ProposalCreate,
    ProposalRead,
    ProposalSummary,
    ProposalUpdate,
    ProspectiveEmployerRead,
    StatusChangeRead,
)
from app.tracks import service as tracks
from app.tracks.models import Track

# Progress through a placement; a move must go to a higher rank (trial placement and detachering are
# alternatives). Any status that is not final may end in `rejected` or `withdrawn`.
_RANK = {"proposed": 0, "interview": 1, "trial_placement": 2, "detachering": 2, "hired": 3}
FINAL = frozenset({"hired", "rejected", "withdrawn"})
_NEEDS_REASON = frozenset({"rejected", "withdrawn"})
# Design section 2: the employer reads proposals; the arbodienst does not.
_READERS = (OrganizationKind.reintegratiebureau, OrganizationKind.werkgever)


def _employer(proposal: CandidateProposal) -> ProspectiveEmployerRead:
    return ProspectiveEmployerRead(
        name=proposal.employer_name, kvk=proposal.employer_kvk, place=proposal.employer_place
    )


def to_read(proposal: CandidateProposal, changes: list[ProposalStatusChange]) -> ProposalRead:
    # The proposal itself is the first entry of its history; later moves are stored rows.
    history = [
        StatusChangeRead(
            status="proposed", status_date=proposal.proposed_on, reason=None, recorded_at=proposal.created_at
        ),
        *(StatusChangeRead.model_validate(c, from_attributes=True) for c in changes),
    ]
    return ProposalRead(
        id=proposal.id,
        track_id=proposal.track_id,
        case_id=proposal.case_id,
        bureau_id=proposal.bureau_id,
        prospective_employer=_employer(proposal),
        vacancy_title=proposal.vacancy_title,
        proposed_on=proposal.proposed_on,
        channel=proposal.channel,
        note=proposal.note,
        status=proposal.status,
        status_date=proposal.status_date,
        status_history=history,
        version=proposal.version,
        created_at=proposal.created_at,
        updated_at=proposal.updated_at,
    )


def to_summary(proposal: CandidateProposal) -> ProposalSummary:
    return ProposalSummary(
        id=proposal.id,
        prospective_employer=_employer(proposal),
        vacancy_title=proposal.vacancy_title,
        proposed_on=proposal.proposed_on,
        channel=proposal.channel,
        status=proposal.status,
        status_date=proposal.status_date,
    )


async def in_month(session: AsyncSession, track: Track, first: date, last: date) -> list[ProposalSummary]:
    """The track's proposals with `proposed_on` in [first, last], for a monthly report."""
    rows = await repository.list_for_track(session, track.bureau_id, track.id, between=(first, last))
    return [to_summary(p) for p in rows]


def _check_reader(principal: Principal) -> None:
    if principal.kind not in _READERS:
        raise NotFound("No such candidate proposal.")


def _check_proposed_on(track: Track, proposed_on: date) -> None:
    until = tracks.active_until(track)
    if not track.started_on <= proposed_on <= until:
        raise Unprocessable(
            f"proposed_on must lie within the track's active days ({track.started_on} to {until}).",
            field="proposed_on",
        )


async def create(
    session: AsyncSession, principal: Principal, track_id: uuid.UUID, data: ProposalCreate
) -> ProposalRead:
    track, case = await tracks.load_for_write(session, principal, track_id)
    return await create_on(session, principal, track, case, data)


async def create_on(
    session: AsyncSession, principal: Principal, track: Track, case: Case, data: ProposalCreate
) -> ProposalRead:
    """A proposal on a track the caller holds locked for writing (or a bulk import's new one)."""
    if track.spoor == 1:
        raise Unprocessable(
            "Candidate proposals belong to a spoor 2 or 3 track; this is a spoor 1 track.",
            field="track_id",
            location="path",
        )
    _check_proposed_on(track, data.proposed_on)
    employer = data.prospective_employer
    proposal = CandidateProposal(
        id=uuid.uuid4(),
        track_id=track.id,
        case_id=case.id,
        bureau_id=case.bureau_id,
        employer_name=employer.name,
        employer_kvk=employer.kvk,
        employer_place=employer.place,
        vacancy_title=data.vacancy_title,
        proposed_on=data.proposed_on,
        channel=data.channel,
        note=data.note,
        status="proposed",
        status_date=data.proposed_on,
        version=1,
    )
    session.add(proposal)
    await session.flush()  # the INSERT's RETURNING brings the server defaults (created_at, updated_at)
    read = to_read(proposal, [])
    _record(session, principal, case, proposal.id, "created", None, read)
    return read


async def _visible(
    session: AsyncSession, principal: Principal, proposal_id: uuid.UUID, *, for_update: bool = False
) -> tuple[CandidateProposal, Track, Case]:
    found = await repository.get_visible(session, principal, proposal_id, for_update=for_update)
    if found is None:
        raise NotFound("No such candidate proposal.")
    return found


async def get(session: AsyncSession, principal: Principal, proposal_id: uuid.UUID) -> ProposalRead:
    _check_reader(principal)
    proposal, _, _ = await _visible(session, principal, proposal_id)
    changes = await repository.histories(session, proposal.bureau_id, [proposal.id])
    return to_read(proposal, changes[proposal.id])


async def list_page(
    session: AsyncSession,
    principal: Principal,
    track_id: uuid.UUID,
    *,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> Page[ProposalRead]:
    track, _ = await tracks.load_visible(session, principal, track_id)
    _check_reader(principal)
    rows = await repository.list_for_track(
        session, track.bureau_id, track.id, status=status, after=dated_key(cursor), limit=limit + 1
    )
    changes = await repository.histories(session, track.bureau_id, [p.id for p in rows[:limit]])
    return paginate(rows, limit, lambda p: (p.proposed_on.isoformat(), p.id), lambda p: to_read(p, changes[p.id]))


def check_move(current: str, new: str) -> None:
    """422 unless `current` -> `new` is a forward move."""
    if current in FINAL:
        raise Unprocessable(f"The proposal is {current}, a final status; it cannot move to {new}.", field="status")
    if new in _NEEDS_REASON:
        return
    if _RANK[new] <= _RANK[current]:
        raise Unprocessable(
            f"A proposal moves forward only: {current} cannot become {new}.", field="status", current_status=current
        )


async def update(
    session: AsyncSession, principal: Principal, proposal_id: uuid.UUID, expected_version: int, data: ProposalUpdate
) -> ProposalRead:
    proposal, track, case = await _visible(session, principal, proposal_id, for_update=True)
    principal.require(OrganizationKind.reintegratiebureau, action="change candidate proposals")
    check_version(expected_version, proposal.version)
    changes = await repository.histories(session, proposal.bureau_id, [proposal.id])
    before = to_read(proposal, changes[proposal.id])
    fields = data.model_fields_set
    for required in ("prospective_employer", "vacancy_title", "proposed_on", "channel", "status"):
        if required in fields and getattr(data, required) is None:
            raise Unprocessable(f"{required} cannot be null.", field=required)
    if data.status is None:
        for only_with_status in ("status_date", "reason"):
            if only_with_status in fields:
                raise Unprocessable(f"{only_with_status} goes with a status move.", field=only_with_status)
    if data.prospective_employer is not None:
        employer = data.prospective_employer
        proposal.employer_name, proposal.employer_kvk, proposal.employer_place = (
            employer.name,
            employer.kvk,
            employer.place,
        )
    if data.vacancy_title is not None:
        proposal.vacancy_title = data.vacancy_title
    if data.channel is not None:
        proposal.channel = data.channel
    if "note" in fields:
        proposal.note = data.note
    if data.proposed_on is not None and data.proposed_on != proposal.proposed_on:
        if proposal.status != "proposed":
            raise Conflict("proposed_on can be corrected only while the proposal is still `proposed`.")
        _check_proposed_on(track, data.proposed_on)
        proposal.proposed_on = proposal.status_date = data.proposed_on
    if data.status is not None:
        _move(session, principal, proposal, data)
    proposal.version += 1
    proposal.updated_at = func.clock_timestamp()
    await session.flush()
    await session.refresh(proposal)
    changes = await repository.histories(session, proposal.bureau_id, [proposal.id])
    read = to_read(proposal, changes[proposal.id])
    action = "status_changed" if data.status is not None else "updated"
    _record(session, principal, case, proposal.id, action, before, read)
    return read


def _move(session: AsyncSession, principal: Principal, proposal: CandidateProposal, data: ProposalUpdate) -> None:
    assert data.status is not None
    check_move(proposal.status, data.status)
    today = cases.today()
    status_date = data.status_date or today
    if status_date < proposal.status_date:
        raise Unprocessable(
            f"status_date is before the date of the current status ({proposal.status_date}).", field="status_date"
        )
    if status_date > today:
        raise Unprocessable("status_date is in the future.", field="status_date")
    if data.status in _NEEDS_REASON and not data.reason:
        raise Unprocessable(f"A move to {data.status} needs a reason.", field="reason")
    session.add(
        ProposalStatusChange(
            id=uuid.uuid4(),
            proposal_id=proposal.id,
            case_id=proposal.case_id,
            bureau_id=proposal.bureau_id,
            status=data.status,
            status_date=status_date,
            reason=data.reason,
            recorded_by_key_id=principal.key_id,
        )
    )
    proposal.status, proposal.status_date = data.status, status_date


def _record(
    session: AsyncSession,
    principal: Principal,
    case: Case,
    proposal_id: uuid.UUID,
    action: str,
    before: ProposalRead | None,
    after: ProposalRead,
) -> None:
    record_change(
        session,
        principal,
        action=action,
        entity_type="candidate_proposal",
        entity_id=proposal_id,
        case=cases.parties(case),
        before=before.model_dump(mode="json") if before is not None else None,
        after=after.model_dump(mode="json"),
        arbodienst_may_see=False,  # design section 2: no proposals for the arbodienst
    )
