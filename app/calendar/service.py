"""Calendar feeds: a secret URL per feed, serving the outstanding obligations of the creating key's cases as
iCalendar (RFC 5545), one all-day event per obligation occurrence."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from icalendar import Calendar
from icalendar import Event as CalendarEvent
from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import CaseParties, record_access
from app.auth.models import ApiKey
from app.auth.principal import Principal
from app.calendar.models import CalendarFeed
from app.calendar.schemas import CalendarFeedCreate, CalendarFeedCreated, CalendarFeedRead
from app.cases.models import Case
from app.compliance.service import portfolio
from app.core.db import session_raw_connection
from app.core.errors import NotFound
from app.core.pagination import Page, created_key, paginate
from app.deadlines.scheduler import obligation_id
from app.organizations.models import Organization, OrganizationKind

MAX_EVENTS = 5000  # a calendar client would choke on more; narrow the feed by party or employer
PAGE = 200


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create(session: AsyncSession, principal: Principal, body: CalendarFeedCreate) -> CalendarFeedCreated:
    # The key prefix: the logs' redaction (app/core/logging.py) hides it like an API key wherever it shows up.
    token = "spw_cal_" + secrets.token_urlsafe(32)
    feed = CalendarFeed(
        organization_id=principal.organization_id,
        key_id=principal.key_id,
        token_hash=_hash(token),
        party=body.party,
        employer_id=body.employer_id,
        include_employee_name=body.include_employee_name,
    )
    session.add(feed)
    await session.flush()
    await session.refresh(feed)
    read = CalendarFeedRead.model_validate(feed)
    return CalendarFeedCreated.model_validate({**read.model_dump(), "url": f"/v1/calendar-feeds/{token}.ics"})


async def list_page(
    session: AsyncSession, principal: Principal, cursor: str | None, limit: int
) -> Page[CalendarFeedRead]:
    f = CalendarFeed
    query = select(f).where(f.organization_id == principal.organization_id)
    after = created_key(cursor)
    if after is not None:
        query = query.where(tuple_(f.created_at, f.id) > tuple_(*after))
    rows = list(await session.scalars(query.order_by(f.created_at, f.id).limit(limit + 1)))
    return paginate(rows, limit, lambda r: (r.created_at.isoformat(), r.id), CalendarFeedRead.model_validate)


async def revoke(session: AsyncSession, principal: Principal, feed_id: uuid.UUID, now: datetime) -> None:
    feed = await session.scalar(
        select(CalendarFeed).where(
            CalendarFeed.id == feed_id,
            CalendarFeed.organization_id == principal.organization_id,
            CalendarFeed.revoked_at.is_(None),
        )
    )
    if feed is None:
        raise NotFound("No such calendar feed.")
    feed.revoked_at = now
    await session.flush()


async def _feed_principal(session: AsyncSession, token: str) -> tuple[CalendarFeed, Principal]:
    row = (
        await session.execute(
            select(CalendarFeed, Organization.kind)
            .join(ApiKey, ApiKey.id == CalendarFeed.key_id)
            .join(Organization, Organization.id == CalendarFeed.organization_id)
            .where(
                CalendarFeed.token_hash == _hash(token), CalendarFeed.revoked_at.is_(None), ApiKey.revoked_at.is_(None)
            )
        )
    ).first()
    if row is None:  # unknown, revoked, or its key was revoked: as if it never existed
        raise NotFound("No such calendar feed.")
    feed, kind = row
    return feed, Principal(feed.organization_id, OrganizationKind(kind), feed.key_id)


# The due date each occurrence was last served with; a new one bumps its SEQUENCE, so calendar clients move the
# event (same UID) instead of keeping a stale copy (RFC 5545 3.8.7.4).
_REMEMBER = """
INSERT INTO calendar_occurrences (uid, bureau_id, case_id, due_on)
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::date[])
ON CONFLICT (uid, bureau_id) DO UPDATE SET due_on = EXCLUDED.due_on, sequence = calendar_occurrences.sequence + 1
WHERE calendar_occurrences.due_on <> EXCLUDED.due_on
"""
_SEQUENCES = (
    "SELECT uid, sequence FROM calendar_occurrences WHERE bureau_id = ANY($1::uuid[]) AND uid = ANY($2::uuid[])"
)


async def render(session: AsyncSession, token: str, *, today: date, now: datetime, settings: Any, path: str) -> bytes:
    feed, principal = await _feed_principal(session, token)
    rows: list[Any] = []
    cursor = None
    while len(rows) < MAX_EVENTS:
        page = await portfolio(
            session,
            principal,
            as_of=today,
            report_grace_days=settings.report_grace_days,
            parties=[feed.party] if feed.party else None,
            statuses=None,  # outstanding: open and overdue
            due_before=None,
            employer_id=feed.employer_id,
            cursor=cursor,
            limit=PAGE,
            direct_limit=settings.portfolio_direct_limit,
            today=today,
        )
        rows += page.items
        cursor = page.next_cursor
        if cursor is None:
            break
    rows = rows[:MAX_EVENTS]
    case_ids = sorted({r.case_id for r in rows})
    cases = {
        c.id: c
        for c in await session.execute(
            select(Case.id, Case.bureau_id, Case.employer_id, Case.arbodienst_id, Case.employee_name).where(
                Case.id.in_(case_ids)
            )
        )
    }
    uids = [obligation_id(r.case_id, r.code, r.period, r.track_id) for r in rows]
    connection = await session_raw_connection(session)
    if rows:
        await connection.execute(
            _REMEMBER,
            uids,
            [cases[r.case_id].bureau_id for r in rows],
            [r.case_id for r in rows],
            [r.due_on for r in rows],
        )
    sequences = {
        rec["uid"]: rec["sequence"]
        for rec in await connection.fetch(_SEQUENCES, sorted({c.bureau_id for c in cases.values()}), uids)
    }
    if feed.include_employee_name:
        for c in cases.values():
            parties = CaseParties(c.id, c.bureau_id, c.employer_id, c.arbodienst_id)
            record_access(session, principal, parties, what="calendar_feed", path=path)

    calendar = Calendar()
    calendar.add("prodid", "-//Spoorwijzer//Poortwachter verplichtingen//NL")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Spoorwijzer: verplichtingen")
    calendar.add("x-published-ttl", "PT1H")
    for row, uid in zip(rows, uids, strict=True):
        title = f"{row.title} – {row.external_ref or row.case_id}"
        if feed.include_employee_name:
            title += f" ({cases[row.case_id].employee_name})"
        event = CalendarEvent()
        event.add("uid", f"{uid}@spoorwijzer")
        event.add("dtstamp", now)
        event.add("dtstart", row.due_on)  # a date: an all-day event
        event.add("dtend", row.due_on + timedelta(days=1))
        event.add("summary", title)
        event.add("sequence", sequences.get(uid, 0))
        event.add("transp", "TRANSPARENT")
        event.add("categories", [row.status])
        lines = [
            f"Status: {row.status}",
            f"Partijen: {', '.join(row.parties)}",
            f"Grondslag: {row.legal_basis}",
            f"Dossier: /v1/cases/{row.case_id}",
        ]
        if row.period:
            lines.append(f"Periode: {row.period}")
        event.add("description", "\n".join(lines))
        calendar.add_component(event)
    return bytes(calendar.to_ical())
