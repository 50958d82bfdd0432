"""SQL for cases; every query carries the caller's visibility."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.cases.models import Case
from app.organizations.models import OrganizationKind


def visible_to(principal: Principal) -> ColumnElement[bool]:
    """The cases a caller sees (design section 2): its own as bureau, employer or arbodienst."""
    if principal.kind is OrganizationKind.reintegratiebureau:
        return Case.bureau_id == principal.organization_id
    if principal.kind is OrganizationKind.werkgever:
        return Case.employer_id == principal.organization_id
    return Case.arbodienst_id == principal.organization_id


async def get_visible(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, *, for_update: bool = False
) -> Case | None:
    query = select(Case).where(Case.id == case_id, visible_to(principal))
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def find_by_external_ref(session: AsyncSession, bureau_id: uuid.UUID, external_ref: str) -> Case | None:
    return await session.scalar(select(Case).where(Case.bureau_id == bureau_id, Case.external_ref == external_ref))


async def list_visible(
    session: AsyncSession,
    principal: Principal,
    *,
    filters: dict[str, Any],
    updated_since: datetime | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Case]:
    query = select(Case).where(visible_to(principal))
    for column, value in filters.items():
        if value is not None:
            query = query.where(getattr(Case, column) == value)
    if updated_since is not None:
        query = query.where(Case.updated_at >= updated_since)
    if after is not None:
        query = query.where(tuple_(Case.created_at, Case.id) > tuple_(*after))
    query = query.order_by(Case.created_at, Case.id).limit(limit)
    return list((await session.scalars(query)).all())
