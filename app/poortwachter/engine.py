"""evaluate(): the obligations of one case on a reference date (domain sections 2, 2a and 3)."""

from collections.abc import Callable, Sequence
from dataclasses import fields
from datetime import date, timedelta
from operator import attrgetter
from typing import NamedTuple

from app.poortwachter.clock import (
    SickClock,
    check_absence_periods,
    check_leave_periods,
    loondoorbetaling_end,
    recovery_day,
    sick_week,
    statutory_wachttijd_end,
    wachttijd_end,
)
from app.poortwachter.facts import (
    OBLIGATION_CODES,
    PARTIES,
    CaseFacts,
    Compliance,
    Leave,
    Milestone,
    Obligation,
    Period,
)
from app.poortwachter.obligations import (
    OBLIGATION_LEGAL_BASIS,
    OBLIGATION_PARTIES,
    OBLIGATION_TITLES,
    SAMENTELLING_SUSPENSION_DAYS,
    due_bijstelling_plan_van_aanpak,
    due_eerstejaarsevaluatie,
    due_eindevaluatie,
    due_plan_van_aanpak,
    due_probleemanalyse,
    due_start_spoor_2,
    due_voortgangsgesprek,
    due_voortgangsrapportage,
    due_wia_aanvraag,
    due_wia_kennisgeving,
    due_ziekmelding_uwv,
    window_eerstejaarsevaluatie,
    window_eindfase,
    window_start_spoor_2,
    window_voortgangsrapportage,
    window_wia,
    window_ziekmelding_uwv,
    ziekmelding_overdue_after,
)

_REPORTED_SPOREN = (2, 3)


class TraceItem(NamedTuple):
    """An obligation's parts that do not depend on the reference date, once the facts are known."""

    code: str
    due_on: date
    window_opens_on: date | None
    overdue_after: date  # the last day on which it is not yet overdue
    completed_on: date | None
    late_by_days: int | None
    evidence_id: str | None
    final_status: str | None  # done or waived: no later date changes it
    waiting_for: str | None  # the missing predecessor, shown while upcoming
    period: str | None
    track_id: str | None


_DESCRIPTIONS: dict[str, tuple[str, tuple[str, ...], str]] = {
    code: (OBLIGATION_TITLES[code], OBLIGATION_PARTIES[code], OBLIGATION_LEGAL_BASIS[code]) for code in OBLIGATION_CODES
}


def _obligation_constructor() -> Callable[..., Obligation]:
    """A constructor for :class:`Obligation` that skips the frozen ``__setattr__`` path.

    The portfolio evaluates thousands of cases per request and the frozen dataclass ``__init__`` was
    a third of the time; writing the slots through their descriptors gives the same object at half
    the cost. ``test_fast_obligation_constructor`` keeps it equal to the dataclass constructor.
    """
    names = tuple(f.name for f in fields(Obligation))
    if names != Obligation.__slots__:
        raise RuntimeError("Obligation fields and slots differ")
    (
        s_code,
        s_title,
        s_parties,
        s_basis,
        s_due,
        s_window,
        s_status,
        s_completed,
        s_late,
        s_waiting,
        s_evidence,
        s_period,
        s_track,
        s_overdue_by,
    ) = (getattr(Obligation, name).__set__ for name in names)
    new = object.__new__

    def make(
        code: str,
        title: str,
        parties: tuple[str, ...],
        legal_basis: str,
        due_on: date,
        window_opens_on: date | None,
        status: str,
        completed_on: date | None,
        late_by_days: int | None,
        waiting_for: str | None,
        evidence_id: str | None,
        period: str | None,
        track_id: str | None,
        overdue_by_days: int | None = None,
    ) -> Obligation:
        ob: Obligation = new(Obligation)
        s_code(ob, code)
        s_title(ob, title)
        s_parties(ob, parties)
        s_basis(ob, legal_basis)
        s_due(ob, due_on)
        s_window(ob, window_opens_on)
        s_status(ob, status)
        s_completed(ob, completed_on)
        s_late(ob, late_by_days)
        s_waiting(ob, waiting_for)
        s_evidence(ob, evidence_id)
        s_period(ob, period)
        s_track(ob, track_id)
        s_overdue_by(ob, overdue_by_days)
        return ob

    return make


