"""Compliance through the API: the worked examples of the domain page, end to end, and the portfolio."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.conftest import Actor, World, assert_problem, create_case


async def _milestones(actor: Actor, case_id: str, *facts: dict[str, Any]) -> None:
    for fact in facts:
        response = await actor.post(f"/v1/cases/{case_id}/milestones", json=fact)
        assert response.status_code == 201, response.text


async def _compliance(actor: Actor, case_id: str, as_of: str) -> dict[str, Any]:
    response = await actor.get(f"/v1/cases/{case_id}/compliance", params={"as_of": as_of})
    assert response.status_code == 200, response.text
    return dict(response.json())


def _by_code(compliance: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {ob["code"]: ob for ob in compliance["obligations"] if ob["code"] != "voortgangsrapportage"}


async def test_example_a_baseline(world: World) -> None:
    case = await create_case(world, absence_periods=[{"first_day": "2025-01-06", "last_day": None}])
    await _milestones(world.arbodienst, case["id"], {"type": "probleemanalyse", "occurred_on": "2025-02-12"})
    result = await _compliance(world.employer, case["id"], "2025-03-03")
    assert result["case_id"] == case["id"]
    assert result["first_sick_day"] == "2025-01-06"
    assert result["sick_week"] == 9
    assert result["wachttijd_end"] == "2027-01-03"
    assert result["loondoorbetaling_end"] == "2027-01-03"
    assert result["loonsanctie_risk"] is True
    ob = _by_code(result)
    assert ob["probleemanalyse"]["due_on"] == "2025-02-16"
    assert ob["probleemanalyse"]["status"] == "done"
    assert ob["probleemanalyse"]["late_by_days"] == 0
    assert ob["probleemanalyse"]["completed_on"] == "2025-02-12"
    assert ob["probleemanalyse"]["evidence_id"] is not None
    assert ob["probleemanalyse"]["parties"] == ["bedrijfsarts", "werkgever"]
    for code in ("plan_van_aanpak", "casemanager"):
        assert (ob[code]["due_on"], ob[code]["status"]) == ("2025-02-26", "overdue")
    assert ob["plan_van_aanpak"]["window_opens_on"] == "2025-02-12"
    assert ob["plan_van_aanpak"]["title"] == "Plan van aanpak"
    assert ob["voortgangsgesprek"]["due_on"] == "2025-04-09"
    assert ob["voortgangsgesprek"]["status"] == "upcoming"
    assert ob["voortgangsgesprek"]["waiting_for"] == "plan_van_aanpak"
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
        assert ob[code]["due_on"] == due, code
        assert ob[code]["status"] == "upcoming", code
    outstanding = {party: sorted(o["code"] for o in items) for party, items in result["outstanding"].items()}
    assert outstanding["werkgever"] == ["casemanager", "plan_van_aanpak"]
    assert outstanding["werknemer"] == ["plan_van_aanpak"]
    assert outstanding["bedrijfsarts"] == []
    assert outstanding["uwv"] == []
    assert outstanding["reintegratiebureau"] == []


async def test_example_b_crossing_29_february(world: World) -> None:
    case = await create_case(world, absence_periods=[{"first_day": "2023-03-01", "last_day": None}])
    facts = [{"type": "probleemanalyse", "occurred_on": "2023-04-20"}]
    facts += [{"type": t, "occurred_on": "2023-05-02"} for t in ("plan_van_aanpak", "casemanager")]
    facts += [
        {"type": "voortgangsgesprek", "occurred_on": d}
        for d in ("2023-06-12", "2023-07-20", "2023-08-31", "2023-10-10", "2023-11-20", "2024-01-02")
    ]
    facts += [
        {"type": "bijstellingsadvies", "occurred_on": "2023-10-02"},
        {"type": "bijstelling_plan_van_aanpak", "occurred_on": "2023-10-10"},
        {"type": "ziekmelding_uwv", "occurred_on": "2023-12-18"},
    ]
    await _milestones(world.bureau, case["id"], *facts)
    result = await _compliance(world.bureau, case["id"], "2024-02-28")
    ob = _by_code(result)
    assert result["wachttijd_end"] == "2025-02-25"
    assert (ob["probleemanalyse"]["due_on"], ob["probleemanalyse"]["status"]) == ("2023-04-11", "done")
    assert ob["probleemanalyse"]["late_by_days"] == 9
    assert (ob["plan_van_aanpak"]["due_on"], ob["plan_van_aanpak"]["status"]) == ("2023-05-04", "done")
    assert (ob["casemanager"]["due_on"], ob["casemanager"]["status"]) == ("2023-05-04", "done")
    bijstelling = ob["bijstelling_plan_van_aanpak"]
    assert (bijstelling["due_on"], bijstelling["status"]) == ("2023-10-16", "done")
    assert (ob["ziekmelding_uwv"]["due_on"], ob["ziekmelding_uwv"]["status"]) == ("2023-12-20", "done")
    assert (ob["voortgangsgesprek"]["due_on"], ob["voortgangsgesprek"]["status"]) == ("2024-02-13", "overdue")
    eje = ob["eerstejaarsevaluatie"]
    assert (eje["due_on"], eje["status"]) == ("2024-02-27", "overdue")
    assert (ob["start_spoor_2"]["due_on"], ob["start_spoor_2"]["status"]) == ("2024-04-09", "open")


async def test_example_c_samentelling(world: World) -> None:
    periods = [{"first_day": "2025-03-03", "last_day": "2025-03-30"}, {"first_day": "2025-04-21", "last_day": None}]
    case = await create_case(world, absence_periods=periods)
    result = await _compliance(world.bureau, case["id"], "2025-05-06")
    ob = _by_code(result)
    assert result["wachttijd_end"] == "2027-03-21"
    assert (ob["probleemanalyse"]["due_on"], ob["probleemanalyse"]["status"]) == ("2025-05-04", "overdue")
    pva = ob["plan_van_aanpak"]
    assert (pva["due_on"], pva["status"], pva["waiting_for"]) == ("2025-05-18", "upcoming", "probleemanalyse")
    assert ob["ziekmelding_uwv"]["due_on"] == "2026-01-12"


async def test_verlenging_moves_the_week_91_items(world: World) -> None:
    case = await create_case(world, absence_periods=[{"first_day": "2024-01-15", "last_day": None}])
    await _milestones(
        world.employer,
        case["id"],
        {"type": "verlenging_loondoorbetaling", "occurred_on": "2025-10-01", "until": "2026-04-12"},
    )
    result = await _compliance(world.bureau, case["id"], "2025-11-01")
    ob = _by_code(result)
    assert result["loondoorbetaling_end"] == "2026-04-12"
    for code in ("eindevaluatie", "reintegratieverslag", "actueel_oordeel"):
        assert ob[code]["due_on"] == "2026-01-11", code
    assert ob["wia_aanvraag"]["due_on"] == "2026-01-25"


async def test_loonsanctie_extends_loondoorbetaling_only(world: World) -> None:
    case = await create_case(world, absence_periods=[{"first_day": "2024-01-15", "last_day": None}])
    await _milestones(
        world.bureau, case["id"], {"type": "loonsanctie", "occurred_on": "2025-12-01", "until": "2026-06-01"}
    )
    result = await _compliance(world.bureau, case["id"], "2025-12-02")
    assert result["wachttijd_end"] == "2026-01-11"
    assert result["loondoorbetaling_end"] == "2026-06-01"


async def test_facts_after_as_of_do_not_count(world: World) -> None:
    case = await create_case(world)
    await _milestones(world.arbodienst, case["id"], {"type": "probleemanalyse", "occurred_on": "2025-02-12"})
    ob = _by_code(await _compliance(world.bureau, case["id"], "2025-02-11"))
    assert ob["probleemanalyse"]["status"] == "open"
    ob = _by_code(await _compliance(world.bureau, case["id"], "2025-02-17"))
    assert ob["probleemanalyse"]["status"] == "done"


async def test_closed_case_lapses(world: World) -> None:
    case = await create_case(world)
    closed = await world.bureau.post(
        f"/v1/cases/{case['id']}/close", json={"closed_on": "2025-02-20", "reason": "anders"}
    )
    assert closed.status_code == 200
    result = await _compliance(world.bureau, case["id"], "2025-03-03")
    assert {ob["status"] for ob in result["obligations"]} == {"lapsed"}
    assert result["loonsanctie_risk"] is False
    assert all(items == [] for items in result["outstanding"].values())


async def test_compliance_visibility_and_validation(world: World) -> None:
    case = await create_case(world)
    url = f"/v1/cases/{case['id']}/compliance"
    assert (await world.arbodienst.get(url, params={"as_of": "2025-03-03"})).status_code == 200
    for outsider in (world.other_bureau, world.other_employer, world.other_arbodienst):
        assert_problem(await outsider.get(url), 404)
    assert_problem(await world.bureau.get(url, params={"as_of": "2025-13-01"}), 422)
    assert_problem(await world.bureau.get(url, params={"as_of": "0001-01-01"}), 422)
    default = await world.bureau.get(url)
    assert default.status_code == 200
    assert default.json()["as_of"] >= "2026-01-01"


async def test_portfolio(world: World) -> None:
    early = await create_case(
        world, external_ref="EARLY", absence_periods=[{"first_day": "2025-01-06", "last_day": None}]
    )
    late = await create_case(
        world, external_ref="LATE", absence_periods=[{"first_day": "2025-02-03", "last_day": None}]
    )
    await create_case(
        world, external_ref="FOREIGN", employer_id=world.employer.id, absence_periods=[{"first_day": "2025-01-01"}]
    )
    other = {
        "external_ref": "OTHER",
        "employer_id": world.other_employer.id,
        "employee": {"name": "X", "date_of_birth": "1970-01-01"},
        "absence_periods": [{"first_day": "2025-01-01"}],
    }
    assert (await world.other_bureau.post("/v1/cases", json=other)).status_code == 201

    response = await world.bureau.get("/v1/compliance", params={"as_of": "2025-03-20"})
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["cases"] == 3
    refs = {row["external_ref"] for row in page["items"]}
    assert "OTHER" not in refs
    assert {row["status"] for row in page["items"]} <= {"open", "overdue"}
    dues = [row["due_on"] for row in page["items"]]
    assert dues == sorted(dues)
    # EARLY's probleemanalyse (due 2025-02-16) is overdue; LATE's (due 2025-03-16) too.
    overdue_pa = {
        row["external_ref"] for row in page["items"] if row["code"] == "probleemanalyse" and row["status"] == "overdue"
    }
    assert {"EARLY", "LATE"} <= overdue_pa
    assert page["counts"]["by_status"]["overdue"] >= 2
    assert page["counts"]["by_party"]["bedrijfsarts"]["overdue"] >= 2

    # Filters: party, status, due_before; paging walks every row once.
    uwv_only = (await world.bureau.get("/v1/compliance", params={"as_of": "2025-03-20", "party": "uwv"})).json()
    assert all("uwv" in row["parties"] for row in uwv_only["items"])
    upcoming = (
        await world.bureau.get("/v1/compliance", params={"as_of": "2025-03-20", "status": ["upcoming", "done"]})
    ).json()
    assert {row["status"] for row in upcoming["items"]} <= {"upcoming", "done"}
    before = (
        await world.bureau.get("/v1/compliance", params={"as_of": "2025-03-20", "due_before": "2025-03-01"})
    ).json()
    assert all(row["due_on"] < "2025-03-01" for row in before["items"])
    seen = []
    cursor = None
    while True:
        params: dict[str, Any] = {"as_of": "2025-03-20", "limit": 2, "status": ["upcoming", "open", "overdue"]}
        if cursor:
            params["cursor"] = cursor
        chunk = (await world.bureau.get("/v1/compliance", params=params)).json()
        seen += [(row["case_id"], row["code"], row["period"]) for row in chunk["items"]]
        cursor = chunk["next_cursor"]
        if not cursor:
            break
    everything = (
        await world.bureau.get(
            "/v1/compliance", params={"as_of": "2025-03-20", "limit": 200, "status": ["upcoming", "open", "overdue"]}
        )
    ).json()
    assert seen == [(row["case_id"], row["code"], row["period"]) for row in everything["items"]]
    assert len(seen) == len(set(seen))

    # The employer sees its cases only; another bureau sees none of these.
    employer_rows = (await world.employer.get("/v1/compliance", params={"as_of": "2025-03-20"})).json()
    assert {row["case_id"] for row in employer_rows["items"]} <= {
        early["id"],
        late["id"],
        *{row["case_id"] for row in page["items"]},
    }
    other_rows = (await world.other_bureau.get("/v1/compliance", params={"as_of": "2025-03-20"})).json()
    assert {row["external_ref"] for row in other_rows["items"]} == {"OTHER"}
    by_employer = (
        await world.bureau.get("/v1/compliance", params={"as_of": "2025-03-20", "employer_id": world.other_employer.id})
    ).json()
    assert by_employer["items"] == []
    assert by_employer["cases"] == 0


async def _portfolio_all(actor: Actor, as_of: str) -> list[dict[str, Any]]:
    statuses = ["done", "waived", "overdue", "open", "upcoming", "suspended", "lapsed"]
    response = await actor.get("/v1/compliance", params={"as_of": as_of, "status": statuses, "limit": 200})
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    return list(response.json()["items"])


async def _per_case(actor: Actor, case_ids: list[str], as_of: str) -> list[dict[str, Any]]:
    rows = []
    for case_id in case_ids:
        result = await _compliance(actor, case_id, as_of)
        case = (await actor.get(f"/v1/cases/{case_id}")).json()
        rows += [{**ob, "case_id": case_id, "external_ref": case["external_ref"]} for ob in result["obligations"]]
    return rows


def _sorted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (r["due_on"], r["case_id"], r["code"], r["period"] or "", r["track_id"] or ""))


async def test_portfolio_from_snapshots_equals_each_case(world: World, connection) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    recovered = await create_case(world, absence_periods=[{"first_day": "2025-01-06", "last_day": "2025-06-01"}])
    running = await create_case(world, absence_periods=[{"first_day": "2024-03-01", "last_day": None}])
    await _milestones(
        world.bureau,
        running["id"],
        {"type": "probleemanalyse", "occurred_on": "2024-04-01"},
        {"type": "plan_van_aanpak", "occurred_on": "2024-04-20"},
        {"type": "ziekmelding_uwv", "occurred_on": "2024-12-30"},
        {
            "type": "afwijking",
            "occurred_on": "2025-01-02",
            "obligation": "casemanager",
            "reason": "klein bedrijf",
            "new_due_on": "2025-01-20",
        },
    )
    closed = await create_case(world, absence_periods=[{"first_day": "2025-02-03", "last_day": None}])
    await world.bureau.post(f"/v1/cases/{closed['id']}/close", json={"closed_on": "2025-04-01", "reason": "uit_dienst"})
    ids = [recovered["id"], running["id"], closed["id"]]
    stored = (await connection.execute(text("SELECT count(*) FROM compliance_snapshots"))).scalar_one()
    assert stored == 3  # every change refreshed its case's snapshot in the same transaction

    for as_of in ("2025-06-15", "2025-06-29", "2025-07-10", "2026-03-01"):
        assert _sorted(await _portfolio_all(world.bureau, as_of)) == _sorted(await _per_case(world.bureau, ids, as_of))
    # Before the latest fact the snapshots do not apply: those cases are evaluated directly, with the same answer.
    for as_of in ("2024-06-01", "2025-01-01"):
        assert _sorted(await _portfolio_all(world.bureau, as_of)) == _sorted(await _per_case(world.bureau, ids, as_of))
    # Without snapshots at all (as after a bulk import) the answer is the same too.
    expected = _sorted(await _portfolio_all(world.bureau, "2025-07-10"))
    await connection.execute(text("DELETE FROM compliance_snapshots"))
    assert _sorted(await _portfolio_all(world.bureau, "2025-07-10")) == expected


async def test_statuses_in_sql_follow_the_reference_date(world: World) -> None:
    case = await create_case(world, absence_periods=[{"first_day": "2025-01-06", "last_day": None}])
    rows = {row["code"]: row for row in await _portfolio_all(world.bureau, "2025-02-20")}
    assert rows["probleemanalyse"]["status"] == "overdue"
    assert rows["plan_van_aanpak"]["status"] == "upcoming"
    assert rows["plan_van_aanpak"]["waiting_for"] == "probleemanalyse"
    assert rows["ziekmelding_uwv"]["status"] == "upcoming"
    # 2025-10-27 is a Monday: the 42e-weeksmelding is overdue from the 28th.
    rows = {row["code"]: row for row in await _portfolio_all(world.bureau, "2025-10-27")}
    assert rows["ziekmelding_uwv"]["status"] == "open"
    rows = {row["code"]: row for row in await _portfolio_all(world.bureau, "2025-10-28")}
    assert rows["ziekmelding_uwv"]["status"] == "overdue"
    assert rows["ziekmelding_uwv"]["case_id"] == case["id"]


async def _counts_per_case(actor: Actor, case_ids: list[str], as_of: str) -> dict[str, Any]:
    by_status: dict[str, int] = {}
    by_party: dict[str, dict[str, int]] = {}
    for case_id in case_ids:
        for ob in (await _compliance(actor, case_id, as_of))["obligations"]:
            by_status[ob["status"]] = by_status.get(ob["status"], 0) + 1
            for party in ob["parties"]:
                by_party.setdefault(party, {})
                by_party[party][ob["status"]] = by_party[party].get(ob["status"], 0) + 1
    return {"by_status": by_status, "by_party": by_party}


def _nonzero(counts: dict[str, Any]) -> dict[str, Any]:
    return {
        "by_status": {s: n for s, n in counts["by_status"].items() if n},
        "by_party": {p: {s: n for s, n in c.items() if n} for p, c in counts["by_party"].items() if any(c.values())},
    }


async def test_past_as_of_is_answered_from_the_stored_history(world: World, app: Any, connection) -> None:  # type: ignore[no-untyped-def]
    """With no case evaluated directly (limit 0), every past as_of answers like each case's compliance, counts
    (the bureau's range sum over compliance_counts) included, and they follow a write."""

    app.state.settings = app.state.settings.model_copy(update={"portfolio_direct_limit": 0})
    running = await create_case(world, absence_periods=[{"first_day": "2024-03-01", "last_day": None}])
    await _milestones(
        world.bureau,
        running["id"],
        {"type": "probleemanalyse", "occurred_on": "2024-04-01"},
        {"type": "plan_van_aanpak", "occurred_on": "2024-04-20"},
        {"type": "voortgangsgesprek", "occurred_on": "2024-06-01"},
        {"type": "ziekmelding_uwv", "occurred_on": "2024-12-30"},
    )
    track = await world.bureau.post(
        f"/v1/cases/{running['id']}/tracks", json={"spoor": 2, "started_on": "2025-03-10", "coach": "C", "goal": "G"}
    )
    assert track.status_code == 201, track.text
    recovered = await create_case(world, absence_periods=[{"first_day": "2025-01-06", "last_day": "2025-06-01"}])
    closed = await create_case(world, absence_periods=[{"first_day": "2025-02-03", "last_day": None}])
    await _milestones(world.bureau, closed["id"], {"type": "probleemanalyse", "occurred_on": "2025-03-01"})
    await world.bureau.post(f"/v1/cases/{closed['id']}/close", json={"closed_on": "2025-04-01", "reason": "uit_dienst"})
    ids = [running["id"], recovered["id"], closed["id"]]

    async def check(as_of: str) -> None:
        everything = await _portfolio_all(world.bureau, as_of)
        assert _sorted(everything) == _sorted(await _per_case(world.bureau, ids, as_of)), as_of
        page = (await world.bureau.get("/v1/compliance", params={"as_of": as_of})).json()
        assert _nonzero(page["counts"]) == _nonzero(await _counts_per_case(world.bureau, ids, as_of)), as_of
        assert page["cases"] == 3

    # Before the first sick day, between facts, on a fact's day, after the latest, on recovery and closing.
    for as_of in ("2024-01-15", "2024-04-01", "2024-05-10", "2025-01-06", "2025-03-31", "2025-04-01", "2025-06-02"):
        await check(as_of)
    for as_of in ("2025-07-15", "2026-02-01"):
        await check(as_of)

    # A fact dated in the past changes the history from its date on, and the counts with it.
    before = (await world.bureau.get("/v1/compliance", params={"as_of": "2024-08-01"})).json()["counts"]
    await _milestones(world.bureau, running["id"], {"type": "voortgangsgesprek", "occurred_on": "2024-07-15"})
    after = (await world.bureau.get("/v1/compliance", params={"as_of": "2024-08-01"})).json()["counts"]
    assert after != before
    for as_of in ("2024-07-14", "2024-07-15", "2024-08-01", "2026-02-01"):
        await check(as_of)
    # One employer's portfolio (the item scan) gives the same counts as the bureau's range sum.
    employer = (
        await world.bureau.get("/v1/compliance", params={"as_of": "2025-03-31", "employer_id": world.employer.id})
    ).json()
    assert employer["cases"] == 3
    whole = (await world.bureau.get("/v1/compliance", params={"as_of": "2025-03-31"})).json()
    assert _nonzero(employer["counts"]) == _nonzero(whole["counts"])


async def test_portfolio_without_stored_history_is_bounded(world: World, app: Any, connection) -> None:  # type: ignore[no-untyped-def]
    """Cases without a usable history are evaluated directly up to the limit; past it the answer is 503 with
    Retry-After (refresh-compliance has not run), or 422 for an as_of past the horizon."""
    from sqlalchemy import text

    ids = [(await create_case(world, absence_periods=[{"first_day": "2025-01-06"}]))["id"] for _ in range(3)]
    expected = _sorted(await _portfolio_all(world.bureau, "2025-07-10"))
    assert expected
    await connection.execute(text("DELETE FROM compliance_snapshots"))
    app.state.settings = app.state.settings.model_copy(update={"portfolio_direct_limit": 3})
    assert _sorted(await _portfolio_all(world.bureau, "2025-07-10")) == expected
    assert _sorted(await _per_case(world.bureau, ids, "2025-07-10")) == expected
    app.state.settings = app.state.settings.model_copy(update={"portfolio_direct_limit": 2})
    busy = await world.bureau.get("/v1/compliance", params={"as_of": "2025-07-10"})
    assert_problem(busy, 503)
    assert busy.headers["Retry-After"]
    far = await world.bureau.get("/v1/compliance", params={"as_of": "2099-01-01"})
    assert_problem(far, 422)


async def test_outstanding_gauge_counts_from_the_histories(world: World, app: Any, sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """The metrics gauge's counts (every bureau, today) are the range sum over compliance_counts: equal to the
    open and overdue obligations of each case's own compliance."""
    from app.background.clock import MovableClock
    from app.background.workers import JobContext
    from app.retention.schedule import outstanding_counts

    first = await create_case(world, absence_periods=[{"first_day": "2025-01-06", "last_day": None}])
    await _milestones(world.bureau, first["id"], {"type": "probleemanalyse", "occurred_on": "2025-02-01"})
    second = await create_case(world, absence_periods=[{"first_day": "2025-03-03", "last_day": None}])
    as_of = "2025-09-01"
    expected: dict[tuple[str, str], int] = {}
    for case_id in (first["id"], second["id"]):
        for ob in (await _compliance(world.bureau, case_id, as_of))["obligations"]:
            if ob["status"] in ("open", "overdue"):
                for party in ob["parties"]:
                    expected[(ob["status"], party)] = expected.get((ob["status"], party), 0) + 1
    assert expected
    ctx = JobContext(sessionmaker=sessionmaker, clock=MovableClock(date(2025, 9, 1)), settings=app.state.settings)
    assert await outstanding_counts(ctx) == expected
