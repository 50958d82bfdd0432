"""Hypothesis properties of the rules over random valid cases."""

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.poortwachter import (
    AFWIJKING_CODES,
    MILESTONE_TYPES,
    OBLIGATION_CODES,
    PHASES,
    CaseFacts,
    Compliance,
    Leave,
    Milestone,
    Obligation,
    Period,
    SickClock,
    SubmittedReport,
    Track,
    check_absence_periods,
    check_leave_periods,
    evaluate,
)
from app.poortwachter.obligations import LOONSANCTIE_GROUNDS

FULFILLING = tuple(t for t in MILESTONE_TYPES if t in OBLIGATION_CODES)
SETTINGS = settings(max_examples=150, deadline=None)
FORWARD_RANK = {"upcoming": 0, "open": 1, "overdue": 2, "suspended": 3, "lapsed": 4}


def days(n: int) -> timedelta:
    return timedelta(days=n)


@st.composite
def absence(draw: st.DrawFn) -> tuple[tuple[Period, ...], tuple[Leave, ...]]:
    start = date(2020, 1, 1) + days(draw(st.integers(0, 365 * 10)))
    periods: list[Period] = []
    count = draw(st.integers(1, 3))
    for i in range(count):
        length = draw(st.integers(1, 400))
        last = start + days(length - 1)
        is_last = i == count - 1
        periods.append(Period(start, None if is_last and draw(st.booleans()) else last))
        start = last + days(1 + draw(st.integers(0, 27)))
    leaves: list[Leave] = []
    if draw(st.booleans()):
        host = draw(st.sampled_from(periods))
        span = (host.last_day - host.first_day).days if host.last_day else 300
        offset = draw(st.integers(0, span))
        length = draw(st.integers(1, max(1, span - offset + 1)))
        leaves.append(Leave(host.first_day + days(offset), host.first_day + days(offset + length - 1)))
    return tuple(periods), tuple(leaves)


@st.composite
def cases(draw: st.DrawFn) -> tuple[CaseFacts, date]:
    periods, leaves = draw(absence())
    first_sick_day = periods[0].first_day
    dates = st.integers(0, 900).map(lambda n: first_sick_day + days(n))
    milestones: list[Milestone] = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(MILESTONE_TYPES))
        extra: dict[str, object] = {}
        on = draw(dates)
        if kind in ("verlenging_loondoorbetaling", "loonsanctie"):
            extra["until"] = first_sick_day + days(draw(st.integers(728, 1100)))
        if kind in ("spoor_2_niet_ingezet", "einde_dienstverband"):
            extra["until"] = on + days(draw(st.integers(1, 200)))
        if kind == "afwijking":
            # Mostly v2 ones; now and then a v1 row without new_due_on, or one naming another code (legacy).
            legacy = draw(st.integers(0, 5)) == 0
            extra["obligation"] = draw(st.sampled_from(OBLIGATION_CODES if legacy else AFWIJKING_CODES))
            extra["new_due_on"] = None if legacy else on + days(draw(st.integers(0, 120)))
        if kind == "wia_beslissing":
            extra["percentage"] = draw(st.integers(0, 100))
            extra["uitkering"] = draw(st.sampled_from(("geen", "wga", "iva")))
        if kind == "probleemanalyse":
            extra["geen_benutbare_mogelijkheden"] = draw(st.integers(0, 3)) == 0
        if kind in ("plan_van_aanpak", "bijstelling_plan_van_aanpak"):
            extra["casemanager"] = draw(st.sampled_from((None, "M. Jansen")))
        if kind == "herstelbeslissing":
            extra["hersteld"] = draw(st.booleans())
        milestones.append(Milestone(kind, on, id=f"m{len(milestones)}", **extra))  # type: ignore[arg-type]
    tracks: list[Track] = []
    for i in range(draw(st.integers(0, 2))):
        started = draw(dates)
        ended = started + days(draw(st.integers(0, 300))) if draw(st.booleans()) else None
        tracks.append(Track(f"t{i}", draw(st.integers(1, 3)), started, ended))
    reports: list[SubmittedReport] = []
    for track in tracks:
        for _ in range(draw(st.integers(0, 3))):
            month = track.started_on + days(draw(st.integers(0, 120)))
            submitted = month + days(draw(st.integers(0, 60)))
            reports.append(SubmittedReport(f"r{len(reports)}", track.id, f"{month:%Y-%m}", submitted))
    closed_on = draw(dates) if draw(st.integers(0, 4)) == 0 else None
    facts = CaseFacts(periods, leaves, tuple(milestones), tuple(tracks), tuple(reports), closed_on)
    as_of = first_sick_day + days(draw(st.integers(-30, 1000)))
    return facts, as_of


