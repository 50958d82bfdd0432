"""The worked examples A-D of domain section 7, every date and status they give."""

from app.poortwachter import PARTIES, Obligation, Track, evaluate

from . import case, codes, d, ms, one, period


def test_example_a_baseline() -> None:
    facts = case(period("2025-01-06"), milestones=(ms("probleemanalyse", "2025-02-12", id="pa-1"),))
    result = evaluate(facts, d("2025-03-03"))

    assert result.first_sick_day == d("2025-01-06")
    assert result.wachttijd_end == d("2027-01-03")
    assert result.loondoorbetaling_end == d("2027-01-03")
    assert result.sick_week == 9

    pa = one(result, "probleemanalyse")
    assert (pa.due_on, pa.status, pa.completed_on, pa.late_by_days) == (
        d("2025-02-16"),
        "done",
        d("2025-02-12"),
        0,
    )
    assert pa.evidence_id == "pa-1"
    assert pa.window_opens_on == d("2025-01-06")
    for code in ("plan_van_aanpak", "casemanager"):
        ob = one(result, code)
        assert (ob.due_on, ob.status, ob.window_opens_on) == (d("2025-02-26"), "overdue", d("2025-02-12"))
        assert ob.completed_on is None and ob.late_by_days is None and ob.waiting_for is None
    gesprek = one(result, "voortgangsgesprek")
    assert (gesprek.due_on, gesprek.status, gesprek.waiting_for) == (
        d("2025-04-09"),
        "upcoming",
        "plan_van_aanpak",
    )
    expected_due = {
        "ziekmelding_uwv": "2025-10-27",
        "eerstejaarsevaluatie": "2026-01-04",
        "start_spoor_2": "2026-02-15",
        "wia_kennisgeving": "2026-09-20",
        "actueel_oordeel": "2026-10-04",
        "eindevaluatie": "2026-10-04",
        "reintegratieverslag": "2026-10-04",
        "wia_aanvraag": "2026-10-18",
    }
    for code, due in expected_due.items():
        ob = one(result, code)
        assert ob.due_on == d(due), code
        assert ob.status == "upcoming", code
    assert sorted(codes(result.outstanding["werkgever"])) == ["casemanager", "plan_van_aanpak"]
    assert all(ob.status == "overdue" for ob in result.outstanding["werkgever"])
    assert result.loonsanctie_risk is True
    assert set(result.outstanding) == set(PARTIES)


def test_example_a_wire_shape_item() -> None:
    """The plan van aanpak item of design section 7, field by field."""
    facts = case(period("2025-01-06"), milestones=(ms("probleemanalyse", "2025-02-12"),))
    result = evaluate(facts, d("2025-03-03"))
    assert one(result, "plan_van_aanpak") == Obligation(
        code="plan_van_aanpak",
        title="Plan van aanpak",
        parties=("werkgever", "werknemer"),
        legal_basis="Wet WIA art. 25 lid 2; BW 7:658a lid 3; Regeling procesgang eerste en tweede ziektejaar art. 4 "
        "lid 1 en 3",
        due_on=d("2025-02-26"),
        window_opens_on=d("2025-02-12"),
        status="overdue",
    )


EXAMPLE_B = case(
    period("2023-03-01"),
    milestones=(
        ms("probleemanalyse", "2023-04-20"),
        ms("plan_van_aanpak", "2023-05-02"),
        ms("casemanager", "2023-05-02"),
        ms("voortgangsgesprek", "2023-06-12"),
        ms("voortgangsgesprek", "2023-07-20"),
        ms("voortgangsgesprek", "2023-08-31"),
        ms("voortgangsgesprek", "2023-10-10"),
        ms("voortgangsgesprek", "2023-11-20"),
        ms("voortgangsgesprek", "2024-01-02"),
        ms("bijstellingsadvies", "2023-10-02"),
        ms("bijstelling_plan_van_aanpak", "2023-10-10"),
        ms("ziekmelding_uwv", "2023-12-18"),
    ),
)


