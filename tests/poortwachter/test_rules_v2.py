"""Rules v2 that the worked examples do not reach, one by one (domain sections 2, 2a and 3)."""

from datetime import date

from app.poortwachter import SubmittedReport, Track, evaluate

from . import case, d, ms, one, period

D = "2025-01-06"  # a Monday; E = 2027-01-03


def test_no_usable_possibilities_waives_the_plan_until_a_later_probleemanalyse() -> None:
    flagged = ms("probleemanalyse", "2025-02-12", id="pa1", geen_benutbare_mogelijkheden=True)
    result = evaluate(case(period(D), milestones=(flagged,)), d("2025-06-01"))
    for code, due in (
        ("plan_van_aanpak", "2025-02-26"),
        ("casemanager", "2025-02-26"),
        ("voortgangsgesprek", "2025-04-09"),
    ):
        ob = one(result, code)
        assert (ob.status, ob.due_on, ob.evidence_id) == ("waived", d(due), "pa1"), code
    assert one(result, "plan_van_aanpak").window_opens_on == d("2025-02-12")
    assert result.loonsanctie_risk is False
    # A later probleemanalyse that finds possibilities is the PvA trigger: its date + 14.
    later = ms("probleemanalyse", "2025-05-01", id="pa2")
    result = evaluate(case(period(D), milestones=(flagged, later)), d("2025-06-01"))
    pva = one(result, "plan_van_aanpak")
    assert (pva.status, pva.due_on, pva.window_opens_on, pva.overdue_by_days) == (
        "overdue",
        d("2025-05-15"),
        d("2025-05-01"),
        17,
    )
    # A plan van aanpak made anyway ends the waiver of the others.
    made = ms("plan_van_aanpak", "2025-03-01", id="pva")
    result = evaluate(case(period(D), milestones=(flagged, made)), d("2025-06-01"))
    assert one(result, "plan_van_aanpak").status == "done"
    assert one(result, "casemanager").status == "overdue"
    assert one(result, "voortgangsgesprek").due_on == d("2025-04-12")


def test_casemanager_named_in_a_bijstelling_fulfils_it() -> None:
    facts = case(
        period(D),
        milestones=(
            ms("probleemanalyse", "2025-02-12"),
            ms("plan_van_aanpak", "2025-02-20", id="pva"),
            ms("bijstelling_plan_van_aanpak", "2025-03-10", id="bs", casemanager="M. Jansen"),
        ),
    )
    cm = one(evaluate(facts, d("2025-04-01")), "casemanager")
    assert (cm.status, cm.completed_on, cm.late_by_days, cm.evidence_id) == ("done", d("2025-03-10"), 12, "bs")


def test_actueel_oordeel_counts_only_inside_its_window_and_a_verlenging_asks_for_supplements() -> None:
    # W91 = sickday(602) = 2026-08-31.
    early = (
        ms("actueel_oordeel", "2026-08-30"),
        ms("eindevaluatie", "2026-09-01"),
        ms("reintegratieverslag", "2026-09-01"),
    )
    result = evaluate(case(period(D), milestones=early), d("2026-10-05"))
    assert (one(result, "actueel_oordeel").status, one(result, "actueel_oordeel").overdue_by_days) == ("overdue", 1)
    assert one(result, "eindevaluatie").status == "done"
    verlengd = (*early, ms("verlenging_loondoorbetaling", "2026-09-15", until=d("2027-04-04")))
    result = evaluate(case(period(D), milestones=verlengd), d("2026-10-05"))
    # E' = 2027-04-04: due E' - 91 = 2027-01-03, W91 = E' - 125 = 2026-11-30; made before the verlenging: open again.
    for code in ("eindevaluatie", "reintegratieverslag", "actueel_oordeel"):
        ob = one(result, code)
        assert (ob.status, ob.due_on, ob.window_opens_on) == ("upcoming", d("2027-01-03"), d("2026-11-30")), code
    assert (result.wachttijd_end, result.verlenging_end) == (d("2027-01-03"), d("2027-04-04"))


