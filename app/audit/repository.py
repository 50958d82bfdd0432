"""SQL for the audit log, the access log and the change feed."""

from __future__ import annotations

import uuid

from sqlalchemy import BigInteger, ColumnElement, SQLColumnExpression, Text, and_, cast, func, or_, select, true, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AccessEntry, AuditEntry, Event
from app.auth.principal import Principal
from app.organizations.models import OrganizationKind


async def audit_for_case(
    session: AsyncSession, bureau_id: uuid.UUID, case_id: uuid.UUID, after: int | None, limit: int
) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.bureau_id == bureau_id, AuditEntry.case_id == case_id)
    if after is not None:
        query = query.where(AuditEntry.id > after)
    return list((await session.scalars(query.order_by(AuditEntry.id).limit(limit))).all())


async def access_for_case(
    session: AsyncSession, bureau_id: uuid.UUID, case_id: uuid.UUID, after: int | None, limit: int
) -> list[AccessEntry]:
    query = select(AccessEntry).where(AccessEntry.bureau_id == bureau_id, AccessEntry.case_id == case_id)
    if after is not None:
        query = query.where(AccessEntry.id > after)
    return list((await session.scalars(query.order_by(AccessEntry.id).limit(limit))).all())


def visible_events(
    organization_id: uuid.UUID | SQLColumnExpression[uuid.UUID], kind: OrganizationKind | SQLColumnExpression[str]
) -> ColumnElement[bool]:
    """The events an organization may see: the one rule of the feed and of the webhooks (design section 3).

    With a known kind (the feed) it is that kind's branch only, which its index serves; with columns (the
    webhook fan-out joins every endpoint to the transaction's events) every branch, each guarded by the kind.
    """
    me = organization_id

    def by_kind(of: OrganizationKind) -> ColumnElement[bool]:
        if of is OrganizationKind.reintegratiebureau:
            # Events of my cases. An event without a case also has a bureau as tenant (its actor), but reaches
            # only its organization_id: the tenant key says where the row lives, not who may read it.
            return and_(Event.bureau_id == me, Event.case_id.is_not(None))
        if of is OrganizationKind.werkgever:
            return and_(Event.employer_id == me, Event.visible_to_employer)
        return and_(Event.arbodienst_id == me, Event.visible_to_arbodienst)

    if isinstance(kind, OrganizationKind):
        by_case = by_kind(kind)
    else:
        by_case = or_(*(and_(kind == of.value, by_kind(of)) for of in OrganizationKind))
    return or_(by_case, Event.organization_id == me)


async def feed(session: AsyncSession, principal: Principal, after: tuple[int, int], limit: int) -> list[Event]:
    """Events after the cursor whose transactions can no longer be overtaken.

    Ids are taken before commit, so a later id may commit first. Every transaction older than the oldest one
    still running (the snapshot's xmin) has finished, so events below that horizon are final: the feed
    only shows those, in (txid, id) order, and a cursor never skips an event that commits later. A
    transaction also sees its own events (which is what lets tests run inside one transaction).
    """
    horizon = cast(cast(func.pg_snapshot_xmin(func.pg_current_snapshot()), Text), BigInteger)
    own = cast(cast(func.pg_current_xact_id_if_assigned(), Text), BigInteger)
    query = (
        select(Event)
        .where(
            visible_events(principal.organization_id, principal.kind),
            # A partner key: only what happened under the bureau that issued it.
            Event.bureau_id == principal.partner_bureau_id if principal.partner_bureau_id is not None else true(),
            tuple_(Event.txid, Event.id) > tuple_(*after),
            or_(Event.txid < horizon, Event.txid == own),
        )
        .order_by(Event.txid, Event.id)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())