def keyed(result: Compliance) -> dict[tuple[str, str | None, str | None, int], Obligation]:
    seen: Counter[tuple[str, str | None, str | None]] = Counter()
    out = {}
    for ob in result.obligations:
        base = (ob.code, ob.period, ob.track_id)
        out[(*base, seen[base])] = ob
        seen[base] += 1
    return out


def known_on(facts: CaseFacts, day: date) -> CaseFacts:
    """The facts dated on or before ``day`` (a recovery or closing later is a forward step anyway)."""
    periods = tuple(p for i, p in enumerate(facts.absence_periods) if i == 0 or p.first_day <= day)
    dropped = facts.absence_periods[len(periods) :]
    return replace(
        facts,
        absence_periods=periods,
        leave_periods=tuple(lv for lv in facts.leave_periods if not dropped or lv.first_day < dropped[0].first_day),
        milestones=tuple(m for m in facts.milestones if m.occurred_on <= day),
        tracks=tuple(t for t in facts.tracks if t.started_on <= day),
        reports=tuple(r for r in facts.reports if r.submitted_on <= day),
    )


@SETTINGS
@given(cases())
def test_generated_cases_are_valid_and_evaluate(case_and_day: tuple[CaseFacts, date]) -> None:
    facts, as_of = case_and_day
    check_absence_periods(facts.absence_periods)
    check_leave_periods(facts.absence_periods, facts.leave_periods)
    result = evaluate(facts, as_of)
    first_sick_day = facts.absence_periods[0].first_day
    for ob in result.obligations:
        assert ob.due_on >= first_sick_day  # nothing is due before D
        assert ob.window_opens_on is None or ob.window_opens_on >= first_sick_day
        assert (ob.status == "done") == (ob.completed_on is not None) == (ob.late_by_days is not None)
        assert ob.late_by_days is None or ob.late_by_days >= 0
        assert ob.waiting_for is None or ob.status == "upcoming"
        if ob.status == "overdue":
            assert as_of > ob.due_on
            assert ob.overdue_by_days is not None and ob.overdue_by_days >= 1
        else:
            assert ob.overdue_by_days is None
        if ob.status == "open":
            assert ob.window_opens_on is not None and ob.window_opens_on <= as_of
    for party, items in result.outstanding.items():
        assert all(party in ob.parties and ob.status in ("open", "overdue") for ob in items)
    grounds = any(ob.status == "overdue" and ob.code in LOONSANCTIE_GROUNDS for ob in result.obligations)
    sanction = any(m.type == "loonsanctie" and m.occurred_on <= as_of for m in facts.milestones)
    if not sanction:
        assert result.loonsanctie_risk == grounds
    elif grounds and result.phase != "afgesloten":
        assert result.loonsanctie_risk
    ended = any(m.type == "einde_dienstverband" and m.occurred_on <= as_of for m in facts.milestones)
    if not ended:
        assert result.loondoorbetaling_end >= result.wachttijd_end
    assert result.phase in PHASES
    if as_of < first_sick_day or result.phase in ("hersteld", "afgesloten"):
        assert result.sick_week is None