def test_a_gesprek_afwijking_ends_with_the_next_gesprek() -> None:
    base = (
        ms("probleemanalyse", "2025-02-12"),
        ms("plan_van_aanpak", "2025-02-20"),
        ms("voortgangsgesprek", "2025-04-01"),
    )
    pause = ms("afwijking", "2025-04-20", obligation="voortgangsgesprek", new_due_on=d("2025-08-01"))
    result = evaluate(case(period(D), milestones=(*base, pause)), d("2025-06-01"))
    assert (one(result, "voortgangsgesprek").due_on, one(result, "voortgangsgesprek").status) == (
        d("2025-08-01"),
        "open",
    )
    held = ms("voortgangsgesprek", "2025-06-10")
    result = evaluate(case(period(D), milestones=(*base, pause, held)), d("2025-06-15"))
    assert one(result, "voortgangsgesprek").due_on == d("2025-07-22")  # 2025-06-10 + 42: the pause no longer applies


def test_spoor_3_reports_outlive_the_pay_and_spoor_2_months_stop_at_l() -> None:
    # D 2023-01-09, E = L = 2025-01-05 (an aanvraag in time).
    facts = case(
        period("2023-01-09"),
        milestones=(
            ms("ziekmelding_uwv", "2023-10-20"),
            ms("wia_kennisgeving", "2024-09-15"),
            ms("wia_aanvraag", "2024-10-01"),
        ),
        tracks=(Track("s2", 2, d("2024-11-04")), Track("late", 2, d("2025-02-03")), Track("s3", 3, d("2025-01-06"))),
        reports=(SubmittedReport("r1", "s2", "2024-11", d("2024-12-05")),),
    )
    result = evaluate(facts, d("2025-03-20"))
    assert result.phase == "na_wachttijd"
    spoor_2 = [(ob.period, ob.status) for ob in result.obligations if ob.track_id == "s2"]
    assert spoor_2 == [("2024-11", "done"), ("2024-12", "lapsed"), ("2025-01", "lapsed")]
    assert not [ob for ob in result.obligations if ob.track_id == "late"]  # started after L: no reports
    spoor_3 = [(ob.period, ob.status) for ob in result.obligations if ob.track_id == "s3"]
    assert spoor_3 == [("2025-01", "overdue"), ("2025-02", "overdue"), ("2025-03", "upcoming")]
    assert result.loonsanctie_risk is False  # a report is no loonsanctie ground
    assert one(result, "start_spoor_2").status == "done"


def test_bijstellingsadvies_after_l_raises_no_item() -> None:
    facts = case(
        period("2023-01-09"),
        milestones=(
            ms("ziekmelding_uwv", "2023-10-20"),
            ms("wia_kennisgeving", "2024-09-15"),
            ms("wia_aanvraag", "2024-10-01"),
            ms("bijstellingsadvies", "2025-01-05"),
            ms("bijstellingsadvies", "2025-01-06"),
            # Names the advice of 2025-01-06 (after L: no item), not the one before it.
            ms("afwijking", "2025-01-07", obligation="bijstelling_plan_van_aanpak", new_due_on=d("2025-02-01")),
        ),
    )
    items = [ob for ob in evaluate(facts, d("2025-03-01")).obligations if ob.code == "bijstelling_plan_van_aanpak"]
    assert [(ob.due_on, ob.status) for ob in items] == [(d("2025-01-19"), "lapsed")]


