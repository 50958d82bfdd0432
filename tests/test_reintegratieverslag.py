"""The re-integratieverslag through the API: the spec's worked examples end to end, the portfolio, the export
(JSON and PDF, with the access log) and who sees what (shared/domain/reintegratieverslag.md)."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

from tests.conftest import Actor, World, assert_problem, create_case

ORDER = (
    "ziekmelding_en_gegevens",
    "probleemanalyse",
    "plan_van_aanpak",
    "bijstellingen",
    "eerstejaarsevaluatie",
    "actueel_oordeel",
    "eindevaluatie",
    "oordeel_werknemer",
    "arbeidsdeskundig_rapport",
    "spoor_2_overzicht",
)
SIGNERS = {
    "probleemanalyse": ["bedrijfsarts"],
    "bijstellingsadvies": ["bedrijfsarts"],
    "actueel_oordeel": ["bedrijfsarts"],
    "plan_van_aanpak": ["werkgever", "werknemer"],
    "bijstelling_plan_van_aanpak": ["werkgever", "werknemer"],
    "eerstejaarsevaluatie": ["werkgever", "werknemer"],
    "eindevaluatie": ["werkgever", "werknemer"],
    "oordeel_werknemer": ["werknemer"],
}
SUPPLIER = {"probleemanalyse": "bedrijfsarts", "bijstellingsadvies": "bedrijfsarts", "actueel_oordeel": "bedrijfsarts"}


def document_body(kind: str, dated_on: str, milestone_id: str | None, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": kind,
        "title": f"{kind.replace('_', ' ').capitalize()} {dated_on}",
        "dated_on": dated_on,
        "supplied_by": SUPPLIER.get(kind, "reintegratiebureau" if milestone_id is None else "werkgever"),
        "signed_by": SIGNERS.get(kind, ["reintegratiebureau"]),
        "bsn_on_document": True,
        "media_type": "application/pdf",
        "size_bytes": 250_000,
        "sha256": hashlib.sha256(f"{kind}{dated_on}".encode()).hexdigest(),
        "milestone_id": milestone_id,
    }
    body.update(overrides)
    return body


class Dossier:
    """One case built through the API, as the bureau records it."""

    def __init__(self, world: World, case: dict[str, Any]) -> None:
        self.world = world
        self.case = case
        self.id = case["id"]
        self.ids: dict[tuple[str, str], str] = {}

    async def milestone(self, type_: str, on: str, *, document: bool = False, **extra: Any) -> str:
        response = await self.world.bureau.post(
            f"/v1/cases/{self.id}/milestones", json={"type": type_, "occurred_on": on, **extra}
        )
        assert response.status_code == 201, response.text
        milestone_id = str(response.json()["id"])
        self.ids[(type_, on)] = milestone_id
        if document:
            await self.document(type_, on, milestone_id)
        return milestone_id

    async def document(
        self, kind: str, on: str, milestone_id: str | None, actor: Actor | None = None, **extra: Any
    ) -> dict[str, Any]:
        response = await (actor or self.world.bureau).post(
            f"/v1/cases/{self.id}/documents", json=document_body(kind, on, milestone_id, **extra)
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def track(self, spoor: int, started_on: str) -> str:
        response = await self.world.bureau.post(
            f"/v1/cases/{self.id}/tracks", json={"spoor": spoor, "started_on": started_on, "coach": "E. Bakker"}
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    async def report(self, track_id: str, period: str, submitted_on: str) -> None:
        created = await self.world.bureau.post(f"/v1/tracks/{track_id}/progress-reports", json={"period": period, "employee_comments": "Gaat goed"})
        assert created.status_code == 201, created.text
        submitted = await self.world.bureau.post(
            f"/v1/progress-reports/{created.json()['id']}/submit", json={"submitted_on": submitted_on}
        )
        assert submitted.status_code == 200, submitted.text

    async def check(self, as_of: str, actor: Actor | None = None) -> dict[str, Any]:
        response = await (actor or self.world.bureau).get(
            f"/v1/cases/{self.id}/reintegratieverslag", params={"as_of": as_of}
        )
        assert response.status_code == 200, response.text
        return dict(response.json())


def gesprekken() -> list[str]:
    """Voortgangsgesprekken at most 42 days apart from 2025-04-04 to 2026-09-24."""
    days, day = [], date(2025, 4, 4)
    while day < date(2026, 9, 24):
        days.append(day.isoformat())
        day += timedelta(days=40)
    return [*days, "2026-09-24"]


async def common_facts(world: World) -> Dossier:
    """Section 8's common facts: every milestone a part needs with its document reference."""
    d = Dossier(world, await create_case(world, absence_periods=[{"first_day": "2025-01-06", "last_day": None}]))
    await d.milestone("probleemanalyse", "2025-02-12", document=True)
    await d.milestone("plan_van_aanpak", "2025-02-24", document=True)
    await d.milestone("casemanager", "2025-02-24")
    spoor_1 = await d.track(1, "2025-03-03")
    for on in gesprekken():
        await d.milestone("voortgangsgesprek", on)
    await d.milestone("bijstellingsadvies", "2025-06-02", document=True)
    await d.milestone("bijstelling_plan_van_aanpak", "2025-06-10", document=True)
    await d.milestone("ziekmelding_uwv", "2025-10-20")
    await d.milestone("eerstejaarsevaluatie", "2025-12-15", document=True)
    await d.document("arbeidsdeskundig_rapport", "2026-01-08", None)
    spoor_2 = await d.track(2, "2026-01-19")
    ended = await world.bureau.post(
        f"/v1/tracks/{spoor_1}/end",
        json={"ended_on": "2026-01-30", "end_reason": "Geen passend werk in de eigen organisatie"},
    )
    assert ended.status_code == 200, ended.text
    for month in range(1, 9):
        await d.report(spoor_2, f"2026-{month:02d}", f"2026-{month + 1:02d}-10")
    await d.milestone("wia_kennisgeving", "2026-09-14")
    await d.milestone("eindevaluatie", "2026-09-21", document=True)
    return d


