"""SQL for candidate proposals; every query carries the caller's visibility or the case's tenant key."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.cases.models import Case
from app.cases.repository import visible_to
from app.proposals.models import CandidateProposal, ProposalStatusChange
from app.tracks.models import Track


async def get_visible(
    session: AsyncSession, principal: Principal, proposal_id: uuid.UUID, *, for_update: bool = False
) -> tuple[CandidateProposal, Track, Case] | None:
    """The proposal with its track and case, if the caller sees the case."""
    query = (
        select(CandidateProposal, Track, Case)
        .join(Track, Track.id == CandidateProposal.track_id)
        .join(Case, Case.id == CandidateProposal.case_id)
        .where(CandidateProposal.id == proposal_id, visible_to(principal))
    )
    if for_update:
        query = query.with_for_update(of=CandidateProposal)
    row = (await session.execute(query)).one_or_none()
    return (row[0], row[1], row[2]) if row is not None else None


async def list_for_track(
    session: AsyncSession,
    bureau_id: uuid.UUID,
    track_id: uuid.UUID,
    *,
    status: str | None = None,
    between: tuple[date, date] | None = None,
    after: tuple[date, uuid.UUID] | None = None,
    limit: int | None = None,
) -> list[CandidateProposal]:
    query = select(CandidateProposal).where(
        CandidateProposal.bureau_id == bureau_id, CandidateProposal.track_id == track_id
    )
    if status is not None:
        query = query.where(CandidateProposal.status == status)
    if between is not None:
        query = query.where(CandidateProposal.proposed_on.between(*between))
    if after is not None:
        query = query.where(tuple_(CandidateProposal.proposed_on, CandidateProposal.id) > tuple_(*after))
    query = query.order_by(CandidateProposal.proposed_on, CandidateProposal.id)
    if limit is not None:
        query = query.limit(limit)
    return list((await session.scalars(query)).all())


async def date_range(
    session: AsyncSession, bureau_id: uuid.UUID, track_id: uuid.UUID
) -> tuple[date | None, date | None]:
    """The earliest and latest `proposed_on` of the track's proposals."""
    row = (
        await session.execute(
            select(func.min(CandidateProposal.proposed_on), func.max(CandidateProposal.proposed_on)).where(
                CandidateProposal.bureau_id == bureau_id, CandidateProposal.track_id == track_id
            )
        )
    ).one()
    return row[0], row[1]


async def histories(
    session: AsyncSession, bureau_id: uuid.UUID, proposal_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[ProposalStatusChange]]:
    """The recorded status changes of these proposals, oldest first, in one query."""
    out: dict[uuid.UUID, list[ProposalStatusChange]] = defaultdict(list)
    if not proposal_ids:
        return out
    rows = await session.scalars(
        select(ProposalStatusChange)
        .where(ProposalStatusChange.bureau_id == bureau_id, ProposalStatusChange.proposal_id.in_(proposal_ids))
        .order_by(ProposalStatusChange.proposal_id, ProposalStatusChange.recorded_at, ProposalStatusChange.id)
    )
    for change in rows:
        out[change.proposal_id].append(change)
    return out