_new_obligation = _obligation_constructor()


def case_phase(periods: Sequence[Period], closed_on: date | None, as_of: date) -> str | None:
    """``lapsed`` for a closed case or 28 days after recovery, ``suspended`` before that, else ``None``."""
    if closed_on is not None and closed_on <= as_of:
        return "lapsed"
    recovered_on = recovery_day(periods[-1], as_of)
    if recovered_on is None:
        return None
    if as_of < recovered_on + timedelta(days=SAMENTELLING_SUSPENSION_DAYS):
        return "suspended"
    return "lapsed"


# Obligations are ordered by due date, code, period and track. Items with the same due date and code
# share their period (a report's due date fixes its month), and monthly reports are generated in
# track-id order, so a stable sort on the first two keys gives the full order at C speed.
_ORDER = attrgetter("due_on", "code")
_BY_DAY = attrgetter("occurred_on")
_BY_ID = attrgetter("id")


def evaluate(facts: CaseFacts, as_of: date, *, report_grace_days: int = 14) -> Compliance:
    """The compliance of a case on ``as_of``, counting only facts dated on or before it.

    Raises ``ValueError`` (:class:`CaseFactsError`) for periods that do not form one case.
    """
    return _evaluate(facts, as_of, report_grace_days, None)


def trace(facts: CaseFacts, as_of: date, *, report_grace_days: int = 14) -> tuple[Compliance, list[TraceItem]]:
    """Like :func:`evaluate`, and also each item's date-independent parts (for :mod:`snapshot`)."""
    items: list[TraceItem] = []
    return _evaluate(facts, as_of, report_grace_days, items), items


