"""Milestones of rules v2 (domain section 4): the new types, their fields and each validation as a 422 naming
its rule. Every test here fails on the v1 code (unknown types or fields, or a fact v1 accepted)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from app.cases import service as cases_service
from tests.conftest import World, assert_problem, create_case


async def _post(world: World, case_id: str, actor: str = "bureau", **body: Any) -> Any:
    return await getattr(world, actor).post(f"/v1/cases/{case_id}/milestones", json=body)


def _rule(response: Any, rule: str, field: str | None = None) -> None:
    problem = assert_problem(response, 422)
    assert problem["rule"] == rule, problem
    if field is not None:
        assert problem["errors"][0]["field"] == field, problem


async def test_new_types_with_their_fields(world: World) -> None:
    case = await create_case(world)
    cid = case["id"]
    pa = await _post(
        world, cid, "arbodienst", type="probleemanalyse", occurred_on="2025-02-12", geen_benutbare_mogelijkheden=True
    )
    assert pa.status_code == 201, pa.text
    assert pa.json()["geen_benutbare_mogelijkheden"] is True
    pva = await _post(world, cid, "employer", type="plan_van_aanpak", occurred_on="2025-02-20", casemanager="M. Jansen")
    assert pva.json()["casemanager"] == "M. Jansen"
    oordeel = await _post(
        world, cid, "employer", type="oordeel_werknemer", occurred_on="2025-03-01", agreement="deels_eens"
    )
    assert oordeel.status_code == 201, oordeel.text
    assert oordeel.json()["agreement"] == "deels_eens"
    hervatting = await _post(
        world,
        cid,
        type="gedeeltelijke_hervatting",
        occurred_on="2025-04-14",
        percentage=50,
        hours_per_week=18.5,
        werk="eigen_werk",
    )
    assert hervatting.status_code == 201, hervatting.text
    assert (hervatting.json()["percentage"], hervatting.json()["hours_per_week"], hervatting.json()["werk"]) == (
        50,
        18.5,
        "eigen_werk",
    )
    afw = await _post(
        world,
        cid,
        type="afwijking",
        occurred_on="2025-05-20",
        obligation="voortgangsgesprek",
        reason="klinische revalidatie",
        new_due_on="2025-07-31",
    )
    assert afw.json()["new_due_on"] == "2025-07-31"
    s2 = await _post(
        world,
        cid,
        type="spoor_2_niet_ingezet",
        occurred_on="2026-01-04",
        reason="terugkeer_eigen_werk",
        until="2026-04-05",
    )
    assert (s2.json()["reason"], s2.json()["until"]) == ("terugkeer_eigen_werk", "2026-04-05")
    einde = await _post(world, cid, type="einde_dienstverband", occurred_on="2025-07-01", until="2025-08-31")
    assert einde.json()["until"] == "2025-08-31"
    for kind in ("ziekmelding_uit_dienst", "reintegratieverslag_uit_dienst"):
        assert (await _post(world, cid, "employer", type=kind, occurred_on="2025-08-28")).status_code == 201
    wia = await _post(world, cid, type="wia_beslissing", occurred_on="2026-11-20", percentage=55, uitkering="wga")
    assert (wia.json()["percentage"], wia.json()["uitkering"]) == (55, "wga")
    listed = (await world.employer.get(f"/v1/cases/{cid}/milestones")).json()["items"]
    assert len(listed) == 10
    unknown = await _post(world, cid, "employer", type="oordeel_werknemer", occurred_on="2025-03-01", agreement="ja")
    assert_problem(unknown, 422)
    missing = await _post(world, cid, "employer", type="oordeel_werknemer", occurred_on="2025-03-01")
    assert_problem(missing, 422)


@pytest.mark.parametrize(
    ("actor", "kind", "body", "allowed"),
    [
        ("arbodienst", "oordeel_werknemer", {"agreement": "eens"}, False),
        ("employer", "oordeel_werknemer", {"agreement": "eens"}, True),
        ("arbodienst", "einde_dienstverband", {"until": "2025-09-30"}, False),
        ("employer", "einde_dienstverband", {"until": "2025-09-30"}, True),
        (
            "arbodienst",
            "gedeeltelijke_hervatting",
            {"percentage": 50, "hours_per_week": 20, "werk": "ander_werk"},
            False,
        ),
        ("employer", "spoor_2_niet_ingezet", {"reason": "aow_binnen_jaar", "until": "2025-06-01"}, True),
        ("arbodienst", "ziekmelding_uit_dienst", {}, False),
        ("bureau", "reintegratieverslag_uit_dienst", {}, True),
    ],
)
async def test_recording_rights_v2(world: World, actor: str, kind: str, body: dict[str, Any], allowed: bool) -> None:
    case = await create_case(world)
    response = await _post(world, case["id"], actor, type=kind, occurred_on="2025-03-01", **body)
    if allowed:
        assert response.status_code == 201, response.text
    else:
        assert_problem(response, 403)


async def test_dated_after_the_recording_day(world: World) -> None:
    case = await create_case(world)
    tomorrow = (cases_service.today() + timedelta(days=1)).isoformat()
    _rule(
        await _post(world, case["id"], type="voortgangsgesprek", occurred_on=tomorrow),
        "dated_after_recording_day",
        "occurred_on",
    )
    today = cases_service.today().isoformat()
    assert (await _post(world, case["id"], type="voortgangsgesprek", occurred_on=today)).status_code == 201
    # Forward-looking fields may lie ahead.
    ahead = (cases_service.today() + timedelta(days=90)).isoformat()
    afw = await _post(
        world,
        case["id"],
        type="afwijking",
        occurred_on=today,
        obligation="voortgangsgesprek",
        reason="pauze",
        new_due_on=ahead,
    )
    assert afw.status_code == 201, afw.text


async def test_afwijking_rules(world: World) -> None:
    case = await create_case(world)
    cid = case["id"]
    for code in ("start_spoor_2", "ziekmelding_uwv", "wia_aanvraag", "reintegratieverslag", "voortgangsrapportage"):
        response = await _post(
            world, cid, type="afwijking", occurred_on="2025-03-01", obligation=code, reason="x", new_due_on="2025-04-01"
        )
        _rule(response, "afwijking_code", "obligation")
        assert "Regeling art. 2 and 4" in response.json()["detail"]
    early = await _post(
        world,
        cid,
        type="afwijking",
        occurred_on="2025-03-01",
        obligation="plan_van_aanpak",
        reason="x",
        new_due_on="2025-02-28",
    )
    _rule(early, "new_due_on_before_occurred_on", "new_due_on")
    # new_due_on is required (v2) and so is a reason.
    assert_problem(
        await _post(world, cid, type="afwijking", occurred_on="2025-03-01", obligation="plan_van_aanpak", reason="x"),
        422,
    )
    assert_problem(
        await _post(
            world,
            cid,
            type="afwijking",
            occurred_on="2025-03-01",
            obligation="plan_van_aanpak",
            reason="",
            new_due_on="2025-03-05",
        ),
        422,
    )
    same_day = await _post(
        world,
        cid,
        type="afwijking",
        occurred_on="2025-03-01",
        obligation="plan_van_aanpak",
        reason="ziekenhuis",
        new_due_on="2025-03-01",
    )
    assert same_day.status_code == 201, same_day.text


async def test_wia_beslissing_uitkering_must_fit(world: World) -> None:
    case = await create_case(world)
    cid = case["id"]
    for percentage, uitkering in ((34, "wga"), (35, "geen"), (79, "iva"), (20, "iva"), (100, "geen")):
        response = await _post(
            world, cid, type="wia_beslissing", occurred_on="2026-11-01", percentage=percentage, uitkering=uitkering
        )
        _rule(response, "wia_uitkering_percentage", "uitkering")
    assert_problem(await _post(world, cid, type="wia_beslissing", occurred_on="2026-11-01", percentage=50), 422)
    for percentage, uitkering in ((34, "geen"), (35, "wga"), (90, "wga"), (80, "iva"), (100, "iva")):
        response = await _post(
            world, cid, type="wia_beslissing", occurred_on="2026-11-01", percentage=percentage, uitkering=uitkering
        )
        assert response.status_code == 201, response.text


async def test_verlenging_spoor_2_niet_ingezet_and_einde_dienstverband(world: World) -> None:
    case = await create_case(world)  # D 2025-01-06, E 2027-01-03
    cid = case["id"]
    on_e = await _post(world, cid, type="verlenging_loondoorbetaling", occurred_on="2026-10-01", until="2027-01-03")
    _rule(on_e, "verlenging_until_not_after_wachttijd_end", "until")
    ok = await _post(world, cid, type="verlenging_loondoorbetaling", occurred_on="2026-10-01", until="2027-01-04")
    assert ok.status_code == 201, ok.text
    same = await _post(
        world,
        cid,
        type="spoor_2_niet_ingezet",
        occurred_on="2026-01-04",
        reason="terugkeer_eigen_werk",
        until="2026-01-04",
    )
    _rule(same, "spoor_2_niet_ingezet_until", "until")
    bad_reason = await _post(
        world, cid, type="spoor_2_niet_ingezet", occurred_on="2026-01-04", reason="geen_zin", until="2026-04-04"
    )
    assert_problem(bad_reason, 422)
    before_d = await _post(world, cid, type="einde_dienstverband", occurred_on="2025-02-01", until="2025-01-05")
    _rule(before_d, "einde_dienstverband_before_first_sick_day", "until")
    assert_problem(await _post(world, cid, type="einde_dienstverband", occurred_on="2025-02-01"), 422)


async def test_gedeeltelijke_hervatting_rules(world: World) -> None:
    case = await create_case(
        world,
        absence_periods=[
            {"first_day": "2025-01-06", "last_day": "2025-02-09"},
            {"first_day": "2025-02-20", "last_day": None},
        ],
    )
    cid = case["id"]
    body = {"type": "gedeeltelijke_hervatting", "percentage": 100, "hours_per_week": 36, "werk": "eigen_werk"}
    _rule(await _post(world, cid, occurred_on="2025-03-03", **body), "hervatting_is_full_recovery", "percentage")
    body["werk"] = "aangepast_werk"
    assert (await _post(world, cid, occurred_on="2025-03-03", **body)).status_code == 201
    _rule(await _post(world, cid, occurred_on="2025-02-15", **body), "hervatting_outside_absence_period", "occurred_on")
    for bad in (
        {"percentage": 0},
        {"percentage": 101},
        {"hours_per_week": 0},
        {"hours_per_week": 0.004},
        {"hours_per_week": 60.5},
        {"werk": "thuis"},
        {"percentage": None},
    ):
        wrong = {**body, **bad}
        if wrong.get("percentage") is None:
            wrong.pop("percentage")
        assert_problem(await _post(world, cid, occurred_on="2025-03-03", **wrong), 422)


async def test_casemanager_given_but_empty(world: World) -> None:
    case = await create_case(world)
    for kind in ("plan_van_aanpak", "bijstelling_plan_van_aanpak"):
        response = await _post(world, case["id"], type=kind, occurred_on="2025-03-01", casemanager="  ")
        assert_problem(response, 422)


async def test_loonsanctie_bounds_and_herstel_lifecycle(world: World) -> None:
    """Example I: D 2023-05-08, E = B = 2025-05-04; a decision by B - 42 = 2025-03-23 is in time."""
    case = await create_case(world, absence_periods=[{"first_day": "2023-05-08", "last_day": None}])
    cid = case["id"]
    for kind, on in (
        ("ziekmelding_uwv", "2024-02-26"),
        ("wia_kennisgeving", "2025-01-13"),
        ("wia_aanvraag", "2025-02-10"),
    ):
        assert (await _post(world, cid, type=kind, occurred_on=on)).status_code == 201
    melding = await _post(world, cid, type="herstelmelding", occurred_on="2025-03-10")
    _rule(melding, "herstelmelding_without_loonsanctie", "occurred_on")
    after_b = await _post(world, cid, type="loonsanctie", occurred_on="2025-05-05", until="2026-01-01")
    _rule(after_b, "loonsanctie_after_wachttijd_end", "occurred_on")
    not_after_b = await _post(world, cid, type="loonsanctie", occurred_on="2025-03-20", until="2025-05-04")
    _rule(not_after_b, "loonsanctie_bounds", "until")
    too_long = await _post(world, cid, type="loonsanctie", occurred_on="2025-03-20", until="2026-05-04")
    _rule(too_long, "loonsanctie_bounds", "until")
    # Decided 11 days late: at most B + 364 - 11.
    late_too_long = await _post(world, cid, type="loonsanctie", occurred_on="2025-04-03", until="2026-05-03")
    _rule(late_too_long, "loonsanctie_bounds", "until")
    late = await _post(world, cid, type="loonsanctie", occurred_on="2025-04-03", until="2026-04-22")
    assert late.status_code == 201, late.text
    in_time = await _post(world, cid, type="loonsanctie", occurred_on="2025-03-20", until="2026-05-03")
    assert in_time.status_code == 201, in_time.text
    beslissing = await _post(world, cid, type="herstelbeslissing", occurred_on="2025-08-30", hersteld=True)
    _rule(beslissing, "herstelbeslissing_without_herstelmelding", "occurred_on")
    assert (await _post(world, cid, type="herstelmelding", occurred_on="2025-09-01")).status_code == 201
    assert_problem(await _post(world, cid, type="herstelbeslissing", occurred_on="2025-09-29"), 422)
    done = await _post(world, cid, type="herstelbeslissing", occurred_on="2025-09-29", hersteld=True)
    assert done.json()["hersteld"] is True


async def test_loonsanctie_leave_moves_the_bound(world: World) -> None:
    """A WAZO leave during the sanction interrupts it (WIA 25(9)): the bound moves by its days."""
    case = await create_case(
        world,
        absence_periods=[{"first_day": "2023-05-08", "last_day": None}],
        leave_periods=[{"first_day": "2025-06-01", "last_day": "2025-06-10", "kind": "wazo"}],
    )
    cid = case["id"]  # the leave lies after E = B = 2025-05-04
    for kind, on in (
        ("ziekmelding_uwv", "2024-02-26"),
        ("wia_kennisgeving", "2025-01-13"),
        ("wia_aanvraag", "2025-02-10"),
    ):
        assert (await _post(world, cid, type=kind, occurred_on=on)).status_code == 201
    over = await _post(world, cid, type="loonsanctie", occurred_on="2025-03-20", until="2026-05-14")
    _rule(over, "loonsanctie_bounds", "until")
    ok = await _post(world, cid, type="loonsanctie", occurred_on="2025-03-20", until="2026-05-13")
    assert ok.status_code == 201, ok.text


@pytest.fixture
def recording_day(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Moves the day of recording (the service's clock) to a given date."""

    def move(day: str) -> None:
        monkeypatch.setattr(cases_service, "today", lambda: date.fromisoformat(day))

    return move


async def test_recording_day_follows_the_service_clock(world: World, recording_day: Any) -> None:
    case = await create_case(world)
    recording_day("2025-03-01")
    _rule(await _post(world, case["id"], type="casemanager", occurred_on="2025-03-02"), "dated_after_recording_day")
    assert (await _post(world, case["id"], type="casemanager", occurred_on="2025-03-01")).status_code == 201