def test_ziek_uit_dienst_needs_the_end_by_e_sickness_on_the_last_working_day_and_six_weeks_for_the_riv() -> None:
    # T on Sunday 2025-02-09, lwd Friday 2025-02-07: 32 days after D, so only the melding.
    short = case(period(D), milestones=(ms("einde_dienstverband", "2025-01-20", until=d("2025-02-09")),))
    result = evaluate(short, d("2025-02-05"))
    melding = one(result, "ziekmelding_uit_dienst")
    assert (melding.due_on, melding.window_opens_on, melding.status) == (d("2025-02-07"), d("2025-01-20"), "open")
    assert not [ob for ob in result.obligations if ob.code == "reintegratieverslag_uit_dienst"]
    after = evaluate(short, d("2025-02-10"))
    assert (after.phase, after.loondoorbetaling_end) == ("uit_dienst", d("2025-02-09"))
    assert one(after, "probleemanalyse").status == "lapsed"
    assert one(after, "ziekmelding_uit_dienst").overdue_by_days == 3
    # Recovered before the last working day: no ziek-uit-dienst items.
    recovered = case(period(D, "2025-02-01"), milestones=short.milestones)
    assert not [ob for ob in evaluate(recovered, d("2025-02-05")).obligations if "uit_dienst" in ob.code]
    # Ending after E (during a verlenging): no items, L = T.
    late = case(
        period(D),
        milestones=(
            ms("verlenging_loondoorbetaling", "2026-10-01", until=d("2027-06-01")),
            ms("einde_dienstverband", "2026-12-01", until=d("2027-03-31")),
        ),
    )
    result = evaluate(late, d("2027-02-01"))
    assert not [ob for ob in result.obligations if "uit_dienst" in ob.code]
    assert (result.loondoorbetaling_end, result.phase) == (d("2027-03-31"), "verlengd_tijdvak")


def test_the_42e_weeksmelding_grace_runs_to_the_first_working_day() -> None:
    # D 2025-01-01: due sickday(294) = Thursday 2025-10-22 ... choose a D that puts it on a Saturday.
    first = date(2025, 1, 4)  # due 2025-10-25, a Saturday; grace day Monday 2025-10-27
    facts = case(period(first.isoformat()))
    assert one(evaluate(facts, d("2025-10-27")), "ziekmelding_uwv").status == "open"
    late = one(evaluate(facts, d("2025-10-29")), "ziekmelding_uwv")
    assert (late.due_on, late.status, late.overdue_by_days) == (d("2025-10-25"), "overdue", 2)
    done = case(period(first.isoformat()), milestones=(ms("ziekmelding_uwv", "2025-10-28"),))
    assert one(evaluate(done, d("2025-11-01")), "ziekmelding_uwv").late_by_days == 1


def test_a_running_loonsanction_is_a_risk_until_repaired_and_a_late_refusal_shortens_it() -> None:
    # D 2023-05-08, E = B = 2025-05-04 (aanvraag in time); sanction decided in time until E + 364.
    base = (
        ms("ziekmelding_uwv", "2024-02-26"),
        ms("wia_kennisgeving", "2025-01-13"),
        ms("wia_aanvraag", "2025-02-10"),
        ms("loonsanctie", "2025-03-20", until=d("2026-05-03")),
        ms("herstelmelding", "2025-09-01"),
        ms("herstelbeslissing", "2025-09-29", hersteld=False),  # 7 days late (due 2025-09-22)
    )
    result = evaluate(case(period("2023-05-08"), milestones=base), d("2025-10-01"))
    assert result.loondoorbetaling_end == d("2026-04-26")  # a late decision, whatever its outcome, ends it earlier
    assert result.loonsanctie_risk is True
    assert one(result, "beslissing_herstelmelding").late_by_days == 7
    repaired = (*base, ms("herstelmelding", "2025-10-10"), ms("herstelbeslissing", "2025-10-20", hersteld=True))
    result = evaluate(case(period("2023-05-08"), milestones=repaired), d("2025-10-25"))
    # S = min(until, P + 42) = 2025-12-01, less 7 for the late refusal: 2025-11-24.
    assert (result.loondoorbetaling_end, result.phase) == (d("2025-11-24"), "verlengd_tijdvak")
    assert [ob.status for ob in result.obligations if ob.code == "beslissing_herstelmelding"] == ["done", "done"]


def test_a_last_day_after_as_of_is_still_sick_and_a_gap_is_a_recovery_day() -> None:
    facts = case(period(D, "2025-03-31"), period("2025-04-15"))
    assert evaluate(facts, d("2025-03-31")).phase == "wachttijd"
    gap = evaluate(facts, d("2025-04-01"))
    assert (gap.phase, gap.sick_week) == ("hersteld", None)
    back = evaluate(facts, d("2025-04-15"))
    assert (back.phase, back.sick_week) == ("wachttijd", 13)  # 84 counted days before it
