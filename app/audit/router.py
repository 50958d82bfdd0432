"""HTTP routes of the change feed, the audit log and the access log."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request

from app.audit import repository
from app.audit.schemas import AccessEntryRead, AuditEntryRead, EventPage, EventRead
from app.audit.service import record_access
from app.auth.principal import PrincipalDep
from app.cases.service import load_visible, parties
from app.core.db import SessionDep
from app.core.errors import InvalidCursor
from app.core.openapi import problems
from app.core.pagination import CursorQuery, LimitQuery, Page, decode_cursor, encode_cursor, paginate
from app.organizations.models import OrganizationKind

router = APIRouter(prefix="/v1", tags=["audit"])


def _int_cursor(cursor: str | None) -> int | None:
    key = decode_cursor(cursor, 1)
    if key is None:
        return None
    if not key[0].isdigit():
        raise InvalidCursor()
    return int(key[0])


@router.get("/events", operation_id="events_list", response_model=EventPage, responses=problems())
async def list_events(
    session: SessionDep,
    principal: PrincipalDep,
    after: Annotated[
        str | None,
        Query(max_length=200, description="`next_cursor` of the previous call; omit to start at the beginning"),
    ] = None,
    limit: LimitQuery = 50,
) -> EventPage:
    """The change feed of everything the caller may see, in order; poll with the returned `next_cursor`."""
    key = decode_cursor(after, 2, "after")
    try:
        position = (int(key[0]), int(key[1])) if key else (0, 0)
    except ValueError:
        raise InvalidCursor(field="after") from None
    rows = await repository.feed(session, principal, position, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    if rows:
        position = (rows[-1].txid, rows[-1].id)
    return EventPage(
        items=[EventRead.model_validate(r) for r in rows], next_cursor=encode_cursor(*position), has_more=more
    )


@router.get(
    "/cases/{case_id}/audit-log",
    operation_id="cases_audit_log",
    response_model=Page[AuditEntryRead],
    responses=problems(403, 404),
)
async def case_audit_log(
    case_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[AuditEntryRead]:
    """Who changed what on this case, when (the case's bureau only)."""
    case = await load_visible(session, principal, case_id)
    principal.require(OrganizationKind.reintegratiebureau, action="read the audit log")
    # Audit rows carry the case's before/after shapes, masked BSN included: a read of personal data.
    record_access(session, principal, parties(case), what="audit_log", path=request.url.path)
    rows = await repository.audit_for_case(session, case.bureau_id, case.id, _int_cursor(cursor), limit + 1)
    return paginate(rows, limit, lambda r: (r.id,), AuditEntryRead.model_validate)


@router.get(
    "/cases/{case_id}/access-log",
    operation_id="cases_access_log",
    response_model=Page[AccessEntryRead],
    responses=problems(403, 404),
)
async def case_access_log(
    case_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[AccessEntryRead]:
    """Who read this case's personal data (the case, its masked BSN, reports, milestones with notes, the medical
    status, the audit log), when, with which key and acting user (the case's bureau only)."""
    case = await load_visible(session, principal, case_id)
    principal.require(OrganizationKind.reintegratiebureau, action="read the access log")
    rows = await repository.access_for_case(session, case.bureau_id, case.id, _int_cursor(cursor), limit + 1)
    return paginate(rows, limit, lambda r: (r.id,), AccessEntryRead.model_validate)
