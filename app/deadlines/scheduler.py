"""The deadline scheduler: a background job that turns the passing of days into events.

Each pass (any process; an advisory lock lets one run at a time) reads the stored compliance snapshots
(app/compliance: one indexed, set-based query, no rules evaluated in Python) for obligations that, on the clock's
today, are outstanding and either within `due_soon_days` of their last allowed day (`obligation.due_soon`) or past
it (`obligation.overdue`). Each (case, obligation occurrence, transition) is inserted into deadline_transitions
under a unique key first: only a transition inserted now becomes an event, so each happens exactly once, however
many workers and passes, and a pass after downtime catches up on everything that fell due meanwhile (an obligation
that became overdue while nobody looked gets `obligation.overdue` only). Codes are data: whatever obligation codes
the rules store, flow through unchanged.

An occurrence is the obligation's code, period, track and due date: a due date the facts move is a new occurrence
(its transitions happen again, for the new date). The events reach the parties the obligation names (werkgever:
the employer, bedrijfsarts: the arbodienst) and always the case's bureau, in the feed and by webhook.

Phase changes (`case.phase_changed`, to all of the case's parties) come from the same snapshots: the phase of domain
section 3.6 that the snapshot's stored dates (recovery, closing, E, L, T, the last period's start) give on today,
with the engine's precedence, once per phase and start date. A pass after downtime sees only the phase of today
(a case that crossed E and then L meanwhile gets `na_wachttijd` only); a case's first wachttijd is no change.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, case, cast, exists, func, insert, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import Event
from app.background import Job, JobContext, try_exclusive
from app.cases.models import Case
from app.compliance.models import ComplianceItem, ComplianceSnapshot
from app.compliance.repository import item_status, item_valid, valid_snapshot
from app.compliance.snapshots import refresh_stale
from app.deadlines.models import DeadlineTransition
from app.webhooks.delivery import fan_out

DUE_SOON, OVERDUE = "obligation.due_soon", "obligation.overdue"
PHASE_CHANGED = "case.phase_changed"
BATCH = 1000
# Obligation ids: the same for every occurrence of one obligation of one case (also the calendar feed's UID).
_NAMESPACE = uuid.UUID("8a0c2f0e-4b1f-4c53-9a55-3f1d6e2b7c10")


def obligation_id(case_id: uuid.UUID | str, code: str, period: str | None, track_id: str | None) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{case_id}:{code}:{period or ''}:{track_id or ''}")


def _occurrence() -> Any:
    item = ComplianceItem
    return func.concat_ws(
        "|", func.coalesce(item.period, ""), func.coalesce(item.track_id, ""), cast(item.due_on, String)
    )


async def due_transitions(
    session: AsyncSession, today: date, due_soon_days: int, report_grace_days: int, limit: int
) -> list[Any]:
    """Transitions that are due on `today` and have not happened yet, from the stored snapshots."""
    item, snap = ComplianceItem, ComplianceSnapshot
    status = item_status(today)
    kind = case((status == "overdue", literal(OVERDUE)), else_=literal(DUE_SOON))
    occurrence = _occurrence()
    t = DeadlineTransition
    happened = exists().where(
        t.bureau_id == item.bureau_id,
        t.case_id == item.case_id,
        t.kind == kind,
        t.code == item.code,
        t.occurrence == occurrence,
    )
    query = (
        select(
            item.case_id,
            item.bureau_id,
            item.code,
            item.parties,
            item.period,
            item.track_id,
            occurrence.label("occurrence"),
            kind.label("kind"),
            Case.employer_id,
            Case.arbodienst_id,
        )
        .join(snap, and_(snap.case_id == item.case_id, snap.bureau_id == item.bureau_id))
        .join(Case, and_(Case.id == item.case_id, Case.bureau_id == item.bureau_id))
        .where(
            valid_snapshot(today, report_grace_days),
            item_valid(today),
            status.in_(("open", "upcoming", "overdue")),
            (item.listed_from.is_(None)) | (item.listed_from <= today),
            item.overdue_after <= today + timedelta(days=due_soon_days),
            ~happened,
        )
        .order_by(item.overdue_after, item.case_id, item.code)
        .limit(limit)
    )
    return list(await session.execute(query))


def _case_phase(today: date) -> tuple[Any, Any]:
    """The case's phase on `today` (domain section 3.6, the compliance answer's `phase`: the engine's case_state,
    first rule that applies, from the snapshot's stored dates), and the day it began: the boundary crossed, or the
    last absence period's first day when the case fell sick again after it (a new period follows a recovery)."""
    snap = ComplianceSnapshot
    lapsed = (snap.closed_on <= today) | (snap.lapses_on <= today)
    resumed = snap.period_started_on
    phase = case(
        (lapsed, literal("afgesloten")),
        (snap.recovered_on <= today, literal("hersteld")),
        (snap.employment_end < today, literal("uit_dienst")),
        (today <= snap.wachttijd_end, literal("wachttijd")),
        # A null L: a missing aanvraag keeps moving the pay's end past today (app/poortwachter/snapshot.py).
        (snap.pay_ends_on.is_(None) | (today <= snap.pay_ends_on), literal("verlengd_tijdvak")),
        else_=literal("na_wachttijd"),
    )
    day = 1  # date + integer is a date in PostgreSQL (+ interval would be a timestamp)
    since = case(
        # LEAST skips NULLs: the earlier of closing and lapsing that has happened.
        (lapsed, func.least(snap.closed_on, snap.lapses_on)),
        (snap.recovered_on <= today, snap.recovered_on),
        (snap.employment_end < today, func.greatest(snap.employment_end + day, resumed)),
        (today <= snap.wachttijd_end, resumed),
        (snap.pay_ends_on.is_(None) | (today <= snap.pay_ends_on), func.greatest(snap.wachttijd_end + day, resumed)),
        else_=func.greatest(snap.pay_ends_on + day, resumed),
    )
    return phase, since