@SETTINGS
@given(st.integers(0, 365 * 12), st.integers(-10, 1200))
def test_uninterrupted_case_without_events_follows_the_table(start: int, as_of_offset: int) -> None:
    first_sick_day = date(2019, 1, 1) + days(start)
    result = evaluate(CaseFacts((Period(first_sick_day, None),)), first_sick_day + days(as_of_offset))
    offsets = {
        "probleemanalyse": 41,
        "plan_van_aanpak": 55,
        "casemanager": 55,
        "voortgangsgesprek": 97,
        "ziekmelding_uwv": 294,
        "eerstejaarsevaluatie": 363,
        "start_spoor_2": 405,
        "wia_kennisgeving": 622,
        "actueel_oordeel": 636,
        "eindevaluatie": 636,
        "reintegratieverslag": 636,
        "wia_aanvraag": 650,
    }
    assert {ob.code: (ob.due_on - first_sick_day).days for ob in result.obligations} == offsets
    assert result.wachttijd_end == first_sick_day + days(727)
    # No 42e-weeksmelding, so WIA 64(6) cannot excuse the missing aanvraag: after A the delay keeps running (v2).
    expected_end = max(first_sick_day + days(727), first_sick_day + days(as_of_offset + 77))
    assert result.loondoorbetaling_end == (expected_end if as_of_offset > 650 else first_sick_day + days(727))
    assert result.phase == ("wachttijd" if as_of_offset <= 727 else "verlengd_tijdvak")
    if as_of_offset >= 0:
        assert result.sick_week == as_of_offset // 7 + 1


@SETTINGS
@given(cases(), st.integers(0, 400), st.integers(1, 400))
def test_without_new_facts_statuses_only_move_forward(
    case_and_day: tuple[CaseFacts, date], shift: int, step: int
) -> None:
    """upcoming -> open -> overdue -> suspended -> lapsed; done and waived stay as they are."""
    facts, as_of = case_and_day
    earlier = as_of - days(shift)
    frozen = known_on(facts, earlier)
    before, after = keyed(evaluate(frozen, earlier)), keyed(evaluate(frozen, earlier + days(step)))
    for key, ob in before.items():
        later = after[key]
        assert later.due_on == ob.due_on, key
        if ob.status == "waived" and ob.code == "start_spoor_2":
            continue  # a spoor_2_niet_ingezet stands until its re-check date, then the normal statuses apply
        if ob.status in ("done", "waived"):
            assert later.status == ob.status, key
        else:
            assert FORWARD_RANK[later.status] >= FORWARD_RANK[ob.status], (key, ob.status, later.status)


@SETTINGS
@given(cases(), st.integers(1, 500))
def test_done_and_waived_stick(case_and_day: tuple[CaseFacts, date], step: int) -> None:
    """Without new facts (v2: a later verlenging rightly asks for a supplemented RIV, a later plan van aanpak ends
    the waiver of Regeling 4(1))."""
    facts, as_of = case_and_day
    facts = known_on(facts, as_of)
    before, after = keyed(evaluate(facts, as_of)), keyed(evaluate(facts, as_of + days(step)))
    for key, ob in before.items():
        if ob.status == "done":
            assert (after[key].status, after[key].completed_on) == ("done", ob.completed_on), key
        elif ob.status == "waived" and ob.code != "start_spoor_2":
            assert after[key].status in ("waived", "done"), key


