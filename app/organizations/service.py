"""Rules of organizations: who may register which, KvK deduplication, visibility."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record_change
from app.auth.principal import Principal
from app.core.errors import Conflict, NotFound
from app.core.pagination import Page, created_key, paginate
from app.organizations import repository
from app.organizations.models import Organization, OrganizationKind
from app.organizations.schemas import OrganizationCreate, OrganizationRead


def to_read(org: Organization, name: str | None = None) -> OrganizationRead:
    """The organization; `name`: the one the reader registered it under, where that differs from its own."""
    read = OrganizationRead.model_validate(org)
    return read.model_copy(update={"name": name}) if name is not None else read


async def register(
    session: AsyncSession, principal: Principal, data: OrganizationCreate
) -> tuple[OrganizationRead, bool]:
    """Create the organization, or reuse the one with the same KvK number. Answers (organization, created)."""
    principal.require(OrganizationKind.reintegratiebureau, action="register organizations")
    kind = OrganizationKind(data.kind)
    org = await repository.insert_unless_kvk_exists(session, kind, data.name, data.kvk)
    created = org is not None
    if org is None:
        assert data.kvk is not None
        org = await repository.get_by_kvk(session, data.kvk)
        assert org is not None
        if org.kind is not kind:
            if await repository.get_visible(session, principal.organization_id, org.id) is None:
                # Neither its id nor its kind: the caller has no business with an organization it cannot see.
                raise Conflict(
                    f"KvK {data.kvk} belongs to an organization that cannot be registered as a {kind.value}."
                )
            raise Conflict(
                f"KvK {data.kvk} is registered as a {org.kind.value}, not a {kind.value}.",
                existing_id=str(org.id),
            )
    # Each bureau keeps the name it registered the organization under; the first one does not decide for all.
    await repository.link(session, principal.organization_id, org.id, data.name)
    read = to_read(org, data.name)
    if created:
        record_change(
            session,
            principal,
            action="created",
            entity_type="organization",
            entity_id=org.id,
            organization_id=principal.organization_id,
            after=read.model_dump(mode="json"),
        )
    return read, created


async def get(session: AsyncSession, principal: Principal, org_id: uuid.UUID) -> OrganizationRead:
    seen = await repository.get_seen(session, principal.organization_id, org_id)
    if seen is None:
        raise NotFound("No such organization.")
    return to_read(*seen)


async def list_page(
    session: AsyncSession,
    principal: Principal,
    *,
    kind: OrganizationKind | None,
    kvk: str | None,
    cursor: str | None,
    limit: int,
) -> Page[OrganizationRead]:
    rows = await repository.list_visible(
        session, principal.organization_id, kind=kind, kvk=kvk, after=created_key(cursor), limit=limit + 1
    )
    return paginate(rows, limit, lambda r: (r[0].created_at.isoformat(), r[0].id), lambda r: to_read(*r))
