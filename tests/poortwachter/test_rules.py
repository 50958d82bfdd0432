"""Table-driven tests of each obligation rule and its boundaries (domain sections 2, 2a and 3)."""

from datetime import date, timedelta

import pytest

from app.poortwachter import (
    MILESTONE_TYPES,
    OBLIGATION_CODES,
    OBLIGATION_LEGAL_BASIS,
    OBLIGATION_PARTIES,
    OBLIGATION_TITLES,
    PARTIES,
    STATUSES,
    CaseFactsError,
    Milestone,
    Obligation,
    SickClock,
    SubmittedReport,
    Track,
    check_milestone,
    evaluate,
    spoor_3_allowed,
)
from app.poortwachter.engine import _new_obligation

from . import case, codes, d, leave, ms, one, period

D = "2025-01-06"  # a Monday; E = 2027-01-03


def days_after(start: str, n: int) -> date:
    return d(start) + timedelta(days=n)


# --- tables -------------------------------------------------------------------------------------------


def test_tables_cover_every_code() -> None:
    assert len(OBLIGATION_CODES) == 17
    assert len(MILESTONE_TYPES) == len(set(MILESTONE_TYPES)) == 25
    for table in (OBLIGATION_TITLES, OBLIGATION_LEGAL_BASIS, OBLIGATION_PARTIES):
        assert set(table) == set(OBLIGATION_CODES)
    for parties in OBLIGATION_PARTIES.values():
        assert set(parties) <= set(PARTIES)
    assert OBLIGATION_TITLES["plan_van_aanpak"] == "Plan van aanpak"
    assert OBLIGATION_LEGAL_BASIS["ziekmelding_uwv"].startswith("Ziektewet art. 38")


def test_every_obligation_is_listed_once_on_a_plain_case() -> None:
    result = evaluate(case(period(D)), d("2025-06-01"))
    assert sorted(codes(result.obligations)) == sorted(
        set(OBLIGATION_CODES)
        - {
            "bijstelling_plan_van_aanpak",
            "voortgangsrapportage",
            "ziekmelding_uit_dienst",
            "reintegratieverslag_uit_dienst",
            "beslissing_herstelmelding",
        }
    )
    assert {ob.status for ob in result.obligations} <= set(STATUSES)


def test_fast_obligation_constructor_equals_the_dataclass() -> None:
    values = ("c", "t", ("werkgever",), "b", d(D), None, "open", d(D), 0, "w", "e", "2025-01", "t1")
    fast = _new_obligation(*values)
    assert fast == Obligation(*values)
    assert type(fast) is Obligation
    with pytest.raises(AttributeError):
        fast.status = "done"  # type: ignore[misc]


# --- fixed due dates and windows ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "due_offset", "window_offset"),
    [
        ("probleemanalyse", 41, 0),
        ("plan_van_aanpak", 55, None),
        ("casemanager", 55, None),
        ("voortgangsgesprek", 97, None),
        ("ziekmelding_uwv", 294, 287),
        ("eerstejaarsevaluatie", 363, 315),
        ("start_spoor_2", 405, 364),
        ("actueel_oordeel", 636, 602),
        ("eindevaluatie", 636, 602),
        ("reintegratieverslag", 636, 602),
        ("wia_kennisgeving", 622, 616),
        ("wia_aanvraag", 650, 616),
    ],
)
def test_offsets_on_an_uninterrupted_case(code: str, due_offset: int, window_offset: int | None) -> None:
    ob = one(evaluate(case(period(D)), d("2025-01-07")), code)
    assert ob.due_on == days_after(D, due_offset)
    assert ob.window_opens_on == (None if window_offset is None else days_after(D, window_offset))


@pytest.mark.parametrize(
    ("as_of_offset", "status"),
    [(286, "upcoming"), (287, "open"), (294, "open"), (295, "overdue")],
)
def test_window_due_and_overdue_boundaries(as_of_offset: int, status: str) -> None:
    # D + 294 = 2025-10-27, a Monday: no working-day grace.
    assert one(evaluate(case(period(D)), days_after(D, as_of_offset)), "ziekmelding_uwv").status == status


