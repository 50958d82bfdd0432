"""SQL for organizations."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import or_, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.organizations.models import Organization, OrganizationKind, OrganizationLink


def _visible_to(viewer_id: uuid.UUID, partner_bureau_id: uuid.UUID | None):  # type: ignore[no-untyped-def]
    if partner_bureau_id is not None:
        # A partner key knows its own organization and the bureau that issued it, not the other bureaus its
        # organization works with.
        return Organization.id.in_((viewer_id, partner_bureau_id))
    linked = select(OrganizationLink.organization_id).where(OrganizationLink.viewer_id == viewer_id)
    return or_(Organization.id == viewer_id, Organization.id.in_(linked))


async def get_visible(
    session: AsyncSession,
    viewer_id: uuid.UUID,
    org_id: uuid.UUID,
    partner_bureau_id: uuid.UUID | None = None,
    *,
    for_update: bool = False,
) -> Organization | None:
    query = select(Organization).where(Organization.id == org_id, _visible_to(viewer_id, partner_bureau_id))
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def is_linked(session: AsyncSession, viewer_id: uuid.UUID, organization_id: uuid.UUID) -> bool:
    """Whether the viewer (a bureau) registered or looked up this organization."""
    found = await session.scalar(
        select(OrganizationLink.organization_id).where(
            OrganizationLink.viewer_id == viewer_id, OrganizationLink.organization_id == organization_id
        )
    )
    return found is not None


async def list_visible(
    session: AsyncSession,
    viewer_id: uuid.UUID,
    partner_bureau_id: uuid.UUID | None,
    *,
    kind: OrganizationKind | None,
    kvk: str | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Organization]:
    query = select(Organization).where(_visible_to(viewer_id, partner_bureau_id))
    if kind is not None:
        query = query.where(Organization.kind == kind)
    if kvk is not None:
        query = query.where(Organization.kvk == kvk)
    if after is not None:
        query = query.where(tuple_(Organization.created_at, Organization.id) > tuple_(*after))
    query = query.order_by(Organization.created_at, Organization.id).limit(limit)
    return list((await session.scalars(query)).all())


async def insert_unless_kvk_exists(
    session: AsyncSession, kind: OrganizationKind, name: str, kvk: str | None, registered_by_id: uuid.UUID
) -> Organization | None:
    """Insert; None when another organization already has this KvK number (also under a race)."""
    stmt = (
        insert(Organization)
        .values(id=uuid.uuid4(), kind=kind, name=name, kvk=kvk, registered_by_id=registered_by_id)
        .on_conflict_do_nothing(index_elements=["kvk"])
        .returning(Organization)
    )
    return (await session.scalars(stmt, execution_options={"populate_existing": True})).one_or_none()


async def get_by_kvk(session: AsyncSession, kvk: str) -> Organization | None:
    return await session.scalar(select(Organization).where(Organization.kvk == kvk))


async def get(session: AsyncSession, org_id: uuid.UUID) -> Organization | None:
    return await session.get(Organization, org_id)


async def link(session: AsyncSession, viewer_id: uuid.UUID, organization_id: uuid.UUID) -> None:
    if viewer_id == organization_id:
        return
    await session.execute(
        insert(OrganizationLink).values(viewer_id=viewer_id, organization_id=organization_id).on_conflict_do_nothing()
    )
