"""Snapshots: a case's obligations computed once, from which the status on any later date follows.

Once every fact of a case is dated on or before a day X, its obligations no longer change with the reference
date except in their status, and the status follows from a handful of stored dates (the due date, the window,
the day after which it is overdue, recovery and closing). So the obligations computed for a date H give the
exact answer of :func:`evaluate` for every ``as_of`` with ``facts_through <= as_of <= H``; the portfolio stores
them and derives the status in SQL (``app/compliance``), and :func:`status_on` is that derivation in Python.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from operator import attrgetter

from app.poortwachter.engine import TraceItem, trace
from app.poortwachter.facts import CaseFacts, Obligation
from app.poortwachter.obligations import (
    OBLIGATION_LEGAL_BASIS,
    OBLIGATION_PARTIES,
    OBLIGATION_TITLES,
    SAMENTELLING_SUSPENSION_DAYS,
)

_ORDER = attrgetter("due_on", "code")

#: Bump when a rule changes: stored snapshots of another version are not used (and can be refreshed).
RULES_VERSION = 3  # the Poortwachter rules v2 of the domain document


@dataclass(frozen=True, slots=True)
class Snapshot:
    facts_through: date  # the latest date of any fact: valid for as_of on or after it
    valid_until: date  # the date it was computed for: valid for as_of up to it
    recovered_on: date | None  # R, the first fit day, when the last absence period has ended
    closed_on: date | None
    pay_ends_on: date | None  # L when the facts fix it; T (or null) while a missing aanvraag moves L on
    items: tuple[TraceItem, ...]


def facts_through(facts: CaseFacts) -> date:
    """The latest date on which a fact of the case happened (recovery and closing are handled by status_on).

    The last period's first day counts as a fact too: the days between two periods are recovery days (v2), so
    a snapshot applies only from the start of the last period on.
    """
    days = [facts.absence_periods[-1].first_day]
    days += [m.occurred_on for m in facts.milestones]
    for track in facts.tracks:
        days.append(track.started_on)
        if track.ended_on is not None:
            days.append(track.ended_on)
    days += [r.submitted_on for r in facts.reports]
    return max(days)


def take_snapshot(facts: CaseFacts, valid_until: date, *, report_grace_days: int = 14) -> Snapshot:
    """The obligations as they stand on `valid_until` (at least the latest fact's date)."""
    through = facts_through(facts)
    valid_until = max(valid_until, through)
    _, items, state = trace(facts, valid_until, report_grace_days=report_grace_days)
    last = facts.absence_periods[-1]
    ends = state.ends
    aanvraag_missing = not any(m.type == "wia_aanvraag" and m.occurred_on <= valid_until for m in facts.milestones)
    # With no aanvraag and WIA 64(6) not excusing it, L runs ahead of every as_of once A has passed (and lies
    # after every as_of before it): only the end of the employment can then end the pay (section 3.2).
    pay_ends_on = ends.employment_end if aanvraag_missing and not ends.aanvraag_excused else ends.pay_end
    return Snapshot(
        facts_through=through,
        valid_until=valid_until,
        recovered_on=last.last_day + timedelta(days=1) if last.last_day is not None else None,
        closed_on=facts.closed_on,
        pay_ends_on=pay_ends_on,
        # The order of evaluate(): by due date and code, stable over the order the rules produce them in.
        items=tuple(sorted(items, key=_ORDER)),
    )


def listed_from(item: TraceItem) -> date | None:
    """A monthly report is listed from its month on (domain 2a); everything else always."""
    if item.period is None:
        return None
    return date(int(item.period[:4]), int(item.period[5:7]), 1)


def status_on(item: TraceItem, snapshot: Snapshot, as_of: date) -> str:
    """The status on `as_of` (mirrored in SQL by app/compliance/repository.py)."""
    if item.final_status is not None:
        return item.final_status
    if item.waived_through is not None and as_of <= item.waived_through:
        return "waived"
    if snapshot.closed_on is not None and snapshot.closed_on <= as_of:
        return "lapsed"
    recovered = snapshot.recovered_on
    if recovered is not None and as_of >= recovered + timedelta(days=SAMENTELLING_SUSPENSION_DAYS):
        return "lapsed"
    if item.lapses_with_pay and snapshot.pay_ends_on is not None and as_of > snapshot.pay_ends_on:
        return "lapsed"
    if recovered is not None and recovered <= as_of:
        return "suspended"
    if as_of > item.overdue_after:
        return "overdue"
    if item.window_opens_on is not None and as_of >= item.window_opens_on:
        return "open"
    return "upcoming"


def obligations_on(snapshot: Snapshot, as_of: date) -> list[Obligation]:
    """The obligations of :func:`evaluate` on `as_of`, from the snapshot (requires a valid `as_of`)."""
    if not snapshot.facts_through <= as_of <= snapshot.valid_until:
        raise ValueError("as_of lies outside the snapshot's validity")
    out = []
    for item in snapshot.items:
        start = listed_from(item)
        if start is not None and start > as_of:
            continue
        status = status_on(item, snapshot, as_of)
        out.append(
            Obligation(
                code=item.code,
                title=OBLIGATION_TITLES[item.code],
                parties=OBLIGATION_PARTIES[item.code],
                legal_basis=OBLIGATION_LEGAL_BASIS[item.code],
                due_on=item.due_on,
                window_opens_on=item.window_opens_on,
                status=status,
                completed_on=item.completed_on,
                late_by_days=item.late_by_days,
                waiting_for=item.waiting_for if status == "upcoming" else None,
                evidence_id=item.evidence_id if status in ("done", "waived") else None,
                period=item.period,
                track_id=item.track_id,
                overdue_by_days=(as_of - item.overdue_after).days if status == "overdue" else None,
            )
        )
    return out