# --- 42e-weeksmelding and working days ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "first_working_day"),
    [
        ("2025-11-01", "2025-11-03"),  # Saturday
        ("2025-04-26", "2025-04-28"),  # Koningsdag on 26 April (the 27th is a Sunday)
        ("2026-04-27", "2026-04-28"),  # Koningsdag on a Monday
        ("2026-05-05", "2026-05-06"),  # 5 mei in a non-lustrum year
        ("2026-04-03", "2026-04-07"),  # Goede Vrijdag, weekend, Tweede Paasdag
        ("2026-05-14", "2026-05-15"),  # Hemelvaartsdag
        ("2026-05-25", "2026-05-26"),  # Tweede Pinksterdag
        ("2025-12-25", "2025-12-29"),  # Kerstdagen and weekend
        ("2026-01-01", "2026-01-02"),  # Nieuwjaarsdag
        ("2025-10-27", "2025-10-27"),  # an ordinary Monday
    ],
)
def test_ziekmelding_not_overdue_before_the_first_working_day(due: str, first_working_day: str) -> None:
    first_sick_day = (d(due) - timedelta(days=294)).isoformat()
    facts = case(period(first_sick_day))
    on_due = one(evaluate(facts, d(due)), "ziekmelding_uwv")
    assert on_due.due_on == d(due)  # due_on stays the exact date
    assert on_due.status == "open"
    assert one(evaluate(facts, d(first_working_day)), "ziekmelding_uwv").status == "open"
    assert one(evaluate(facts, d(first_working_day) + timedelta(days=1)), "ziekmelding_uwv").status == "overdue"

    late = case(
        period(first_sick_day),
        milestones=(ms("ziekmelding_uwv", (d(first_working_day) + timedelta(days=2)).isoformat()),),
    )
    done = one(evaluate(late, d("2027-01-01")), "ziekmelding_uwv")
    assert (done.status, done.late_by_days) == ("done", 2)
    in_time = case(period(first_sick_day), milestones=(ms("ziekmelding_uwv", first_working_day),))
    assert one(evaluate(in_time, d("2027-01-01")), "ziekmelding_uwv").late_by_days == 0


# --- event-relative deadlines -------------------------------------------------------------------------


def test_plan_van_aanpak_follows_the_probleemanalyse_on_the_clock() -> None:
    # The probleemanalyse falls in a gap: it takes the next counted day's index.
    facts = case(
        period("2025-01-06", "2025-01-31"),
        period("2025-02-10"),
        milestones=(ms("probleemanalyse", "2025-02-05"),),
    )
    pva = one(evaluate(facts, d("2025-02-12")), "plan_van_aanpak")
    assert pva.due_on == d("2025-02-24")  # index of 2025-02-10, plus 14 counted days
    assert pva.window_opens_on == d("2025-02-05")
    assert pva.status == "open"


def test_wazo_leave_pauses_an_event_relative_deadline() -> None:
    facts = case(
        period(D),
        leave_periods=(leave("2025-02-17", "2025-03-16"),),  # 28 days, starting after sickday(41)
        milestones=(ms("probleemanalyse", "2025-02-10"),),
    )
    result = evaluate(facts, d("2025-03-20"))
    assert one(result, "plan_van_aanpak").due_on == d("2025-03-24")  # 2025-02-24 + 28
    assert one(result, "probleemanalyse").due_on == d("2025-02-16")  # before the leave
    assert one(result, "ziekmelding_uwv").due_on == d("2025-11-24")  # 2025-10-27 + 28


def test_voortgangsgesprek_is_the_next_occurrence_and_never_done() -> None:
    base = (ms("probleemanalyse", "2025-02-10"), ms("plan_van_aanpak", "2025-02-20", id="pva"))
    result = evaluate(case(period(D), milestones=base), d("2025-03-01"))
    gesprek = one(result, "voortgangsgesprek")
    assert (gesprek.due_on, gesprek.status, gesprek.window_opens_on) == (d("2025-04-03"), "open", d("2025-02-20"))
    assert one(evaluate(case(period(D), milestones=base), d("2025-04-04")), "voortgangsgesprek").status == "overdue"

    held = (*base, ms("voortgangsgesprek", "2025-04-10", id="g1"), ms("voortgangsgesprek", "2025-03-30", id="g0"))
    gesprek = one(evaluate(case(period(D), milestones=held), d("2025-04-11")), "voortgangsgesprek")
    assert (gesprek.due_on, gesprek.status, gesprek.completed_on, gesprek.evidence_id) == (
        d("2025-05-22"),
        "open",
        None,
        None,
    )