def _evaluate(facts: CaseFacts, as_of: date, report_grace_days: int, traced: list[TraceItem] | None) -> Compliance:
    # The absence and leave periods count as recorded, whatever as_of: domain 2a limits "facts dated on or
    # before as_of" to milestones, tracks, reports and closing, and its sick-week rule ("a day in a gap takes
    # the next counted day's week") presumes that a day between two recorded periods is not a recovery.
    periods = facts.absence_periods
    check_absence_periods(periods)
    leaves: Sequence[Leave] = facts.leave_periods
    if leaves:
        check_leave_periods(periods, leaves)
    clock = SickClock(periods, leaves)
    first_sick_day = clock.first_sick_day
    phase = case_phase(periods, facts.closed_on, as_of)

    # Facts dated after as_of do not exist yet. A stable sort keeps the recording order among equal
    # dates, so the first of a list is the earliest and the last is the latest recorded.
    by_type: dict[str, list[Milestone]] = {}
    for m in sorted(facts.milestones, key=_BY_DAY):
        if m.occurred_on <= as_of:
            by_type.setdefault(m.type, []).append(m)
    waivers: dict[str, Milestone] = {}
    for m in by_type.get("afwijking", ()):
        if m.obligation is not None and m.obligation not in waivers:
            waivers[m.obligation] = m

    def first(kind: str) -> Milestone | None:
        found = by_type.get(kind)
        return found[0] if found else None

    def latest_until(kind: str) -> date | None:
        found = [m for m in by_type.get(kind, ()) if m.until is not None]
        return found[-1].until if found else None

    statutory_end = statutory_wachttijd_end(clock)
    verlenging_until = latest_until("verlenging_loondoorbetaling")
    extended_end = wachttijd_end(clock, verlenging_until)
    pay_end = loondoorbetaling_end(statutory_end, extended_end, latest_until("loonsanctie"))

    items: list[Obligation] = []
    append = items.append

    def add(
        code: str,
        due_on: date,
        window_opens_on: date | None,
        completed_on: date | None = None,
        evidence_id: str | None = None,
        waiting_for: str | None = None,
        overdue_after: date | None = None,
        period: str | None = None,
        track_id: str | None = None,
    ) -> None:
        # overdue_after is the last day on which the item is not yet overdue (only the
        # 42e-weeksmelding differs from due_on); lateness is counted from the same day.
        late_from = due_on if overdue_after is None else overdue_after
        late_by_days: int | None = None
        potential_waiting = waiting_for
        if completed_on is not None:
            status = "done"
            late_by_days = (completed_on - late_from).days
            if late_by_days < 0:
                late_by_days = 0
            waiting_for = None
        else:
            evidence_id = None
            waiver = waivers.get(code) if waivers else None
            if waiver is not None:
                status = "waived"
                evidence_id = waiver.id
                waiting_for = None
            elif phase is not None:
                status = phase
                waiting_for = None
            elif as_of > late_from:
                status = "overdue"
                waiting_for = None
            elif window_opens_on is not None and as_of >= window_opens_on:
                status = "open"
                waiting_for = None
            else:
                status = "upcoming"
        if traced is not None:
            # What the status is derived from, before the status nulls waiting_for: see snapshot.status_on.
            traced.append(
                TraceItem(
                    code,
                    due_on,
                    window_opens_on,
                    late_from,
                    completed_on,
                    late_by_days,
                    evidence_id,
                    status if status in ("done", "waived") else None,
                    potential_waiting,
                    period,
                    track_id,
                )
            )
        title, parties, legal_basis = _DESCRIPTIONS[code]
        append(
            _new_obligation(
                code,
                title,
                parties,
                legal_basis,
                due_on,
                window_opens_on,
                status,
                completed_on,
                late_by_days,
                waiting_for,
                evidence_id,
                period,
                track_id,
            )
        )

    def add_milestone(code: str, due_on: date, window_opens_on: date | None, overdue_after: date | None = None) -> None:
        found = by_type.get(code)
        if found:
            done = found[0]
            add(code, due_on, window_opens_on, done.occurred_on, done.id, None, overdue_after)
        else:
            add(code, due_on, window_opens_on, None, None, None, overdue_after)

    # Eerste ziektejaar: probleemanalyse, then plan van aanpak and casemanager, then the gesprekken.
    pa = first("probleemanalyse")
    pa_on = pa.occurred_on if pa is not None else None
    add_milestone("probleemanalyse", due_probleemanalyse(clock), first_sick_day)
    pva_due = due_plan_van_aanpak(clock, pa_on)
    pva_waiting = None if pa is not None else "probleemanalyse"
    for code in ("plan_van_aanpak", "casemanager"):
        done = first(code)
        if done is None:
            add(code, pva_due, pa_on, None, None, pva_waiting)
        else:
            add(code, pva_due, pa_on, done.occurred_on, done.id)

    pva = first("plan_van_aanpak")
    pva_on = pva.occurred_on if pva is not None else None
    gesprekken = by_type.get("voortgangsgesprek")
    last_gesprek_on = gesprekken[-1].occurred_on if gesprekken else None
    # One item, the next occurrence, so never done.
    gesprek_due = due_voortgangsgesprek(clock, last_gesprek_on, pva_on, pa_on)
    gesprek_waiting = None if pva is not None else "plan_van_aanpak"
    add("voortgangsgesprek", gesprek_due, pva_on, None, None, gesprek_waiting)

    advices = by_type.get("bijstellingsadvies")
    if advices:
        bijstellingen = by_type.get("bijstelling_plan_van_aanpak", [])
        for advice in advices:
            # The first bijstelling on or after an advice answers it (and every earlier open one).
            advice_on = advice.occurred_on
            answer = next((b for b in bijstellingen if b.occurred_on >= advice_on), None)
            due_on = due_bijstelling_plan_van_aanpak(clock, advice_on)
            if answer is None:
                add("bijstelling_plan_van_aanpak", due_on, advice_on)
            else:
                add("bijstelling_plan_van_aanpak", due_on, advice_on, answer.occurred_on, answer.id)

    ziekmelding_due = due_ziekmelding_uwv(clock)
    add_milestone(
        "ziekmelding_uwv",
        ziekmelding_due,
        window_ziekmelding_uwv(clock),
        ziekmelding_overdue_after(ziekmelding_due),
    )
    add_milestone("eerstejaarsevaluatie", due_eerstejaarsevaluatie(clock), window_eerstejaarsevaluatie(clock))

    # Tweede ziektejaar: spoor 2 and the monthly reports of spoor 2 and 3 tracks.
    eje = first("eerstejaarsevaluatie")
    eje_on = eje.occurred_on if eje is not None else None
    tracks = [t for t in facts.tracks if t.started_on <= as_of]
    spoor_2 = None
    for track in tracks:
        # Strictly earlier only: of equal start dates the first recorded one is the evidence.
        if track.spoor == 2 and (spoor_2 is None or track.started_on < spoor_2.started_on):
            spoor_2 = track
    spoor_2_due = due_start_spoor_2(clock, eje_on)
    spoor_2_window = window_start_spoor_2(clock, eje_on)
    if spoor_2 is None:
        spoor_2_waiting = None if eje is not None else "eerstejaarsevaluatie"
        add("start_spoor_2", spoor_2_due, spoor_2_window, None, None, spoor_2_waiting)
    else:
        add(
            "start_spoor_2",
            spoor_2_due,
            spoor_2_window,
            spoor_2.started_on,
            spoor_2.id,
            None,
            None,
            None,
            None,
        )

    submitted: dict[tuple[str, str], tuple[date, str]] = {}
    for report in facts.reports:
        if report.submitted_on <= as_of:
            key = (report.track_id, report.period)
            known = submitted.get(key)
            if known is None or report.submitted_on < known[0]:
                submitted[key] = (report.submitted_on, report.id)
    for track in sorted(tracks, key=_BY_ID):
        if track.spoor not in _REPORTED_SPOREN:
            continue
        # An end after as_of is not a fact yet: the track still runs in the month of as_of.
        last = track.ended_on if track.ended_on is not None and track.ended_on <= as_of else as_of
        year, month = track.started_on.year, track.started_on.month
        end_year, end_month = max((last.year, last.month), (year, month))
        while year < end_year or (year == end_year and month <= end_month):
            label = f"{year:04d}-{month:02d}"
            due_on = due_voortgangsrapportage(year, month, report_grace_days)
            window = window_voortgangsrapportage(year, month)
            found_report = submitted.get((track.id, label))
            if found_report is None:
                add("voortgangsrapportage", due_on, window, None, None, None, None, label, track.id)
            else:
                submitted_on, report_id = found_report
                add(
                    "voortgangsrapportage",
                    due_on,
                    window,
                    submitted_on,
                    report_id,
                    None,
                    None,
                    label,
                    track.id,
                )
            if month == 12:
                year, month = year + 1, 1
            else:
                month += 1

    # Einde wachttijd: relative to E', which a verlenging moves.
    eind_due = due_eindevaluatie(extended_end)
    eind_window = window_eindfase(clock)
    add_milestone("actueel_oordeel", eind_due, eind_window)
    add_milestone("eindevaluatie", eind_due, eind_window)
    add_milestone("reintegratieverslag", eind_due, eind_window)
    wia_opens = window_wia(clock)
    add_milestone("wia_kennisgeving", due_wia_kennisgeving(clock), wia_opens)
    add_milestone("wia_aanvraag", due_wia_aanvraag(extended_end), wia_opens)

    items.sort(key=_ORDER)
    obligations = tuple(items)
    grouped: dict[str, list[Obligation]] = {party: [] for party in PARTIES}
    risk = False
    for ob in obligations:
        if ob.status == "overdue" or ob.status == "open":
            for party in ob.parties:
                grouped[party].append(ob)
            if ob.status == "overdue" and "werkgever" in ob.parties:
                risk = True

    return Compliance(
        as_of=as_of,
        first_sick_day=first_sick_day,
        sick_week=None if phase is not None else sick_week(clock, as_of),
        wachttijd_end=extended_end,
        loondoorbetaling_end=pay_end,
        loonsanctie_risk=risk,
        obligations=obligations,
        outstanding={party: tuple(found) for party, found in grouped.items()},
    )