@SETTINGS
@given(cases(), st.data())
def test_recording_a_fact_never_makes_another_obligation_worse(
    case_and_day: tuple[CaseFacts, date], data: st.DataObject
) -> None:
    """A fact dated on or after the due date of what it fulfils never turns anything else overdue.

    (A fact recorded early may rightly pull a successor's deadline forward; a bijstellingsadvies
    creates a new obligation rather than worsening one.)
    """
    facts, as_of = case_and_day
    base = evaluate(facts, as_of)
    if as_of < facts.absence_periods[0].first_day:
        return
    kind = data.draw(
        st.sampled_from(
            (*FULFILLING, "afwijking", "loonsanctie", "wia_beslissing", "verlenging", "track", "report", "close")
        )
    )
    first_sick_day = facts.absence_periods[0].first_day

    def on_or_after(day: date) -> date:
        low = max(day, first_sick_day)
        if low > as_of:
            return as_of + days(1)  # not a fact yet on as_of: must change nothing
        return low + days(data.draw(st.integers(0, (as_of - low).days)))

    added = facts
    own: set[str] = set()
    if kind in FULFILLING:
        own = {kind}
        targets = [ob.due_on for ob in base.obligations if ob.code == kind]
        # Not before an existing fact of its kind either: an earlier one would replace it as evidence.
        known = [m.occurred_on for m in facts.milestones if m.type == kind and m.occurred_on <= as_of]
        start = max([*targets, *known]) if targets or known else first_sick_day
        extra = Milestone(kind, on_or_after(start), id="new")
        added = replace(facts, milestones=(*facts.milestones, extra))
        if kind == "probleemanalyse":
            # A later probleemanalyse with possibilities ends a waiver of the plan van aanpak (Regeling 4(1)).
            own |= {"plan_van_aanpak", "casemanager", "voortgangsgesprek"}
        if kind in ("plan_van_aanpak", "bijstelling_plan_van_aanpak", "casemanager"):
            own |= {"casemanager", "voortgangsgesprek"}
    elif kind == "afwijking":
        # A rescheduling to a day after as_of: what it names is not overdue on as_of.
        code = data.draw(st.sampled_from(AFWIJKING_CODES))
        new_due = as_of + days(data.draw(st.integers(1, 100)))
        extra = Milestone("afwijking", on_or_after(first_sick_day), obligation=code, new_due_on=new_due)
        added = replace(facts, milestones=(*facts.milestones, extra))
    elif kind in ("loonsanctie", "wia_beslissing"):
        extra = Milestone(
            kind,
            on_or_after(first_sick_day),
            until=base.loondoorbetaling_end + days(100),
            percentage=50,
            uitkering="wga",
        )
        added = replace(facts, milestones=(*facts.milestones, extra))
    elif kind == "verlenging":
        until = base.wachttijd_end + days(data.draw(st.integers(0, 200)))
        last_verlenging = max(
            (m.occurred_on for m in facts.milestones if m.type == "verlenging_loondoorbetaling"),
            default=first_sick_day,
        )
        extra = Milestone("verlenging_loondoorbetaling", on_or_after(last_verlenging), until=until)
        added = replace(facts, milestones=(*facts.milestones, extra))
        # A re-integratieverslag or eindevaluatie made before a verlenging must be supplemented (WIA 25(4)(b)).
        own = {"eindevaluatie", "reintegratieverslag"}
    elif kind == "track":
        own = {"start_spoor_2"}
        spoor_2 = [ob.due_on for ob in base.obligations if ob.code == "start_spoor_2"]
        track = Track("new", data.draw(st.integers(1, 3)), on_or_after(spoor_2[0]))
        added = replace(facts, tracks=(*facts.tracks, track))
    elif kind == "report":
        months = [ob for ob in base.obligations if ob.code == "voortgangsrapportage"]
        if not months:
            return
        month = data.draw(st.sampled_from(months))
        assert month.track_id is not None and month.period is not None
        report = SubmittedReport("new", month.track_id, month.period, on_or_after(month.due_on))
        added = replace(facts, reports=(*facts.reports, report))
    else:
        added = replace(facts, closed_on=on_or_after(first_sick_day))

    result = evaluate(added, as_of)
    after = keyed(result)
    # A fact that extends the loondoorbetaling (a verlenging, a loonsanctie, the kennisgeving or 42e-weeksmelding that
    # makes a missing aanvraag late) revives the items that had lapsed at the old end (section 3.4): not a worsening.
    extended = result.loondoorbetaling_end > base.loondoorbetaling_end
    for key, ob in keyed(base).items():
        if ob.code in own or (extended and ob.status == "lapsed"):
            continue
        now = after[key]
        if ob.status in ("done", "waived"):
            assert now.status in ("done", "waived"), (kind, key)
        if now.status == "overdue":
            assert ob.status == "overdue", (kind, key, ob.status)


@SETTINGS
@given(absence(), st.integers(0, 1500))
def test_clock_round_trip(periods_and_leaves: tuple[tuple[Period, ...], tuple[Leave, ...]], k: int) -> None:
    periods, leaves = periods_and_leaves
    clock = SickClock(periods, leaves)
    day = clock.sickday(k)
    assert clock.counted_index(day) == k
    assert clock.sickday(k + 1) > day
    assert not any(lv.first_day <= day <= lv.last_day for lv in leaves)
    in_period = any(
        p.first_day <= day and (p.last_day is None or i == len(periods) - 1 or day <= p.last_day)
        for i, p in enumerate(periods)
    )
    assert in_period
