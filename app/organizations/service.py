"""Rules of organizations: who may register which, KvK deduplication, visibility."""

from __future__ import annotations

import uuid

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record_change
from app.auth.principal import Principal
from app.core.errors import Code, Conflict, Forbidden, NotFound, Unprocessable
from app.core.pagination import Page, created_key, paginate
from app.organizations import repository
from app.organizations.models import Organization, OrganizationKind
from app.organizations.schemas import OrganizationCreate, OrganizationRead, OrganizationUpdate


def to_read(org: Organization) -> OrganizationRead:
    return OrganizationRead.model_validate(org)


async def register(
    session: AsyncSession, principal: Principal, data: OrganizationCreate
) -> tuple[OrganizationRead, bool]:
    """Create the organization, or reuse the one with the same KvK number. Answers (organization, created)."""
    principal.require(OrganizationKind.reintegratiebureau, action="register organizations")
    kind = OrganizationKind(data.kind)
    org = await repository.insert_unless_kvk_exists(session, kind, data.name, data.kvk, principal.organization_id)
    created = org is not None
    if org is None:
        assert data.kvk is not None
        org = await repository.get_by_kvk(session, data.kvk)
        assert org is not None
        if org.kind is not kind:
            if not await repository.is_linked(session, principal.organization_id, org.id):
                # Neither its id nor its kind: the caller has no business with an organization it cannot see.
                raise Conflict(
                    f"KvK {data.kvk} belongs to an organization that cannot be registered as a {kind.value}.",
                    code=Code.organization_kind_mismatch,
                )
            raise Conflict(
                f"KvK {data.kvk} is registered as a {org.kind.value}, not a {kind.value}.",
                code=Code.organization_kind_mismatch,
                existing_id=str(org.id),
            )
    await repository.link(session, principal.organization_id, org.id)
    read = to_read(org)
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
    return to_read(await load_visible(session, principal, org_id))


async def load_visible(
    session: AsyncSession, principal: Principal, org_id: uuid.UUID, *, for_update: bool = False
) -> Organization:
    org = await repository.get_visible(
        session, principal.organization_id, org_id, principal.partner_bureau_id, for_update=for_update
    )
    if org is None:
        raise NotFound("No such organization.")
    return org


async def update(
    session: AsyncSession, principal: Principal, org_id: uuid.UUID, data: OrganizationUpdate
) -> OrganizationRead:
    """Name and contact details, by the organization itself or the bureau that registered it."""
    org = await load_visible(session, principal, org_id, for_update=True)
    if principal.organization_id not in (org.id, org.registered_by_id):
        raise Forbidden("Only the organization itself or the bureau that registered it may change its details.")
    changes = data.model_fields_set
    if "name" in changes and data.name is None:
        raise Unprocessable("name cannot be null.", field="name")
    before = to_read(org).model_dump(mode="json")
    for field in ("name", "contact_name", "contact_email", "contact_phone"):
        if field in changes:
            setattr(org, field, getattr(data, field))
    org.updated_at = func.clock_timestamp()
    await session.flush()
    await session.refresh(org)
    read = to_read(org)
    record_change(
        session,
        principal,
        action="updated",
        entity_type="organization",
        entity_id=org.id,
        organization_id=org.id,
        # Filed under the bureau that registered it; an organization the operator made (a bureau, or an employer
        # changing its own details) under itself.
        tenant=org.registered_by_id or principal.organization_id,
        before=before,
        after=read.model_dump(mode="json"),
    )
    return read


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
        session,
        principal.organization_id,
        principal.partner_bureau_id,
        kind=kind,
        kvk=kvk,
        after=created_key(cursor),
        limit=limit + 1,
    )
    return paginate(rows, limit, lambda o: (o.created_at.isoformat(), o.id), to_read)
