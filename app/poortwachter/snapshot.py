"""Snapshots: a case's obligations computed once, from which the status on any later date follows.

Once every fact of a case is dated on or before a day X, its obligations no longer change with the reference
date except in their status, and the status follows from a handful of stored dates (the due date, the window,
the day after which it is overdue, recovery and closing). So the obligations computed for a date H give the
exact answer of :func:`evaluate` for every ``as_of`` with ``facts_through <= as_of <= H``; the portfolio stores
them and derives the status in SQL (``app/compliance``), and :func:`status_on` is that derivation in Python.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import pairwise
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
    # The phase's boundaries (section 3.6), as take_snapshot finds them (a row's state, row_state, needs none):
    wachttijd_end: date | None = None  # E: the phase is wachttijd through it
    employment_end: date | None = None  # T: uit_dienst after it
    period_started_on: date | None = None  # the last absence period's first day: the case is sick again from it


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
        wachttijd_end=ends.e,
        employment_end=ends.employment_end,
        period_started_on=last.first_day,
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


def obligations_on(snapshot: Snapshot, as_of: date, *, items: tuple[TraceItem, ...] | None = None) -> list[Obligation]:
    """The obligations of :func:`evaluate` on `as_of`, from the snapshot (requires a valid `as_of`), or of
    `items` with the snapshot's case state (history_on)."""
    if items is None:
        if not snapshot.facts_through <= as_of <= snapshot.valid_until:
            raise ValueError("as_of lies outside the snapshot's validity")
        items = snapshot.items
    out = []
    for item in items:
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


# History: the obligations on any past date, as stored rows with a validity range.
#
# evaluate() counts only facts dated on or before as_of, so between two consecutive fact dates b <= as_of < b'
# its answer is the snapshot of the facts known on b. A case's history is the snapshots of every fact date
# (and of "no dated fact yet", valid since always), and an item that two consecutive snapshots share is one
# row valid over both: most items change once or twice in a case's life (appear, get done), so the history is
# a small multiple of the latest snapshot, and a past as_of is answered by the same query. The days between two
# absence periods are recovery days (v2): a version starts on the first of them and on the next period's first
# day, and in between its items are suspended (its recovery day is the gap's first day). Each row carries the
# case state of its version (recovery day, end of the pay), which the facts known on its dates fix.

#: Start of the first version (no dated fact yet) and end of the rows still valid.
ALWAYS = date.min
FOREVER = date.max


@dataclass(frozen=True, slots=True)
class HistoryRow:
    item: TraceItem
    valid_from: date  # the first as_of it answers for
    valid_to: date  # the first as_of it no longer answers for (FOREVER while current)
    recovered_on: date | None  # the version's recovery day (a gap's first day inside a gap)
    pay_ends_on: date | None  # the version's L (see Snapshot)


@dataclass(frozen=True, slots=True)
class Version:
    """Where a version starts, and a digest of everything its snapshot follows from (to reuse it unchanged)."""

    starts_on: date
    digest: str


def facts_known_on(facts: CaseFacts, day: date) -> CaseFacts:
    """The facts of `day`: dated facts on or before it, a track's end only once it happened. Periods and
    closing count as recorded (as evaluate() has them; status_on applies recovery and closing)."""
    return replace(
        facts,
        milestones=tuple(m for m in facts.milestones if m.occurred_on <= day),
        tracks=tuple(
            t if t.ended_on is None or t.ended_on <= day else replace(t, ended_on=None)
            for t in facts.tracks
            if t.started_on <= day
        ),
        reports=tuple(r for r in facts.reports if r.submitted_on <= day),
    )


def _gap_start(facts: CaseFacts, day: date) -> date | None:
    """The first recovery day of the gap between two absence periods that `day` lies in, if it does."""
    for before, after in pairwise(facts.absence_periods):
        if before.last_day is not None and before.last_day < day < after.first_day:
            return before.last_day + timedelta(days=1)
    return None


def versions(facts: CaseFacts, *, report_grace_days: int) -> list[Version]:
    """The versions of a case: one since always, then one per distinct fact date (and gap edge), each with a
    digest of the facts it is computed from (in recording order) and of everything else its items depend on."""
    dated: list[tuple[date, int, int, str]] = []
    for i, m in enumerate(facts.milestones):
        dated.append((m.occurred_on, 0, i, repr(m)))
    for i, t in enumerate(facts.tracks):
        dated.append((t.started_on, 1, i, repr(replace(t, ended_on=None))))
        if t.ended_on is not None:
            dated.append((t.ended_on, 2, i, f"end {t.id}"))
    for i, r in enumerate(facts.reports):
        dated.append((r.submitted_on, 3, i, repr(r)))
    for i, (before, after) in enumerate(pairwise(facts.absence_periods)):
        if before.last_day is not None and before.last_day + timedelta(days=1) < after.first_day:
            dated.append((before.last_day + timedelta(days=1), 4, i, "gap"))
            dated.append((after.first_day, 5, i, "period"))
    dated.sort()
    digest = hashlib.blake2b(
        repr((RULES_VERSION, report_grace_days, facts.absence_periods, facts.leave_periods, facts.closed_on)).encode(),
        digest_size=12,
    )
    out = [Version(ALWAYS, digest.hexdigest())]
    for k, (day, *_, text) in enumerate(dated):
        digest.update(text.encode())
        if k + 1 == len(dated) or dated[k + 1][0] != day:
            out.append(Version(day, digest.hexdigest()))
    return out