def test_bijstelling_per_advice() -> None:
    advices = (
        ms("bijstellingsadvies", "2025-03-01", id="a1"),
        ms("bijstellingsadvies", "2025-04-01", id="a2"),
        ms("bijstelling_plan_van_aanpak", "2025-02-20", id="too-early"),
    )
    result = evaluate(case(period(D), milestones=advices), d("2025-04-10"))
    items = [ob for ob in result.obligations if ob.code == "bijstelling_plan_van_aanpak"]
    assert [(ob.due_on, ob.window_opens_on, ob.status) for ob in items] == [
        (d("2025-03-15"), d("2025-03-01"), "overdue"),
        (d("2025-04-15"), d("2025-04-01"), "open"),
    ]

    between = (*advices, ms("bijstelling_plan_van_aanpak", "2025-03-10", id="b1"))
    items = [
        ob
        for ob in evaluate(case(period(D), milestones=between), d("2025-04-20")).obligations
        if ob.code == "bijstelling_plan_van_aanpak"
    ]
    assert [(ob.status, ob.evidence_id) for ob in items] == [("done", "b1"), ("overdue", None)]

    after_both = (*advices, ms("bijstelling_plan_van_aanpak", "2025-04-05", id="b2"))
    items = [
        ob
        for ob in evaluate(case(period(D), milestones=after_both), d("2025-04-20")).obligations
        if ob.code == "bijstelling_plan_van_aanpak"
    ]
    assert [(ob.status, ob.completed_on, ob.late_by_days) for ob in items] == [
        ("done", d("2025-04-05"), 21),
        ("done", d("2025-04-05"), 0),
    ]


def test_start_spoor_2_after_an_eerstejaarsevaluatie() -> None:
    facts = case(period(D), milestones=(ms("eerstejaarsevaluatie", "2025-12-01", id="eje"),))
    spoor_2 = one(evaluate(facts, d("2025-12-02")), "start_spoor_2")
    assert (spoor_2.due_on, spoor_2.window_opens_on, spoor_2.status, spoor_2.waiting_for) == (
        d("2026-01-12"),
        d("2025-12-01"),
        "open",
        None,
    )
    # v2: never projected, never waiting; the window opens on sickday(364).
    without = one(evaluate(case(period(D)), d("2025-12-02")), "start_spoor_2")
    assert (without.status, without.waiting_for, without.window_opens_on, without.due_on) == (
        "upcoming",
        None,
        d("2026-01-05"),
        d("2026-02-15"),
    )
    # A late eerstejaarsevaluatie does not move spoor 2: due 42 days after sickday(363) (v2; v1 gave 2026-03-03).
    late = case(period(D), milestones=(ms("eerstejaarsevaluatie", "2026-01-20", id="eje"),))
    spoor_2 = one(evaluate(late, d("2026-01-21")), "start_spoor_2")
    assert (spoor_2.window_opens_on, spoor_2.due_on, spoor_2.status) == (d("2026-01-05"), d("2026-02-15"), "open")


def test_start_spoor_2_is_fulfilled_by_the_earliest_spoor_2_track_only() -> None:
    tracks = (
        Track("t1", 1, d("2025-06-01")),
        Track("t3", 2, d("2026-03-01")),
        Track("t2", 2, d("2026-02-01")),
        Track("future", 2, d("2026-01-01") + timedelta(days=400)),
    )
    spoor_2 = one(evaluate(case(period(D), tracks=tracks), d("2026-03-05")), "start_spoor_2")
    assert (spoor_2.status, spoor_2.completed_on, spoor_2.evidence_id, spoor_2.late_by_days) == (
        "done",
        d("2026-02-01"),
        "t2",
        0,
    )


