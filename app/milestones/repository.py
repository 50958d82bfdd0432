"""SQL for milestones."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

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
) -> list[Milestone]:
    query = select(Milestone).where(Milestone.bureau_id == bureau_id, Milestone.case_id == case_id)
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
        Milestone.bureau_id == bureau_id, Milestone.case_id == case_id
    )
    tracks = select(func.min(Track.started_on)).where(Track.bureau_id == bureau_id, Track.case_id == case_id)
    found = [d for d in (await session.scalar(milestones), await session.scalar(tracks)) if d is not None]
    return min(found) if found else None