async def example_1(world: World) -> Dossier:
    d = await common_facts(world)
    await d.milestone("actueel_oordeel", "2026-09-07", document=True)
    await d.milestone("oordeel_werknemer", "2026-09-28", document=True, agreement="eens")
    await d.milestone("reintegratieverslag", "2026-09-30")
    return d


async def example_2(world: World) -> Dossier:
    d = await common_facts(world)
    await d.milestone("actueel_oordeel", "2026-07-20", document=True)
    await d.milestone("bijstellingsadvies", "2026-06-15", document=True)
    return d


def by_part(check: dict[str, Any]) -> dict[str, dict[str, Any]]:
    assert [p["part"] for p in check["parts"]] == list(ORDER)
    return {p["part"]: p for p in check["parts"]}


async def test_example_1_complete(world: World) -> None:
    d = await example_1(world)
    check = await d.check("2026-10-01")
    assert check["case_id"] == d.id
    assert (check["as_of"], check["first_sick_day"], check["sick_week"]) == ("2026-10-01", "2025-01-06", 91)
    assert (check["wachttijd_end"], check["verlenging_end"]) == ("2027-01-03", None)
    assert (check["due_on"], check["aanvraag_due_on"], check["reference_date"]) == (
        "2026-10-04",
        "2026-10-18",
        "2026-10-18",
    )
    assert (check["complete"], check["blocking"], check["upload_ready"]) == (True, [], True)
    riv, aanvraag = check["obligations"]["reintegratieverslag"], check["obligations"]["wia_aanvraag"]
    assert (riv["status"], riv["completed_on"], riv["due_on"]) == ("done", "2026-09-30", "2026-10-04")
    assert riv["evidence_id"] == d.ids[("reintegratieverslag", "2026-09-30")]
    assert (aanvraag["status"], aanvraag["due_on"], aanvraag["completed_on"]) == ("open", "2026-10-18", None)
    parts = by_part(check)
    for key, part in parts.items():
        assert part["status"] == "present", (key, part)
        assert part["findings"] == [], (key, part)
        assert part["action_by"] == [], key
        assert part["documents_ok"] is (None if key in ("ziekmelding_en_gegevens", "spoor_2_overzicht") else True)
        assert part["due_on"] == ("2026-10-18" if key == "oordeel_werknemer" else "2026-10-04")
    # The bijstelling followed its advice; its evidence and documents name both.
    bijstellingen = parts["bijstellingen"]
    assert [e["id"] for e in bijstellingen["evidence"]] == [
        d.ids[("bijstellingsadvies", "2025-06-02")],
        d.ids[("bijstelling_plan_van_aanpak", "2025-06-10")],
    ]
    assert [doc["milestone_id"] for doc in bijstellingen["documents"]] == [e["id"] for e in bijstellingen["evidence"]]
    # Eight reports done, 2026-09 not yet due: the overview lists both tracks' facts it needs.
    spoor_2 = parts["spoor_2_overzicht"]
    assert [e["type"] for e in spoor_2["evidence"]] == ["track"] + ["progress_report"] * 8
    assert [e["detail"] for e in spoor_2["evidence"][1:]] == [f"2026-{m:02d}" for m in range(1, 9)]
    assert parts["ziekmelding_en_gegevens"]["evidence"][0] == {
        "type": "case",
        "id": d.id,
        "date": "2025-01-06",
        "detail": None,
    }
    assert parts["actueel_oordeel"]["evidence"][0]["date"] == "2026-09-07"
    assert parts["arbeidsdeskundig_rapport"]["evidence"][0]["detail"] == "arbeidsdeskundig_rapport"
    plan = parts["plan_van_aanpak"]
    assert [e["detail"] for e in plan["evidence"]][:2] == ["plan_van_aanpak", "spoor_1"]
    assert len(plan["documents"]) == 1 and plan["documents"][0]["kind"] == "plan_van_aanpak"
    assert parts["plan_van_aanpak"]["legal_basis"] == "Regeling art. 6 lid 1 onder g; art. 4 lid 1-3"
    assert parts["spoor_2_overzicht"]["obligation"] == "start_spoor_2"
    assert parts["oordeel_werknemer"]["obligation"] is None