def test_projected_deadlines_wait_for_the_direct_predecessor() -> None:
    result = evaluate(case(period(D)), d("2025-02-01"))
    assert one(result, "probleemanalyse").waiting_for is None
    assert one(result, "plan_van_aanpak").waiting_for == "probleemanalyse"
    assert one(result, "casemanager").waiting_for == "probleemanalyse"
    assert one(result, "voortgangsgesprek").waiting_for == "plan_van_aanpak"
    assert one(result, "start_spoor_2").waiting_for is None  # v2: never projected
    assert one(result, "ziekmelding_uwv").waiting_for is None

    later = evaluate(case(period(D)), days_after(D, 98))
    assert [one(later, code).status for code in ("plan_van_aanpak", "voortgangsgesprek")] == ["overdue"] * 2
    assert one(later, "voortgangsgesprek").waiting_for is None


# --- several facts, afwijking ---------------------------------------------------------------------------


def test_the_earliest_milestone_fulfils_a_one_off_obligation() -> None:
    facts = case(
        period(D),
        milestones=(ms("probleemanalyse", "2025-02-20", id="late"), ms("probleemanalyse", "2025-02-01", id="early")),
    )
    pa = one(evaluate(facts, d("2025-03-01")), "probleemanalyse")
    assert (pa.completed_on, pa.evidence_id, pa.late_by_days) == (d("2025-02-01"), "early", 0)
    assert one(evaluate(facts, d("2025-03-01")), "plan_van_aanpak").due_on == d("2025-02-15")


def test_afwijking_moves_the_due_date_from_its_date_on_and_done_counts_from_it() -> None:
    afwijking = ms("afwijking", "2025-03-01", obligation="probleemanalyse", new_due_on=d("2025-03-10"), id="afw")
    facts = case(period(D), milestones=(afwijking,))
    before = one(evaluate(facts, d("2025-02-28")), "probleemanalyse")
    assert (before.status, before.due_on, before.overdue_by_days) == ("overdue", d("2025-02-16"), 12)
    moved = one(evaluate(facts, d("2025-03-01")), "probleemanalyse")
    assert (moved.status, moved.due_on, moved.evidence_id) == ("open", d("2025-03-10"), None)
    assert one(evaluate(facts, d("2025-03-11")), "probleemanalyse").overdue_by_days == 1
    # The projected plan van aanpak follows the moved probleemanalyse.
    assert one(evaluate(facts, d("2025-03-01")), "plan_van_aanpak").due_on == d("2025-03-24")

    done = case(period(D), milestones=(afwijking, ms("probleemanalyse", "2025-03-12", id="pa")))
    pa = one(evaluate(done, d("2025-03-15")), "probleemanalyse")
    assert (pa.status, pa.evidence_id, pa.late_by_days) == ("done", "pa", 2)


def test_afwijking_names_one_occurrence_of_a_bijstelling() -> None:
    facts = case(
        period(D),
        milestones=(
            ms("bijstellingsadvies", "2025-02-01"),
            ms("bijstellingsadvies", "2025-05-01"),
            ms("afwijking", "2025-03-01", obligation="bijstelling_plan_van_aanpak", new_due_on=d("2025-07-01")),
        ),
    )
    items = [
        (ob.due_on, ob.status)
        for ob in evaluate(facts, d("2025-06-01")).obligations
        if ob.code == "bijstelling_plan_van_aanpak"
    ]
    assert items == [(d("2025-05-15"), "overdue"), (d("2025-07-01"), "open")]


def test_a_v1_afwijking_without_new_due_on_leaves_the_rules() -> None:
    legacy = ms("afwijking", "2025-03-01", obligation="start_spoor_2")
    facts = case(period(D), milestones=(legacy, ms("afwijking", "2025-03-01", obligation="casemanager")))
    assert evaluate(facts, d("2026-06-01")) == evaluate(case(period(D)), d("2026-06-01"))


# --- verlenging and loonsanctie -------------------------------------------------------------------------


