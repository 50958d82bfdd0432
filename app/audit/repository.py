"""SQL for the audit log, the access log and the change feed."""

from __future__ import annotations

import uuid

from sqlalchemy import BigInteger, Text, and_, cast, func, or_, select, tuple_
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


def _visible_events(principal: Principal):  # type: ignore[no-untyped-def]
    me = principal.organization_id
    if principal.kind is OrganizationKind.reintegratiebureau:
        # Events of my cases. An event without a case also has a bureau as tenant (its actor), but reaches only
        # its organization_id: the tenant key says where the row lives, not who may read it.
        by_case = and_(Event.bureau_id == me, Event.case_id.is_not(None))
    elif principal.kind is OrganizationKind.werkgever:
        by_case = and_(Event.employer_id == me, Event.visible_to_employer)
    else:
        by_case = and_(Event.arbodienst_id == me, Event.visible_to_arbodienst)
    visible = or_(by_case, Event.organization_id == me)
    if principal.partner_bureau_id is not None:
        # A partner key: only what happened under the bureau that issued it.
        return and_(visible, Event.bureau_id == principal.partner_bureau_id)
    return visible


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
            _visible_events(principal),
            tuple_(Event.txid, Event.id) > tuple_(*after),
            or_(Event.txid < horizon, Event.txid == own),
        )
        .order_by(Event.txid, Event.id)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())