def test_example_b_crossing_29_february() -> None:
    result = evaluate(EXAMPLE_B, d("2024-02-28"))

    assert result.wachttijd_end == d("2025-02-25")
    pa = one(result, "probleemanalyse")
    assert (pa.due_on, pa.status, pa.late_by_days) == (d("2023-04-11"), "done", 9)
    for code in ("plan_van_aanpak", "casemanager"):
        ob = one(result, code)
        assert (ob.due_on, ob.status, ob.completed_on, ob.late_by_days) == (
            d("2023-05-04"),
            "done",
            d("2023-05-02"),
            0,
        )
    bijstelling = one(result, "bijstelling_plan_van_aanpak")
    assert (bijstelling.due_on, bijstelling.status, bijstelling.completed_on) == (
        d("2023-10-16"),
        "done",
        d("2023-10-10"),
    )
    ziekmelding = one(result, "ziekmelding_uwv")
    assert (ziekmelding.due_on, ziekmelding.status, ziekmelding.late_by_days) == (d("2023-12-20"), "done", 0)
    gesprek = one(result, "voortgangsgesprek")
    assert (gesprek.due_on, gesprek.status) == (d("2024-02-13"), "overdue")
    eje = one(result, "eerstejaarsevaluatie")
    assert (eje.due_on, eje.status) == (d("2024-02-27"), "overdue")
    spoor_2 = one(result, "start_spoor_2")
    assert (spoor_2.due_on, spoor_2.status, spoor_2.waiting_for) == (d("2024-04-09"), "open", None)


def test_example_b_start_spoor_2_the_day_before_the_window() -> None:
    """On the eerstejaarsevaluatie's due date itself that date has not passed yet."""
    spoor_2 = one(evaluate(EXAMPLE_B, d("2024-02-27")), "start_spoor_2")
    assert (spoor_2.status, spoor_2.waiting_for) == ("upcoming", "eerstejaarsevaluatie")
    assert spoor_2.window_opens_on == d("2024-02-28")


def test_example_b_spoor_2_track_fulfils_start_spoor_2() -> None:
    facts = case(
        *EXAMPLE_B.absence_periods,
        milestones=EXAMPLE_B.milestones,
        tracks=(Track("t-2", 2, d("2024-04-12")),),
    )
    spoor_2 = one(evaluate(facts, d("2024-05-01")), "start_spoor_2")
    assert (spoor_2.status, spoor_2.completed_on, spoor_2.late_by_days, spoor_2.evidence_id) == (
        "done",
        d("2024-04-12"),
        3,
        "t-2",
    )


def test_example_c_samentelling() -> None:
    facts = case(period("2025-03-03", "2025-03-30"), period("2025-04-21"))
    result = evaluate(facts, d("2025-05-06"))

    pa = one(result, "probleemanalyse")
    assert (pa.due_on, pa.status) == (d("2025-05-04"), "overdue")
    for code in ("plan_van_aanpak", "casemanager"):
        ob = one(result, code)
        assert (ob.due_on, ob.status, ob.waiting_for, ob.window_opens_on) == (
            d("2025-05-18"),
            "upcoming",
            "probleemanalyse",
            None,
        )
    assert one(result, "ziekmelding_uwv").due_on == d("2026-01-12")
    assert result.wachttijd_end == d("2027-03-21")


def test_example_c_projected_deadline_turns_overdue_after_it() -> None:
    facts = case(period("2025-03-03", "2025-03-30"), period("2025-04-21"))
    assert one(evaluate(facts, d("2025-05-18")), "plan_van_aanpak").status == "upcoming"
    pva = one(evaluate(facts, d("2025-05-19")), "plan_van_aanpak")
    assert (pva.status, pva.due_on) == ("overdue", d("2025-05-18"))


def test_example_d_verlenging() -> None:
    facts = case(
        period("2024-01-15"),
        milestones=(
            ms("verlenging_loondoorbetaling", "2025-11-20", until=d("2026-04-12")),
            ms("afwijking", "2025-01-10", obligation="start_spoor_2", id="afw-1"),
        ),
    )
    result = evaluate(facts, d("2025-12-01"))

    assert result.wachttijd_end == d("2026-04-12")
    assert result.loondoorbetaling_end == d("2026-04-12")
    for code in ("eindevaluatie", "reintegratieverslag", "actueel_oordeel"):
        assert one(result, code).due_on == d("2026-01-11"), code
    assert one(result, "wia_aanvraag").due_on == d("2026-01-25")
    spoor_2 = one(result, "start_spoor_2")
    assert (spoor_2.status, spoor_2.evidence_id) == ("waived", "afw-1")


def test_example_d_without_verlenging() -> None:
    result = evaluate(case(period("2024-01-15")), d("2025-12-01"))
    assert result.wachttijd_end == d("2026-01-11")
    assert one(result, "eindevaluatie").due_on == d("2025-10-12")
    assert one(result, "wia_aanvraag").due_on == d("2025-10-26")