def test_the_latest_verlenging_counts_and_later_ones_do_not_exist_yet() -> None:
    facts = case(
        period("2024-01-15"),
        milestones=(
            ms("verlenging_loondoorbetaling", "2025-10-01", until=d("2026-06-01")),
            ms("verlenging_loondoorbetaling", "2025-11-01", until=d("2026-04-12")),
            ms("verlenging_loondoorbetaling", "2026-03-01", until=d("2026-12-31")),
        ),
    )
    result = evaluate(facts, d("2025-12-01"))
    assert (result.wachttijd_end, result.verlenging_end) == (d("2026-01-11"), d("2026-04-12"))  # v2: E stays
    assert one(result, "wia_kennisgeving").due_on == d("2025-09-28")  # fixed on the clock
    assert one(result, "eerstejaarsevaluatie").due_on == d("2025-01-12")
    assert evaluate(facts, d("2025-10-15")).verlenging_end == d("2026-06-01")
    assert evaluate(facts, d("2025-09-30")).verlenging_end is None


def test_loonsanctie_extends_pay_not_the_wachttijd() -> None:
    facts = case(
        period("2024-01-15"),
        milestones=(
            ms("loonsanctie", "2025-12-01", until=d("2026-12-31")),
            ms("loonsanctie", "2025-12-20", until=d("2026-09-30")),
        ),
    )
    result = evaluate(facts, d("2026-01-05"))
    assert result.wachttijd_end == d("2026-01-11")
    assert result.loondoorbetaling_end == d("2026-09-30")
    assert one(result, "eindevaluatie").due_on == d("2025-10-12")
    assert evaluate(facts, d("2025-12-10")).loondoorbetaling_end == d("2026-12-31")

    with_verlenging = case(
        period("2024-01-15"),
        milestones=(
            ms("verlenging_loondoorbetaling", "2025-11-01", until=d("2026-04-12")),
            ms("loonsanctie", "2025-12-01", until=d("2026-03-01")),
        ),
    )
    assert evaluate(with_verlenging, d("2026-01-05")).loondoorbetaling_end == d("2026-04-12")


# --- recovery, relapse and closing ---------------------------------------------------------------------

RECOVERED = case(
    period(D, "2025-05-31"),
    milestones=(
        ms("probleemanalyse", "2025-02-10"),
        ms("casemanager", "2025-03-01"),
    ),
)


@pytest.mark.parametrize(
    ("as_of", "phase"),
    [
        ("2025-05-31", None),  # the last sick day
        ("2025-06-01", "suspended"),  # R
        ("2025-06-28", "suspended"),  # R + 27
        ("2025-06-29", "lapsed"),  # R + 28
        ("2026-06-01", "lapsed"),
    ],
)
def test_suspended_then_lapsed_after_recovery(as_of: str, phase: str | None) -> None:
    result = evaluate(RECOVERED, d(as_of))
    assert one(result, "probleemanalyse").status == "done"
    assert one(result, "casemanager").status == "done"
    pva = one(result, "plan_van_aanpak")  # overdue since 2025-02-24
    if phase is None:
        assert pva.status == "overdue"
        assert result.sick_week == 21
        assert result.loonsanctie_risk
    else:
        assert {ob.status for ob in result.obligations if ob.code not in ("probleemanalyse", "casemanager")} == {phase}
        assert result.sick_week is None
        assert not result.loonsanctie_risk
        assert all(items == () for items in result.outstanding.values())
    # due dates keep the values they would have had had the sickness gone on
    assert one(result, "ziekmelding_uwv").due_on == d("2025-10-27")
    assert result.wachttijd_end == d("2027-01-03")


def test_a_recorded_last_day_after_as_of_is_not_a_recovery_yet() -> None:
    result = evaluate(case(period(D, "2025-12-31")), d("2025-06-01"))
    assert result.sick_week == 21
    assert one(result, "probleemanalyse").status == "overdue"


