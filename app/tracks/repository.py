"""SQL for tracks; every query carries the caller's visibility or the case's tenant key."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.cases.models import Case
from app.cases.repository import visible_to
from app.tracks.models import Track


async def get_visible(
    session: AsyncSession, principal: Principal, track_id: uuid.UUID, *, for_update: bool = False
) -> tuple[Track, Case] | None:
    """The track and its case, if the caller sees the case (locking both for a write)."""
    query = select(Track, Case).join(Case, Case.id == Track.case_id).where(Track.id == track_id, visible_to(principal))
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).one_or_none()
    return (row[0], row[1]) if row is not None else None


async def list_for_case(
    session: AsyncSession,
    bureau_id: uuid.UUID,
    case_id: uuid.UUID,
    *,
    spoor: int | None,
    after: tuple[date, uuid.UUID] | None,
    limit: int,
) -> list[Track]:
    query = select(Track).where(Track.bureau_id == bureau_id, Track.case_id == case_id)
    if spoor is not None:
        query = query.where(Track.spoor == spoor)
    if after is not None:
        query = query.where(tuple_(Track.started_on, Track.id) > tuple_(*after))
    query = query.order_by(Track.started_on, Track.id).limit(limit)
    return list((await session.scalars(query)).all())


async def same_spoor(
    session: AsyncSession, bureau_id: uuid.UUID, case_id: uuid.UUID, spoor: int, *, exclude: uuid.UUID | None = None
) -> list[Track]:
    query = select(Track).where(Track.bureau_id == bureau_id, Track.case_id == case_id, Track.spoor == spoor)
    if exclude is not None:
        query = query.where(Track.id != exclude)
    return list((await session.scalars(query)).all())
