"""SQL for progress reports; every query carries the caller's visibility or the case's tenant key."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.cases.models import Case
from app.cases.repository import visible_to
from app.reports.models import ProgressReport
from app.tracks.models import Track


async def get_visible(
    session: AsyncSession,
    principal: Principal,
    report_id: uuid.UUID,
    *,
    submitted_only: bool = False,
    for_update: bool = False,
) -> tuple[ProgressReport, Track, Case] | None:
    """The report with its track and case, if the caller sees the case (and, if asked, only once submitted)."""
    query = (
        select(ProgressReport, Track, Case)
        .join(Track, Track.id == ProgressReport.track_id)
        .join(Case, Case.id == ProgressReport.case_id)
        .where(ProgressReport.id == report_id, visible_to(principal))
    )
    if submitted_only:
        query = query.where(ProgressReport.status == "submitted")
    if for_update:
        query = query.with_for_update(of=ProgressReport)
    row = (await session.execute(query)).one_or_none()
    return (row[0], row[1], row[2]) if row is not None else None


async def list_for_track(
    session: AsyncSession,
    bureau_id: uuid.UUID,
    track_id: uuid.UUID,
    *,
    submitted_only: bool,
    status: str | None,
    after: tuple[str, uuid.UUID] | None,
    limit: int,
) -> list[ProgressReport]:
    query = select(ProgressReport).where(ProgressReport.bureau_id == bureau_id, ProgressReport.track_id == track_id)
    if submitted_only:
        query = query.where(ProgressReport.status == "submitted")
    if status is not None:
        query = query.where(ProgressReport.status == status)
    if after is not None:
        query = query.where(tuple_(ProgressReport.period, ProgressReport.id) > tuple_(*after))
    query = query.order_by(ProgressReport.period, ProgressReport.id).limit(limit)
    return list((await session.scalars(query)).all())


async def find_for_period(
    session: AsyncSession, bureau_id: uuid.UUID, track_id: uuid.UUID, period: str
) -> ProgressReport | None:
    return await session.scalar(
        select(ProgressReport).where(
            ProgressReport.bureau_id == bureau_id,
            ProgressReport.track_id == track_id,
            ProgressReport.period == period,
        )
    )


async def period_range(
    session: AsyncSession, bureau_id: uuid.UUID, track_id: uuid.UUID
) -> tuple[str | None, str | None]:
    """The first and last period the track has a report for."""
    row = (
        await session.execute(
            select(func.min(ProgressReport.period), func.max(ProgressReport.period)).where(
                ProgressReport.bureau_id == bureau_id, ProgressReport.track_id == track_id
            )
        )
    ).one()
    return row[0], row[1]