def test_a_relapse_within_28_days_revives_the_clock() -> None:
    facts = case(period(D, "2025-05-31"), period("2025-06-20"))
    # v2: a day in the gap is a recovery day (suspended, no sick week), with the due dates of all periods.
    in_gap = evaluate(facts, d("2025-06-15"))
    assert one(in_gap, "ziekmelding_uwv").status == "suspended"
    assert one(in_gap, "ziekmelding_uwv").due_on == d("2025-11-15")
    assert one(in_gap, "probleemanalyse").status == "suspended"
    assert (in_gap.sick_week, in_gap.phase, in_gap.loonsanctie_risk) == (None, "hersteld", False)
    # Recorded without the relapse, the same day is suspended and the dates run on as if still sick.
    recovered = evaluate(case(period(D, "2025-05-31")), d("2025-06-15"))
    assert one(recovered, "ziekmelding_uwv").status == "suspended"
    assert one(recovered, "ziekmelding_uwv").due_on == d("2025-10-27")
    assert recovered.sick_week is None
    after = evaluate(facts, d("2025-06-25"))
    assert one(after, "ziekmelding_uwv").due_on == d("2025-11-15")  # 19 gap days later
    assert one(after, "ziekmelding_uwv").status == "upcoming"
    assert one(after, "probleemanalyse").status == "overdue"
    assert after.sick_week == 22
    assert after.wachttijd_end == d("2027-01-22")


def test_closed_case_lapses_from_its_closing_date() -> None:
    facts = case(period(D), milestones=(ms("probleemanalyse", "2025-02-01"),), closed_on=d("2025-04-01"))
    assert one(evaluate(facts, d("2025-03-31")), "plan_van_aanpak").status == "overdue"
    closed = evaluate(facts, d("2025-04-01"))
    assert one(closed, "plan_van_aanpak").status == "lapsed"
    assert one(closed, "probleemanalyse").status == "done"
    assert closed.sick_week is None
    assert closed.loonsanctie_risk is False


# --- voortgangsrapportage --------------------------------------------------------------------------------


def reports_of(facts: object, as_of: str, grace: int = 14) -> list[tuple[str | None, str | None, str, str, str]]:
    result = evaluate(facts, d(as_of), report_grace_days=grace)  # type: ignore[arg-type]
    return [
        (
            ob.track_id,
            ob.period,
            ob.window_opens_on.isoformat() if ob.window_opens_on else "",
            ob.due_on.isoformat(),
            ob.status,
        )
        for ob in result.obligations
        if ob.code == "voortgangsrapportage"
    ]


def test_monthly_reports_from_a_one_day_month_to_the_running_month() -> None:
    facts = case(period("2024-06-03"), tracks=(Track("t", 2, d("2025-01-31")),))
    assert reports_of(facts, "2025-03-10") == [
        ("t", "2025-01", "2025-02-01", "2025-02-14", "overdue"),
        ("t", "2025-02", "2025-03-01", "2025-03-14", "open"),
        ("t", "2025-03", "2025-04-01", "2025-04-14", "upcoming"),
    ]
    assert reports_of(facts, "2025-02-14")[0][4] == "open"
    assert reports_of(facts, "2025-03-10", grace=7)[0][3] == "2025-02-07"


def test_monthly_reports_stop_with_the_track_and_ignore_spoor_1() -> None:
    tracks = (
        Track("t2", 2, d("2024-12-15"), ended_on=d("2025-02-01")),
        Track("t1", 1, d("2024-12-01")),
        Track("t3", 3, d("2025-03-01"), ended_on=d("2025-06-30")),  # ends after as_of: still running
    )
    rows = reports_of(case(period("2024-06-03"), tracks=tracks), "2025-04-20")
    assert [(track, label) for track, label, *_ in rows] == [
        ("t2", "2024-12"),
        ("t2", "2025-01"),
        ("t2", "2025-02"),
        ("t3", "2025-03"),
        ("t3", "2025-04"),
    ]