def history(
    facts: CaseFacts,
    valid_until: date,
    *,
    report_grace_days: int = 14,
    stored: tuple[list[Version], list[HistoryRow]] | None = None,
) -> tuple[Snapshot, list[Version], list[HistoryRow]]:
    """The snapshot of the latest facts and the rows of every version. Versions that `stored` (an earlier
    history of the case) has with the same digest are taken from it, not recomputed: recording a fact dated
    today recomputes one version, not every one. The latest version is always recomputed (its horizon moves)."""
    latest = take_snapshot(facts, valid_until, report_grace_days=report_grace_days)
    new = versions(facts, report_grace_days=report_grace_days)
    reuse = 0
    if stored is not None:
        old_versions, _ = stored
        while reuse < len(new) - 1 and reuse < len(old_versions) and old_versions[reuse] == new[reuse]:
            reuse += 1
    Key = tuple[TraceItem, date | None, date | None]
    rows: list[HistoryRow] = []
    current: dict[Key, list[date]] = {}  # item and state -> valid_from of each current row with them
    if reuse and stored is not None:
        cut = new[reuse].starts_on
        for row in stored[1]:
            if row.valid_from >= cut:
                continue
            if row.valid_to > cut:
                current.setdefault((row.item, row.recovered_on, row.pay_ends_on), []).append(row.valid_from)
            else:
                rows.append(row)
    for k in range(reuse, len(new)):
        starts_on = new[k].starts_on
        snapshot = (
            latest
            if k + 1 == len(new)
            else take_snapshot(
                facts_known_on(facts, starts_on), latest.valid_until, report_grace_days=report_grace_days
            )
        )
        recovered_on = _gap_start(facts, starts_on) or snapshot.recovered_on
        following: dict[Key, list[date]] = {}
        for item in snapshot.items:
            key = (item, recovered_on, snapshot.pay_ends_on)
            kept = current.get(key)
            following.setdefault(key, []).append(kept.pop() if kept else starts_on)
        for (item, recovered, pay_end), starts in current.items():
            rows += [HistoryRow(item, start, starts_on, recovered, pay_end) for start in starts]
        current = following
    for (item, recovered, pay_end), starts in current.items():
        rows += [HistoryRow(item, start, FOREVER, recovered, pay_end) for start in starts]
    return latest, new, rows


def row_state(row: HistoryRow, closed_on: date | None) -> Snapshot:
    """The case state a row's status follows from, as a Snapshot for status_on."""
    return Snapshot(row.valid_from, FOREVER, row.recovered_on, closed_on, row.pay_ends_on, ())


def history_on(rows: list[HistoryRow], closed_on: date | None, as_of: date) -> list[Obligation]:
    """The obligations of :func:`evaluate` on `as_of` from a history's rows (in the rows' order)."""
    out = []
    for row in rows:
        if row.valid_from <= as_of < row.valid_to:
            out += obligations_on(row_state(row, closed_on), as_of, items=(row.item,))
    return out


def _after(day: date | None, days: int = 0) -> date | None:
    """The day `days + 1` days after `day` (None for None, and for a day too close to date.max to matter)."""
    if day is None or day >= FOREVER - timedelta(days=days + 1):
        return None
    return day + timedelta(days=days + 1)


def status_changes(row: HistoryRow, closed_on: date | None) -> list[tuple[date, str, int]]:
    """When the row's status on a reference date starts and stops counting: (date, status, +1 or -1), so that
    the status counts on a date are the sums of the changes on or before it (the portfolio's counts)."""
    start = row.valid_from
    listed = listed_from(row.item)
    if listed is not None and listed > start:
        start = listed
    end = row.valid_to
    if start >= end:
        return []
    state = row_state(row, closed_on)
    item = row.item
    if item.final_status is not None:
        turns: list[date] = []
    else:
        # Every day on which status_on can change its answer (some dates are date.max: never).
        candidates = [item.window_opens_on, _after(item.overdue_after), closed_on, _after(item.waived_through)]
        if row.recovered_on is not None:
            candidates += [row.recovered_on, _after(row.recovered_on, SAMENTELLING_SUSPENSION_DAYS - 1)]
        candidates.append(_after(row.pay_ends_on))
        turns = sorted({day for day in candidates if day is not None and start < day < end})
    changes: list[tuple[date, str, int]] = []
    status = status_on(item, state, start)
    changes.append((start, status, 1))
    for day in turns:
        following = status_on(item, state, day)
        if following != status:
            changes += [(day, status, -1), (day, following, 1)]
            status = following
    if end != FOREVER:
        changes.append((end, status, -1))
    return changes