async def phase_changes(session: AsyncSession, today: date, report_grace_days: int, limit: int) -> list[Any]:
    """Cases whose phase on `today` began on a day no event has been made for yet."""
    snap = ComplianceSnapshot
    phase, since = _case_phase(today)
    occurrence = cast(since, String)
    t = DeadlineTransition
    happened = exists().where(
        t.bureau_id == snap.bureau_id,
        t.case_id == snap.case_id,
        t.kind == PHASE_CHANGED,
        t.code == phase,
        t.occurrence == occurrence,
    )
    query = (
        select(
            snap.case_id,
            snap.bureau_id,
            phase.label("code"),
            occurrence.label("occurrence"),
            Case.employer_id,
            Case.arbodienst_id,
        )
        .join(Case, and_(Case.id == snap.case_id, Case.bureau_id == snap.bureau_id))
        .where(
            valid_snapshot(today, report_grace_days),
            # The snapshot's own dates are those of its latest facts: they describe the case from then on.
            snap.facts_through <= today,
            # A case begins in its wachttijd: that is no change (a new period after a recovery is).
            (phase != "wachttijd") | (since > Case.first_sick_day),
            ~happened,
        )
        .order_by(snap.case_id)
        .limit(limit)
    )
    return list(await session.execute(query))


async def run_pass(session: AsyncSession, now: datetime, today: date, settings: Any, limit: int = BATCH) -> int:
    """One pass in the caller's transaction; answers how many transitions it produced."""
    # A snapshot is exact up to its valid_until: one that a new day (or a rules change) left behind is renewed.
    await refresh_stale(session, today, settings.report_grace_days)
    rows = await due_transitions(session, today, settings.due_soon_days, settings.report_grace_days, limit)
    phases = await phase_changes(session, today, settings.report_grace_days, limit)
    if not rows and not phases:
        return 0
    transitions = [
        {"bureau_id": r.bureau_id, "case_id": r.case_id, "kind": r.kind, "code": r.code, "occurrence": r.occurrence}
        for r in rows
    ] + [
        {
            "bureau_id": p.bureau_id,
            "case_id": p.case_id,
            "kind": PHASE_CHANGED,
            "code": p.code,
            "occurrence": p.occurrence,
        }
        for p in phases
    ]
    made = (
        await session.execute(
            pg_insert(DeadlineTransition)
            .values([{**transition, "on_date": today} for transition in transitions])
            .on_conflict_do_nothing()
            .returning(
                DeadlineTransition.case_id,
                DeadlineTransition.kind,
                DeadlineTransition.code,
                DeadlineTransition.occurrence,
            )
        )
    ).all()
    new = {(m.case_id, m.kind, m.code, m.occurrence) for m in made}
    events = [
        {
            "uid": uuid.uuid4(),
            "type": r.kind,
            "entity_type": "obligation",
            "entity_id": obligation_id(r.case_id, r.code, r.period, r.track_id),
            "case_id": r.case_id,
            "organization_id": None,
            "bureau_id": r.bureau_id,
            "employer_id": r.employer_id,
            "arbodienst_id": r.arbodienst_id,
            "visible_to_employer": "werkgever" in r.parties,
            "visible_to_arbodienst": "bedrijfsarts" in r.parties,
            "occurred_at": now,
        }
        for r in rows
        if (r.case_id, r.kind, r.code, r.occurrence) in new
    ] + [
        {
            "uid": uuid.uuid4(),
            "type": PHASE_CHANGED,
            "entity_type": "case",
            "entity_id": p.case_id,
            "case_id": p.case_id,
            "organization_id": None,
            "bureau_id": p.bureau_id,
            "employer_id": p.employer_id,
            "arbodienst_id": p.arbodienst_id,
            "visible_to_employer": True,
            "visible_to_arbodienst": True,
            "occurred_at": now,
        }
        for p in phases
        if (p.case_id, PHASE_CHANGED, p.code, p.occurrence) in new
    ]
    if events:
        await session.execute(insert(Event), events)
        await fan_out(session, now, sorted({e["bureau_id"] for e in events}), [e["uid"] for e in events])
    return max(len(rows), len(phases))


async def run(ctx: JobContext) -> bool:
    async with ctx.sessionmaker() as session, session.begin():
        if not await try_exclusive(session, "deadline-scheduler"):
            return False  # another process is on it
        produced = await run_pass(session, ctx.clock.now(), ctx.clock.today(), ctx.settings)
    return produced == BATCH


def job(interval: float = 60.0) -> Job:
    """Every minute (and at once when a MovableClock moves): a new day's transitions are found promptly."""
    return Job("deadlines", run, interval=interval)