def test_a_submitted_report_fulfils_its_month() -> None:
    facts = case(
        period("2024-06-03"),
        tracks=(Track("t", 2, d("2025-01-31")),),
        reports=(
            SubmittedReport("r1", "t", "2025-01", d("2025-02-10")),
            SubmittedReport("r2", "t", "2025-02", d("2025-03-20")),
            SubmittedReport("r3", "t", "2025-03", d("2025-04-20")),  # after as_of: not yet
            SubmittedReport("other", "x", "2025-03", d("2025-03-01")),
        ),
    )
    result = evaluate(facts, d("2025-04-10"))
    items = [ob for ob in result.obligations if ob.code == "voortgangsrapportage"]
    assert [(ob.status, ob.completed_on, ob.late_by_days, ob.evidence_id) for ob in items] == [
        ("done", d("2025-02-10"), 0, "r1"),
        ("done", d("2025-03-20"), 6, "r2"),
        ("open", None, None, None),
        ("upcoming", None, None, None),
    ]
    assert [(ob.code, ob.period) for ob in result.outstanding["reintegratiebureau"]] == [
        ("voortgangsrapportage", "2025-03")
    ]


# --- as_of, order, outstanding --------------------------------------------------------------------------


def test_facts_after_as_of_do_not_count() -> None:
    facts = case(
        period(D),
        milestones=(ms("probleemanalyse", "2025-03-01"),),
        tracks=(Track("t", 2, d("2025-03-01")),),
        closed_on=d("2025-03-01"),
    )
    result = evaluate(facts, d("2025-02-28"))
    assert one(result, "probleemanalyse").status == "overdue"
    assert one(result, "start_spoor_2").status == "upcoming"
    assert [ob for ob in result.obligations if ob.code == "voortgangsrapportage"] == []
    assert result.sick_week == 8


def test_before_the_first_sick_day_nothing_is_open() -> None:
    result = evaluate(case(period(D)), d("2025-01-05"))
    assert result.sick_week is None
    assert {ob.status for ob in result.obligations} == {"upcoming"}
    assert all(items == () for items in result.outstanding.values())
    assert result.loonsanctie_risk is False
    assert one(evaluate(case(period(D)), d(D)), "probleemanalyse").status == "open"


def test_order_and_outstanding() -> None:
    facts = case(
        period("2024-06-03"),
        milestones=(ms("probleemanalyse", "2024-07-01"),),
        tracks=(Track("b", 2, d("2025-01-10")), Track("a", 3, d("2025-01-20"))),
    )
    result = evaluate(facts, d("2025-03-10"))
    keys = [(ob.due_on, ob.code, ob.period or "", ob.track_id or "") for ob in result.obligations]
    assert keys == sorted(keys)
    assert set(result.outstanding) == set(PARTIES)
    for party, items in result.outstanding.items():
        assert list(items) == [
            ob for ob in result.obligations if party in ob.parties and ob.status in ("open", "overdue")
        ]
    assert result.loonsanctie_risk == any(
        ob.status == "overdue" and "werkgever" in ob.parties for ob in result.obligations
    )
    january = [ob.track_id for ob in result.obligations if ob.period == "2025-01"]
    assert january == ["a", "b"]


def test_only_an_overdue_werkgever_item_is_a_loonsanctie_risk() -> None:
    # Everything of the werkgever done; the werknemer's WIA-aanvraag and UWV's kennisgeving overdue.
    werkgever_codes = (
        "probleemanalyse",
        "plan_van_aanpak",
        "casemanager",
        "ziekmelding_uwv",
        "eerstejaarsevaluatie",
    )
    done = (
        *(ms(code, "2024-03-01") for code in werkgever_codes),
        *(ms(code, "2025-10-01") for code in ("actueel_oordeel", "eindevaluatie", "reintegratieverslag")),
        ms("voortgangsgesprek", "2025-12-20"),
        ms("spoor_2_niet_ingezet", "2025-01-05", until=d("2026-03-01")),
        ms("ziekmelding_uwv", "2024-03-01"),
        ms("wia_kennisgeving", "2025-12-20"),
    )
    result = evaluate(case(period("2024-01-15"), milestones=done), d("2026-01-01"))
    overdue = {ob.code for ob in result.obligations if ob.status == "overdue"}
    assert overdue == set()
    # E - 77 = 2025-10-26; the late notice (after sickday(622) = 2025-09-28) moves A to 2025-12-20 + 28 -> Monday.
    assert (one(result, "wia_aanvraag").due_on, one(result, "wia_aanvraag").status) == (d("2026-01-19"), "open")
    assert one(result, "start_spoor_2").status == "waived"
    assert result.loonsanctie_risk is False
    later = evaluate(case(period("2024-01-15"), milestones=done), d("2026-01-20"))
    assert {ob.code for ob in later.obligations if ob.status == "overdue"} == {"wia_aanvraag"}
    assert later.loonsanctie_risk is False  # the werknemer's item is no loonsanctie ground


