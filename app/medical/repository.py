"""SQL for the medical status: the versions of one case, scoped by the tenant key."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.medical.models import MedicalStatusVersion


async def current(session: AsyncSession, bureau_id: uuid.UUID, case_id: uuid.UUID) -> MedicalStatusVersion | None:
    return await session.scalar(
        select(MedicalStatusVersion)
        .where(MedicalStatusVersion.bureau_id == bureau_id, MedicalStatusVersion.case_id == case_id)
        .order_by(MedicalStatusVersion.version.desc())
        .limit(1)
    )


async def history(
    session: AsyncSession, bureau_id: uuid.UUID, case_id: uuid.UUID, *, after: int | None, limit: int
) -> list[MedicalStatusVersion]:
    query = select(MedicalStatusVersion).where(
        MedicalStatusVersion.bureau_id == bureau_id, MedicalStatusVersion.case_id == case_id
    )
    if after is not None:
        query = query.where(MedicalStatusVersion.version > after)
    query = query.order_by(MedicalStatusVersion.version).limit(limit)
    return list((await session.scalars(query)).all())
