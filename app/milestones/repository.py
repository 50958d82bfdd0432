"""SQL for milestones."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import and_, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.cases.models import Case
from app.cases.repository import visible_to
from app.milestones.models import Milestone
from app.tracks.models import Track


async def list_for_case(
    session: AsyncSession,
    bureau_id: uuid.UUID,
    case_id: uuid.UUID,
    *,
    type: str | None = None,
    after: tuple[date, uuid.UUID] | None = None,
    limit: int | None = None,
    include_voided: bool = True,
) -> list[Milestone]:
    """The case's milestones; the rules' callers pass include_voided=False (a voided one is no fact)."""
    query = select(Milestone).where(Milestone.bureau_id == bureau_id, Milestone.case_id == case_id)
    if not include_voided:
        query = query.where(Milestone.voided_at.is_(None))
    if type is not None:
        query = query.where(Milestone.type == type)
    if after is not None:
        query = query.where(tuple_(Milestone.occurred_on, Milestone.id) > tuple_(*after))
    query = query.order_by(Milestone.occurred_on, Milestone.id)
    if limit is not None:
        query = query.limit(limit)
    return list((await session.scalars(query)).all())


async def get_for_case(
    session: AsyncSession, bureau_id: uuid.UUID, case_id: uuid.UUID, milestone_id: uuid.UUID
) -> Milestone | None:
    return await session.scalar(
        select(Milestone).where(
            Milestone.bureau_id == bureau_id, Milestone.case_id == case_id, Milestone.id == milestone_id
        )
    )


async def earliest_dated_fact(session: AsyncSession, bureau_id: uuid.UUID, case_id: uuid.UUID) -> date | None:
    """The earliest milestone date or track start of a case: its first sick day may not move past it."""
    milestones = select(func.min(Milestone.occurred_on)).where(
        Milestone.bureau_id == bureau_id, Milestone.case_id == case_id, Milestone.voided_at.is_(None)
    )
    tracks = select(func.min(Track.started_on)).where(Track.bureau_id == bureau_id, Track.case_id == case_id)
    found = [d for d in (await session.scalar(milestones), await session.scalar(tracks)) if d is not None]
    return min(found) if found else None


async def get_visible(
    session: AsyncSession, principal: Principal, milestone_id: uuid.UUID, *, for_update: bool = False
) -> tuple[Milestone, Case] | None:
    """A milestone by id alone, with its case, if the caller sees the case (both locked for a change)."""
    query = (
        select(Milestone, Case)
        .join(Case, and_(Case.id == Milestone.case_id, Case.bureau_id == Milestone.bureau_id))
        .where(Milestone.id == milestone_id, visible_to(principal))
    )
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).one_or_none()
    return (row[0], row[1]) if row is not None else None