def test_invalid_periods_raise_from_evaluate() -> None:
    with pytest.raises(CaseFactsError, match="starts a new case"):
        evaluate(case(period(D, "2025-01-31"), period("2025-03-01")), d("2025-04-01"))
    with pytest.raises(ValueError, match="leave"):
        evaluate(case(period(D), leave_periods=(leave("2024-12-01", "2025-01-10"),)), d("2025-04-01"))


# --- single-milestone checks and spoor 3 -----------------------------------------------------------------


_CLOCK = SickClock((period(D),))
_RECORDED_ON = d("2030-01-01")


@pytest.mark.parametrize(
    ("milestone", "field", "rule"),
    [
        (ms("probleemanalyse", "2025-01-05"), "occurred_on", "dated_before_first_sick_day"),
        (ms("probleemanalyse", "2030-01-02"), "occurred_on", "dated_after_recording_day"),
        (ms("diagnose", "2025-02-01"), "type", "unknown_type"),
        (
            ms("afwijking", "2025-02-01", obligation="koffie", new_due_on=d("2025-03-01")),
            "obligation",
            "afwijking_code",
        ),
        (
            ms("afwijking", "2025-02-01", obligation="start_spoor_2", new_due_on=d("2025-03-01")),
            "obligation",
            "afwijking_code",
        ),
        (
            ms("afwijking", "2025-02-01", obligation="plan_van_aanpak", new_due_on=d("2025-01-31")),
            "new_due_on",
            "new_due_on_before_occurred_on",
        ),
        (ms("loonsanctie", "2026-11-01"), "until", "until_required"),
        (ms("loonsanctie", "2026-11-01", until=d("2028-01-17")), "until", "loonsanctie_bounds"),
        (ms("wia_beslissing", "2027-01-04", percentage=120, uitkering="iva"), "percentage", "wia_percentage_range"),
        (ms("wia_beslissing", "2027-01-04", percentage=85, uitkering="geen"), "uitkering", "wia_uitkering_percentage"),
        (ms("herstelmelding", "2027-01-04"), "occurred_on", "herstelmelding_without_loonsanctie"),
    ],
)
def test_check_milestone_rejects(milestone: Milestone, field: str, rule: str) -> None:
    with pytest.raises(CaseFactsError) as raised:
        check_milestone(milestone, _CLOCK, (period(D),), (), (), _RECORDED_ON)
    assert (raised.value.field, raised.value.rule) == (field, rule)


def test_check_milestone_accepts() -> None:
    check_milestone(ms("loonsanctie", "2026-11-01", until=d("2028-01-16")), _CLOCK, (period(D),), (), (), _RECORDED_ON)
    afwijking = ms("afwijking", D, obligation="eerstejaarsevaluatie", new_due_on=d(D))
    check_milestone(afwijking, _CLOCK, (period(D),), (), (), _RECORDED_ON)


@pytest.mark.parametrize(
    ("percentage", "uitkering", "eigenrisicodrager", "allowed"),
    [
        (34, "geen", True, False),
        (35, "wga", True, True),
        (90, "wga", True, True),
        (80, "iva", True, False),
        (50, "wga", False, False),
    ],
)
def test_spoor_3_allowed(percentage: int, uitkering: str, eigenrisicodrager: bool, allowed: bool) -> None:
    decisions = [
        ms("wia_beslissing", "2027-01-01", percentage=10, uitkering="geen"),
        ms("wia_beslissing", "2027-02-01", percentage=percentage, uitkering=uitkering),
    ]
    assert spoor_3_allowed(decisions, eigenrisicodrager) is allowed
    assert spoor_3_allowed(decisions, eigenrisicodrager, d("2027-01-15")) is False
    assert spoor_3_allowed([], True) is False
