"""evaluate(): the obligations of one case on a reference date (domain sections 2, 2a and 3, rules v2)."""

from collections.abc import Callable, Sequence
from dataclasses import fields
from datetime import date, timedelta
from itertools import pairwise
from operator import attrgetter
from typing import NamedTuple

from app.poortwachter.clock import SickClock, check_absence_periods, check_leave_periods
from app.poortwachter.ends import Ends, by_type, end_dates, herstel_decision_due
from app.poortwachter.facts import (
    AFWIJKING_CODES,
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
    LOONSANCTIE_GROUNDS,
    OBLIGATION_LEGAL_BASIS,
    OBLIGATION_PARTIES,
    OBLIGATION_TITLES,
    SAMENTELLING_SUSPENSION_DAYS,
    due_eerstejaarsevaluatie,
    due_eindevaluatie,
    due_probleemanalyse,
    due_start_spoor_2,
    due_voortgangsrapportage,
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
from app.poortwachter.workdays import last_working_day_on_or_before

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
    waived_through: date | None  # waived on every as_of up to this day (a spoor_2_niet_ingezet's until)
    lapses_with_pay: bool  # lapsed after L (all but spoor 3 reports and the ziek-uit-dienst items)


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


#: Stands for "never" where a date is needed: a wia_aanvraag excused by WIA 64(6) is never overdue.
NEVER = date.max

# Obligations are ordered by due date, code, period and track. Items with the same due date and code
# share their period (a report's due date fixes its month), and monthly reports are generated in
# track-id order, so a stable sort on the first two keys gives the full order at C speed.
_ORDER = attrgetter("due_on", "code")
_BY_ID = attrgetter("id")
_NOT_WITH_PAY = ("ziekmelding_uit_dienst", "reintegratieverslag_uit_dienst")


class CaseState(NamedTuple):
    """What a case is on a reference date, besides its obligations."""

    phase: str
    closed_or_lapsed: bool  # closed, or R + 28 passed (section 2, step 3)
    recovery_day: bool  # after the last period's last_day before R + 28, or between two periods
    ends: Ends


def in_gap(periods: Sequence[Period], day: date) -> bool:
    """A recovery day between two absence periods (v2)."""
    for before, after in pairwise(periods):
        if before.last_day is not None and before.last_day < day < after.first_day:
            return True
    return False


def case_state(periods: Sequence[Period], closed_on: date | None, as_of: date, ends: Ends) -> CaseState:
    """Section 3.6: the phase, first rule that applies."""
    last_day = periods[-1].last_day
    recovered = last_day + timedelta(days=1) if last_day is not None else None
    lapsed = (closed_on is not None and closed_on <= as_of) or (
        recovered is not None and as_of >= recovered + timedelta(days=SAMENTELLING_SUSPENSION_DAYS)
    )
    recovery = not lapsed and ((recovered is not None and as_of >= recovered) or in_gap(periods, as_of))
    if lapsed:
        phase = "afgesloten"
    elif recovery:
        phase = "hersteld"
    elif ends.employment_end is not None and as_of > ends.employment_end:
        phase = "uit_dienst"
    elif as_of <= ends.e:
        phase = "wachttijd"
    elif as_of <= ends.pay_end:
        phase = "verlengd_tijdvak"
    else:
        phase = "na_wachttijd"
    return CaseState(phase, lapsed, recovery, ends)


def case_phase(facts: CaseFacts, as_of: date) -> str:
    """The case's phase on ``as_of`` (section 3.6)."""
    return evaluate(facts, as_of).phase


def evaluate(facts: CaseFacts, as_of: date, *, report_grace_days: int = 14) -> Compliance:
    """The compliance of a case on ``as_of``, counting only facts dated on or before it.

    Raises ``ValueError`` (:class:`CaseFactsError`) for periods that do not form one case.
    """
    return _evaluate(facts, as_of, report_grace_days, None)[0]


def trace(
    facts: CaseFacts, as_of: date, *, report_grace_days: int = 14
) -> tuple[Compliance, list[TraceItem], CaseState]:
    """Like :func:`evaluate`, and also each item's date-independent parts and the case state (for :mod:`snapshot`)."""
    items: list[TraceItem] = []
    result, state = _evaluate(facts, as_of, report_grace_days, items)
    return result, items, state


def _latest_afwijking(afwijkingen: Sequence[Milestone], code: str) -> Milestone | None:
    found = [m for m in afwijkingen if m.obligation == code]
    return found[-1] if found else None


def _evaluate(
    facts: CaseFacts, as_of: date, report_grace_days: int, traced: list[TraceItem] | None
) -> tuple[Compliance, CaseState]:
    # The absence and leave periods count as recorded, whatever as_of (domain 2a, v2): a later period still shapes
    # every due date, a last_day after as_of means still sick on as_of.
    periods = facts.absence_periods
    check_absence_periods(periods)
    leaves: Sequence[Leave] = facts.leave_periods
    if leaves:
        check_leave_periods(periods, leaves)
    clock = SickClock(periods, leaves)
    first_sick_day = clock.first_sick_day

    # Facts dated after as_of do not exist yet. A stable sort keeps the recording order among equal
    # dates, so the first of a list is the earliest and the last is the latest recorded.
    known = by_type(facts.milestones, as_of)
    ends = end_dates(clock, facts.milestones, known, as_of)
    state = case_state(periods, facts.closed_on, as_of, ends)
    pay_end = ends.pay_end
    # An afwijking moves one due date of a Regeling art. 2/4 item (v2); a v1 one without new_due_on leaves the rules.
    afwijkingen = [
        m for m in known.get("afwijking", ()) if m.new_due_on is not None and m.obligation in AFWIJKING_CODES
    ]

    def first(kind: str) -> Milestone | None:
        found = known.get(kind)
        return found[0] if found else None

    def moved(code: str) -> date | None:
        found = _latest_afwijking(afwijkingen, code)
        return found.new_due_on if found is not None else None

    items: list[Obligation] = []
    append = items.append
    closed_or_lapsed, recovery = state.closed_or_lapsed, state.recovery_day

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
        *,
        waived: bool = False,
        waived_through: date | None = None,
        waiver_id: str | None = None,
        late_from: date | None = None,
        lapses_with_pay: bool = True,
    ) -> None:
        # overdue_after is the last day on which the item is not yet overdue (the 42e-weeksmelding's grace day,
        # NEVER for an excused aanvraag); lateness is counted from late_from (by default the same day).
        last_allowed = due_on if overdue_after is None else overdue_after
        if late_from is None:
            late_from = last_allowed
        late_by_days: int | None = None
        overdue_by_days: int | None = None
        potential_waiting = waiting_for
        if completed_on is not None:
            status = "done"
            late_by_days = max(0, (completed_on - late_from).days)
            waiting_for = None
        else:
            evidence_id = None
            if waived or (waived_through is not None and as_of <= waived_through):
                status = "waived"
                evidence_id = waiver_id
            elif closed_or_lapsed or (lapses_with_pay and as_of > pay_end):
                status = "lapsed"
            elif recovery:
                status = "suspended"
            elif as_of > last_allowed:
                status = "overdue"
                overdue_by_days = (as_of - last_allowed).days
            elif window_opens_on is not None and as_of >= window_opens_on:
                status = "open"
            else:
                status = "upcoming"
            if status != "upcoming":
                waiting_for = None
        if traced is not None:
            # What the status is derived from, before the status nulls waiting_for: see snapshot.status_on.
            traced.append(
                TraceItem(
                    code,
                    due_on,
                    window_opens_on,
                    last_allowed,
                    completed_on,
                    late_by_days,
                    evidence_id if status in ("done", "waived") else waiver_id,
                    status if status == "done" or (status == "waived" and waived) else None,
                    potential_waiting,
                    period,
                    track_id,
                    waived_through,
                    lapses_with_pay,
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
                overdue_by_days,
            )
        )

    def add_milestone(code: str, due_on: date, window_opens_on: date | None, overdue_after: date | None = None) -> None:
        done = first(code)
        if done is not None:
            add(code, due_on, window_opens_on, done.occurred_on, done.id, None, overdue_after)
        else:
            add(code, due_on, window_opens_on, None, None, None, overdue_after)

    # Eerste ziektejaar: probleemanalyse, then plan van aanpak and casemanager, then the gesprekken.
    pa_due = moved("probleemanalyse") or due_probleemanalyse(clock)
    add_milestone("probleemanalyse", pa_due, first_sick_day)

    # The PvA trigger (v2): the first probleemanalyse after the last one that found no usable possibilities.
    analyses = known.get("probleemanalyse", [])
    flagged = [i for i, m in enumerate(analyses) if m.geen_benutbare_mogelijkheden]
    trigger: Milestone | None = None
    no_possibilities = bool(flagged) and flagged[-1] == len(analyses) - 1
    if analyses:
        trigger = analyses[-1] if no_possibilities else analyses[flagged[-1] + 1 if flagged else 0]
    pva = first("plan_van_aanpak")
    pva_waived = no_possibilities and pva is None  # Regeling 4(1): no plan without possibilities
    pva_base = clock.after(trigger.occurred_on if trigger is not None else pa_due, 14)
    pva_due = moved("plan_van_aanpak") or pva_base
    pva_window = trigger.occurred_on if trigger is not None else None
    pva_waiting = None if analyses else "probleemanalyse"
    waiver_id = analyses[-1].id if pva_waived else None
    if pva is not None:
        add("plan_van_aanpak", pva_due, pva_window, pva.occurred_on, pva.id)
    else:
        add("plan_van_aanpak", pva_due, pva_window, None, None, pva_waiting, waived=pva_waived, waiver_id=waiver_id)
    cm_due = moved("casemanager") or pva_due
    named = [
        m
        for kind in ("casemanager", "plan_van_aanpak", "bijstelling_plan_van_aanpak")
        for m in known.get(kind, ())
        if kind == "casemanager" or m.casemanager
    ]
    cm = min(named, key=lambda m: m.occurred_on) if named else None
    if cm is not None:
        add("casemanager", cm_due, pva_window, cm.occurred_on, cm.id)
    else:
        add("casemanager", cm_due, pva_window, None, None, pva_waiting, waived=pva_waived, waiver_id=waiver_id)

    # One item, the next occurrence, so never done. An afwijking names the occurrence that was next on its date.
    gesprekken = known.get("voortgangsgesprek", [])

    def gesprek_base(day: date) -> tuple[str, date | None]:
        held = [m.occurred_on for m in gesprekken if m.occurred_on <= day]
        if held:
            return ("voortgangsgesprek", held[-1])
        if pva is not None and pva.occurred_on <= day:
            return ("plan_van_aanpak", pva.occurred_on)
        return ("projected", None)

    base = gesprek_base(as_of)
    gesprek_due = clock.after(base[1] if base[1] is not None else pva_due, 42)
    for afwijking in afwijkingen:
        if afwijking.obligation == "voortgangsgesprek" and gesprek_base(afwijking.occurred_on) == base:
            assert afwijking.new_due_on is not None
            gesprek_due = afwijking.new_due_on  # the latest one naming this occurrence counts
    add(
        "voortgangsgesprek",
        gesprek_due,
        pva.occurred_on if pva is not None else None,
        None,
        None,
        None if pva is not None else "plan_van_aanpak",
        waived=pva_waived,
        waiver_id=waiver_id,
    )

    # An afwijking names the latest advice dated on or before it (none: it names nothing); bijstellingsadviezen
    # dated after L raise no item (section 3.4).
    all_advices = known.get("bijstellingsadvies", [])
    named_advice: dict[int, date] = {}
    for afwijking in afwijkingen:
        if afwijking.obligation != "bijstelling_plan_van_aanpak":
            continue
        before = [i for i, a in enumerate(all_advices) if a.occurred_on <= afwijking.occurred_on]
        if before and afwijking.new_due_on is not None:
            named_advice[before[-1]] = afwijking.new_due_on
    advices = [m for m in all_advices if m.occurred_on <= pay_end]  # a prefix: sorted by date
    if advices:
        bijstellingen = known.get("bijstelling_plan_van_aanpak", [])
        for i, advice in enumerate(advices):
            # The first bijstelling on or after an advice answers it (and every earlier open one).
            advice_on = advice.occurred_on
            answer = next((b for b in bijstellingen if b.occurred_on >= advice_on), None)
            due_on = named_advice.get(i) or clock.after(advice_on, 14)
            if answer is None:
                add("bijstelling_plan_van_aanpak", due_on, advice_on)
            else:
                add("bijstelling_plan_van_aanpak", due_on, advice_on, answer.occurred_on, answer.id)

    ziekmelding_due = due_ziekmelding_uwv(clock)
    add_milestone(
        "ziekmelding_uwv", ziekmelding_due, window_ziekmelding_uwv(clock), ziekmelding_overdue_after(ziekmelding_due)
    )
    eje_normal_due = due_eerstejaarsevaluatie(clock)
    add_milestone(
        "eerstejaarsevaluatie", moved("eerstejaarsevaluatie") or eje_normal_due, window_eerstejaarsevaluatie(clock)
    )

    # Tweede ziektejaar: spoor 2 (v2: due 42 days after the earlier of the EJE and sickday(363), never projected).
    eje = first("eerstejaarsevaluatie")
    eje_on = eje.occurred_on if eje is not None else None
    spoor_2_due = due_start_spoor_2(clock, eje_on)
    spoor_2_window = window_start_spoor_2(clock, eje_on)
    decision = known.get("spoor_2_niet_ingezet")
    standing: Milestone | None = decision[-1] if decision else None
    if standing is not None and standing.until is not None:
        spoor_2_due = max(spoor_2_due, clock.after(standing.until, 42))
    tracks = [t for t in facts.tracks if t.started_on <= as_of]
    spoor_2 = None
    for track in tracks:
        # Strictly earlier only: of equal start dates the first recorded one is the evidence.
        if track.spoor == 2 and (spoor_2 is None or track.started_on < spoor_2.started_on):
            spoor_2 = track
    if spoor_2 is not None:
        add("start_spoor_2", spoor_2_due, spoor_2_window, spoor_2.started_on, spoor_2.id)
    else:
        add(
            "start_spoor_2",
            spoor_2_due,
            spoor_2_window,
            waived_through=standing.until if standing is not None else None,
            waiver_id=standing.id if standing is not None else None,
        )

    submitted: dict[tuple[str, str], tuple[date, str]] = {}
    for report in facts.reports:
        if report.submitted_on <= as_of:
            key = (report.track_id, report.period)
            found_report = submitted.get(key)
            if found_report is None or report.submitted_on < found_report[0]:
                submitted[key] = (report.submitted_on, report.id)
    for track in sorted(tracks, key=_BY_ID):
        if track.spoor not in _REPORTED_SPOREN:
            continue
        # An end after as_of is not a fact yet: the track still runs in the month of as_of.
        last = track.ended_on if track.ended_on is not None and track.ended_on <= as_of else as_of
        if track.spoor == 2:
            # Spoor 2 runs only while the werkgever owes loon (BW 7:658a(1)): its days up to L count.
            if track.started_on > pay_end:
                continue
            last = min(last, pay_end)
        year, month = track.started_on.year, track.started_on.month
        end_year, end_month = max((last.year, last.month), (year, month))
        while year < end_year or (year == end_year and month <= end_month):
            label = f"{year:04d}-{month:02d}"
            due_on = due_voortgangsrapportage(year, month, report_grace_days)
            window = window_voortgangsrapportage(year, month)
            found_report = submitted.get((track.id, label))
            completed = found_report[0] if found_report is not None else None
            evidence = found_report[1] if found_report is not None else None
            add(
                "voortgangsrapportage",
                due_on,
                window,
                completed,
                evidence,
                None,
                None,
                label,
                track.id,
                lapses_with_pay=track.spoor == 2,
            )
            if month == 12:
                year, month = year + 1, 1
            else:
                month += 1

    # Einde wachttijd: relative to E', which a verlenging moves; window W91 (v2).
    e_prime = ends.e_prime
    eind_due = due_eindevaluatie(e_prime)
    w91 = max(window_eindfase(clock), e_prime - timedelta(days=125))
    oordeel = next((m for m in known.get("actueel_oordeel", ()) if m.occurred_on >= w91), None)
    add(
        "actueel_oordeel",
        eind_due,
        w91,
        oordeel.occurred_on if oordeel is not None else None,
        oordeel.id if oordeel is not None else None,
    )
    verlenging = known.get("verlenging_loondoorbetaling")
    supplemented_from = verlenging[-1].occurred_on if verlenging else None
    for code in ("eindevaluatie", "reintegratieverslag"):
        # After a verlenging only one made on or after it fulfils the item (WIA 25(4)(b)).
        made = next(
            (m for m in known.get(code, ()) if supplemented_from is None or m.occurred_on >= supplemented_from), None
        )
        add(code, eind_due, w91, made.occurred_on if made else None, made.id if made else None)
    wia_opens = window_wia(clock)
    add_milestone("wia_kennisgeving", due_wia_kennisgeving(clock), wia_opens)
    aanvraag = first("wia_aanvraag")
    excused = ends.aanvraag_excused
    add(
        "wia_aanvraag",
        ends.aanvraag_due,
        wia_opens,
        aanvraag.occurred_on if aanvraag is not None else None,
        aanvraag.id if aanvraag is not None else None,
        overdue_after=NEVER if excused else None,
        late_from=NEVER if excused else ends.aanvraag_due,
    )

    # Ziek uit dienst (section 3.5): only when the employment ends by E and the employee is sick on the last
    # working day.
    einde = known.get("einde_dienstverband")
    t = ends.employment_end
    if einde and t is not None and t <= ends.e:
        lwd = last_working_day_on_or_before(t)
        sick = any(p.first_day <= lwd and (p.last_day is None or lwd <= p.last_day) for p in periods)
        if sick and lwd >= first_sick_day:
            opens = min(einde[-1].occurred_on, lwd)
            codes = ["ziekmelding_uit_dienst"]
            if (lwd - first_sick_day).days >= 42:
                codes.append("reintegratieverslag_uit_dienst")
            for code in codes:
                done = first(code)
                add(
                    code,
                    lwd,
                    opens,
                    done.occurred_on if done else None,
                    done.id if done else None,
                    lapses_with_pay=False,
                )

    # The loonsanctie's herstel lifecycle: UWV decides on each herstelmelding within three weeks (WIA 25(13)).
    beslissingen = known.get("herstelbeslissing", [])
    for melding in known.get("herstelmelding", ()):
        answer = next((b for b in beslissingen if b.occurred_on >= melding.occurred_on), None)
        add(
            "beslissing_herstelmelding",
            herstel_decision_due(melding.occurred_on),
            melding.occurred_on,
            answer.occurred_on if answer else None,
            answer.id if answer else None,
        )

    items.sort(key=_ORDER)
    obligations = tuple(items)
    grouped: dict[str, list[Obligation]] = {party: [] for party in PARTIES}
    risk = False
    for ob in obligations:
        if ob.status == "overdue" or ob.status == "open":
            for party in ob.parties:
                grouped[party].append(ob)
            if ob.status == "overdue" and ob.code in LOONSANCTIE_GROUNDS:
                risk = True
    phase = state.phase
    if ends.sanction_end is not None and not ends.sanction_repaired and ends.b < as_of <= pay_end:
        risk = True  # a running loonsanctie (section 2a)
    if phase == "afgesloten":
        risk = False
    sick_week: int | None = None
    if phase != "afgesloten" and phase != "hersteld" and as_of >= first_sick_day:
        sick_week = clock.counted_index(as_of) // 7 + 1
    decisions = known.get("wia_beslissing")
    return (
        Compliance(
            as_of=as_of,
            first_sick_day=first_sick_day,
            sick_week=sick_week,
            wachttijd_end=ends.e,
            loondoorbetaling_end=pay_end,
            loonsanctie_risk=risk,
            obligations=obligations,
            outstanding={party: tuple(found) for party, found in grouped.items()},
            phase=phase,
            verlenging_end=ends.verlenging,
            wia_uitkering=decisions[-1].uitkering if decisions else None,
        ),
        state,
    )
