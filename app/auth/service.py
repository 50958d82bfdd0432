"""Partner keys: a bureau issues and revokes keys for itself and the organizations it registered."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record_change
from app.auth.keys import hash_secret, new_secret
from app.auth.models import ApiKey
from app.auth.principal import Principal
from app.auth.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead
from app.cases.service import today
from app.core.errors import NotFound, Unprocessable
from app.core.pagination import Page, created_key, paginate
from app.organizations import repository as organizations
from app.organizations import service as organization_service
from app.organizations.models import OrganizationKind

_BUREAU = OrganizationKind.reintegratiebureau


def to_read(key: ApiKey) -> ApiKeyRead:
    return ApiKeyRead.model_validate(key)


async def _issuable_for(session: AsyncSession, principal: Principal, org_id: uuid.UUID) -> None:
    """404 for an organization the caller does not see, 403 unless the caller is a bureau that registered it (or
    the bureau itself)."""
    org = await organization_service.load_visible(session, principal, org_id)
    principal.require(_BUREAU, action="issue or list API keys")
    if org.id != principal.organization_id and not await organizations.is_linked(
        session, principal.organization_id, org.id
    ):
        raise NotFound("No such organization.")


async def issue(session: AsyncSession, principal: Principal, org_id: uuid.UUID, data: ApiKeyCreate) -> ApiKeyCreated:
    await _issuable_for(session, principal, org_id)
    if data.expires_on is not None and data.expires_on < today():
        raise Unprocessable("expires_on is in the past.", field="expires_on")
    secret = new_secret()
    key = ApiKey(
        id=uuid.uuid4(),
        organization_id=org_id,
        name=data.name,
        prefix=secret[:8],
        key_hash=hash_secret(secret),
        scope=data.scope,
        issued_by_id=principal.organization_id,
        expires_on=data.expires_on,
    )
    session.add(key)
    await session.flush()
    await session.refresh(key)
    read = to_read(key)
    record_change(
        session,
        principal,
        action="created",
        entity_type="api_key",
        entity_id=key.id,
        organization_id=principal.organization_id,
        after=read.model_dump(mode="json"),
    )
    return ApiKeyCreated(**read.model_dump(), key=secret)


async def list_page(
    session: AsyncSession, principal: Principal, org_id: uuid.UUID, *, cursor: str | None, limit: int
) -> Page[ApiKeyRead]:
    """The keys the caller issued for the organization; for the bureau itself, all of its keys."""
    await _issuable_for(session, principal, org_id)
    query = select(ApiKey).where(ApiKey.organization_id == org_id)
    if org_id != principal.organization_id:
        query = query.where(ApiKey.issued_by_id == principal.organization_id)
    after = created_key(cursor)
    if after is not None:
        query = query.where(tuple_(ApiKey.created_at, ApiKey.id) > tuple_(*after))
    rows = list((await session.scalars(query.order_by(ApiKey.created_at, ApiKey.id).limit(limit + 1))).all())
    return paginate(rows, limit, lambda k: (k.created_at.isoformat(), k.id), to_read)


async def revoke(session: AsyncSession, principal: Principal, key_id: uuid.UUID) -> None:
    """Revoke a key the caller issued, or one of its own; 404 for any other. Revoking twice changes nothing."""
    principal.require(_BUREAU, action="revoke API keys")
    key = await session.scalar(select(ApiKey).where(ApiKey.id == key_id).with_for_update())
    if key is None or principal.organization_id not in (key.issued_by_id, key.organization_id):
        raise NotFound("No such API key.")
    if key.revoked_at is not None:
        return
    before = to_read(key).model_dump(mode="json")
    key.revoked_at = func.clock_timestamp()
    await session.flush()
    await session.refresh(key)
    record_change(
        session,
        principal,
        action="revoked",
        entity_type="api_key",
        entity_id=key.id,
        organization_id=principal.organization_id,
        before=before,
        after=to_read(key).model_dump(mode="json"),
    )