async def test_example_2_incomplete(world: World) -> None:
    d = await example_2(world)
    check = await d.check("2026-10-01")
    assert (check["complete"], check["upload_ready"]) == (False, False)
    assert check["blocking"] == ["bijstellingen", "actueel_oordeel", "oordeel_werknemer"]
    assert check["obligations"]["reintegratieverslag"]["status"] == "open"
    parts = by_part(check)
    second_advice = d.ids[("bijstellingsadvies", "2026-06-15")]
    expected = {
        "bijstellingen": (
            "incomplete",
            [{"code": "advice_without_bijstelling", "ref": second_advice}],
            ["werkgever", "werknemer"],
            "2026-10-04",
        ),
        "actueel_oordeel": ("stale", [{"code": "older_than_max_age", "ref": None}], ["bedrijfsarts"], "2026-10-04"),
        "eindevaluatie": ("present", [], [], "2026-10-04"),
        "oordeel_werknemer": ("missing", [], ["werknemer"], "2026-10-18"),
    }
    for key, part in parts.items():
        status, findings, action_by, due_on = expected.get(key, ("present", [], [], "2026-10-04"))
        assert (part["status"], part["findings"], part["action_by"], part["due_on"]) == (
            status,
            findings,
            action_by,
            due_on,
        ), key
    assert parts["oordeel_werknemer"]["documents_ok"] is None  # missing
    assert parts["actueel_oordeel"]["documents_ok"] is True  # the document is there; the oordeel is too old

    # Compliance: the stricter RIV check and the compliance answer agree on the same facts.
    compliance = (await d.world.bureau.get(f"/v1/cases/{d.id}/compliance", params={"as_of": "2026-10-01"})).json()
    items = compliance["obligations"]
    oordeel = next(ob for ob in items if ob["code"] == "actueel_oordeel")
    assert (oordeel["status"], oordeel["due_on"]) == ("open", "2026-10-04")
    bijstelling = [ob for ob in items if ob["code"] == "bijstelling_plan_van_aanpak"]
    assert [(ob["due_on"], ob["status"]) for ob in bijstelling][-1] == ("2026-06-29", "overdue")
    assert compliance["loonsanctie_risk"] is True

    # Portfolio as of 2026-10-01 (defaults): this case is a row, the complete one of example 1 is not.
    complete = await example_1(d.world)
    page = (await d.world.bureau.get("/v1/reintegratieverslag", params={"as_of": "2026-10-01"})).json()
    rows = {row["case_id"]: row for row in page["items"]}
    assert complete.id not in rows
    row = rows[d.id]
    assert (row["days_left"], row["due_on"], row["aanvraag_due_on"], row["complete"]) == (
        3,
        "2026-10-04",
        "2026-10-18",
        False,
    )
    assert row["external_ref"] == d.case["external_ref"]
    assert row["blocking"] == [
        {"part": "bijstellingen", "status": "incomplete", "action_by": ["werkgever", "werknemer"]},
        {"part": "actueel_oordeel", "status": "stale", "action_by": ["bedrijfsarts"]},
        {"part": "oordeel_werknemer", "status": "missing", "action_by": ["werknemer"]},
    ]
    assert page["counts"] == {"cases": 2, "complete": 1, "incomplete": 1}

    # A new actueel oordeel on 2026-10-02: it is present, and the eindevaluatie now predates it.
    await d.milestone("actueel_oordeel", "2026-10-02", document=True)
    later = by_part(await d.check("2026-10-02"))
    assert (later["actueel_oordeel"]["status"], later["actueel_oordeel"]["findings"]) == ("present", [])
    assert later["eindevaluatie"]["status"] == "stale"
    assert later["eindevaluatie"]["findings"] == [{"code": "before_actueel_oordeel", "ref": None}]
    assert later["eindevaluatie"]["action_by"] == ["werkgever", "werknemer"]
