"""SQL for organizations."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Select, and_, func, or_, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.organizations.models import Organization, OrganizationKind, OrganizationLink


def _visible_to(viewer_id: uuid.UUID):  # type: ignore[no-untyped-def]
    linked = select(OrganizationLink.organization_id).where(OrganizationLink.viewer_id == viewer_id)
    return or_(Organization.id == viewer_id, Organization.id.in_(linked))


def _as_seen_by(viewer_id: uuid.UUID) -> Select[Organization, str]:
    """Organizations with the name the viewer knows them by: the one it registered, else their own."""
    link = and_(OrganizationLink.viewer_id == viewer_id, OrganizationLink.organization_id == Organization.id)
    name = func.coalesce(OrganizationLink.name, Organization.name).label("seen_name")
    return select(Organization, name).outerjoin(OrganizationLink, link).where(_visible_to(viewer_id))


async def get_visible(session: AsyncSession, viewer_id: uuid.UUID, org_id: uuid.UUID) -> Organization | None:
    return await session.scalar(select(Organization).where(Organization.id == org_id, _visible_to(viewer_id)))


async def get_seen(session: AsyncSession, viewer_id: uuid.UUID, org_id: uuid.UUID) -> tuple[Organization, str] | None:
    row = (await session.execute(_as_seen_by(viewer_id).where(Organization.id == org_id))).one_or_none()
    return (row[0], row[1]) if row is not None else None


async def name_for(session: AsyncSession, viewer_id: uuid.UUID, org_id: uuid.UUID) -> str | None:
    """The name `viewer_id` knows the organization by (for a bureau's report: the name it registered)."""
    seen = await get_seen(session, viewer_id, org_id)
    if seen is not None:
        return seen[1]
    org = await session.get(Organization, org_id)
    return org.name if org else None


async def list_visible(
    session: AsyncSession,
    viewer_id: uuid.UUID,
    *,
    kind: OrganizationKind | None,
    kvk: str | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[tuple[Organization, str]]:
    query = _as_seen_by(viewer_id)
    if kind is not None:
        query = query.where(Organization.kind == kind)
    if kvk is not None:
        query = query.where(Organization.kvk == kvk)
    if after is not None:
        query = query.where(tuple_(Organization.created_at, Organization.id) > tuple_(*after))
    query = query.order_by(Organization.created_at, Organization.id).limit(limit)
    return [(row[0], row[1]) for row in await session.execute(query)]


async def insert_unless_kvk_exists(
    session: AsyncSession, kind: OrganizationKind, name: str, kvk: str | None
) -> Organization | None:
    """Insert; None when another organization already has this KvK number (also under a race)."""
    stmt = (
        insert(Organization)
        .values(id=uuid.uuid4(), kind=kind, name=name, kvk=kvk)
        .on_conflict_do_nothing(index_elements=["kvk"])
        .returning(Organization)
    )
    return (await session.scalars(stmt, execution_options={"populate_existing": True})).one_or_none()


async def get_by_kvk(session: AsyncSession, kvk: str) -> Organization | None:
    return await session.scalar(select(Organization).where(Organization.kvk == kvk))


async def get(session: AsyncSession, org_id: uuid.UUID) -> Organization | None:
    return await session.get(Organization, org_id)


async def link(
    session: AsyncSession, viewer_id: uuid.UUID, organization_id: uuid.UUID, name: str | None = None
) -> None:
    """Let `viewer_id` refer to the organization; with `name`, under that name (its own registration)."""
    if viewer_id == organization_id:
        return
    stmt = insert(OrganizationLink).values(viewer_id=viewer_id, organization_id=organization_id, name=name)
    if name is None:
        await session.execute(stmt.on_conflict_do_nothing())
    else:
        await session.execute(
            stmt.on_conflict_do_update(index_elements=["viewer_id", "organization_id"], set_={"name": name})
        )
