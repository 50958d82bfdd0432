"""The re-integratieverslag through the API: the spec's worked examples end to end, the portfolio, the export
(JSON and PDF, with the access log) and who sees what (shared/domain/reintegratieverslag.md)."""

from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta
from typing import Any

from pypdf import PdfReader

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
        created = await self.world.bureau.post(
            f"/v1/tracks/{track_id}/progress-reports", json={"period": period, "employee_comments": "Gaat goed"}
        )
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
    with_complete = await d.world.bureau.get(
        "/v1/reintegratieverslag", params={"as_of": "2026-10-01", "include_complete": "true"}
    )
    assert [r["case_id"] for r in with_complete.json()["items"]] == sorted([d.id, complete.id])
    for party, listed in (("bedrijfsarts", True), ("werknemer", True), ("reintegratiebureau", False)):
        filtered = await d.world.bureau.get("/v1/reintegratieverslag", params={"as_of": "2026-10-01", "party": party})
        assert (d.id in {r["case_id"] for r in filtered.json()["items"]}) is listed, party
        assert filtered.json()["counts"] == page["counts"]

    # A new actueel oordeel on 2026-10-02: it is present, and the eindevaluatie now predates it.
    await d.milestone("actueel_oordeel", "2026-10-02", document=True)
    later = by_part(await d.check("2026-10-02"))
    assert (later["actueel_oordeel"]["status"], later["actueel_oordeel"]["findings"]) == ("present", [])
    assert later["eindevaluatie"]["status"] == "stale"
    assert later["eindevaluatie"]["findings"] == [{"code": "before_actueel_oordeel", "ref": None}]
    assert later["eindevaluatie"]["action_by"] == ["werkgever", "werknemer"]


def pdf_pages(content: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(content))
    return [page.extract_text() for page in reader.pages]


async def test_export_json_and_pdf(world: World) -> None:
    d = await example_2(world)
    url = f"/v1/cases/{d.id}/reintegratieverslag/export"
    summary = (await world.employer.get(url, params={"as_of": "2026-10-01"})).json()
    check = await d.check("2026-10-01")
    assert {k: summary[k] for k in check} == check  # the check of 4.1, plus the dossier
    assert summary["employee"] == {"name": "J. de Vries", "date_of_birth": "1980-05-17", "bsn_masked": "*****2333"}
    assert "111222333" not in str(summary)  # JSON carries the masked BSN only
    assert summary["employer"] == {"name": "Bakkerij De Vries", "kvk": None}
    assert (summary["arbodienst"], summary["bureau"]) == ({"name": "Arbo Noord"}, {"name": "Bureau Een"})
    counting = {doc["id"] for part in check["parts"] for doc in part["documents"]}
    assert {doc["id"] for doc in summary["documents"]} == counting
    assert len(counting) == 9  # PA, PvA, 2 advices, bijstelling, EJE, AO, eindevaluatie, arbeidsdeskundig rapport
    assert all(doc["title"] and len(doc["sha256"]) == 64 for doc in summary["documents"])
    spoor = {t["spoor"]: t for t in summary["tracks"]}
    assert spoor[1]["ended_on"] == "2026-01-30" and spoor[1]["end_reason"].startswith("Geen passend werk")
    assert [r["period"] for r in spoor[2]["reports"]] == [f"2026-{m:02d}" for m in range(1, 9)]
    assert isinstance(summary["rules_version"], int) and summary["generated_at"]
    proposal = {
        "prospective_employer": {"name": "Bouwbedrijf Smit", "place": "Zwolle"},
        "vacancy_title": "Magazijnmedewerker",
        "proposed_on": "2026-02-10",
        "channel": "vacature",
    }
    posted = await world.bureau.post(f"/v1/tracks/{spoor[2]['id']}/candidate-proposals", json=proposal)
    assert posted.status_code == 201, posted.text
    again = (await world.employer.get(url, params={"as_of": "2026-10-01"})).json()
    assert next(t for t in again["tracks"] if t["spoor"] == 2)["proposals"] == [
        {
            "company": "Bouwbedrijf Smit",
            "place": "Zwolle",
            "vacancy": "Magazijnmedewerker",
            "proposed_on": "2026-02-10",
            "channel": "vacature",
            "status": "proposed",
            "status_date": "2026-02-10",
        }
    ]

    response = await world.bureau.get(url, params={"as_of": "2026-10-01"}, headers={"Accept": "application/pdf"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    pages = pdf_pages(response.content)
    for number, text in enumerate(pages, 1):
        assert "Re-integratieverslag - overzicht" in text
        assert "J. de Vries" in text and "17-05-1980" in text
        assert "BSN: 111222333" in text  # UWV wants the full BSN on every page
        assert f"Pagina {number}/{len(pages)}" in text
        assert "ONVOLLEDIG" in text
    text = "\n".join(pages)
    for expected in (
        "Bakkerij De Vries",
        "Arbo Noord",
        "Bureau Een",
        "06-01-2025",
        "03-01-2027",
        "04-10-2026",
        "18-10-2026",
    ):
        assert expected in text, expected
    assert "Einde verlengd tijdvak" not in text  # no verlenging
    for label in ("verouderd", "onvolledig", "ontbreekt", "aanwezig"):
        assert label in text
    first_doc = summary["documents"][0]
    assert first_doc["sha256"][:12] in text
    assert "geen deel uit van dit overzicht" in text and "vervangt de documenten niet" in text

    # Each download shows the BSN: both are written to the case's access log; the check itself is not.
    log = (await world.bureau.get(f"/v1/cases/{d.id}/access-log")).json()["items"]
    exports = [(e["actor_organization_id"], e["what"], e["path"]) for e in log if e["path"] == url]
    assert exports == [(world.employer.id, "bsn", url), (world.employer.id, "bsn", url), (world.bureau.id, "bsn", url)]
    assert not [e for e in log if e["path"].endswith("/reintegratieverslag")]

    # The arbodienst sees the check, never the export.
    assert_problem(await world.arbodienst.get(url), 404)
    assert_problem(await world.arbodienst.get(url, headers={"Accept": "application/pdf"}), 404)
    assert_problem(await world.other_employer.get(url), 404)


async def test_pdf_without_bsn_and_complete(world: World) -> None:
    d = await example_1(world)
    url = f"/v1/cases/{d.id}/reintegratieverslag/export"
    pages = pdf_pages(
        (await world.bureau.get(url, params={"as_of": "2026-10-01"}, headers={"Accept": "application/pdf"})).content
    )
    assert all("ONVOLLEDIG" not in text and "BSN: 111222333" in text for text in pages)
    case = await create_case(world, employee={"name": "A. Yılmaz", "date_of_birth": "1990-01-02"})
    response = await world.employer.get(
        f"/v1/cases/{case['id']}/reintegratieverslag/export",
        params={"as_of": "2025-03-01"},
        headers={"Accept": "application/pdf"},
    )
    text = "\n".join(pdf_pages(response.content))
    assert "BSN: onbekend" in text and "ONVOLLEDIG" in text
    # Without a BSN nothing personal of that kind was shown: no `bsn` access-log row (the case's creation, whose
    # answer showed the case, is a `case` row).
    log = (await world.bureau.get(f"/v1/cases/{case['id']}/access-log")).json()["items"]
    assert [e["what"] for e in log] == ["case"]


async def test_export_of_an_erased_case(world: World) -> None:
    case = await create_case(world)
    erased = await world.bureau.post(f"/v1/cases/{case['id']}/erase", json={"reason": "verzoek van de werknemer"})
    assert erased.status_code == 200, erased.text
    url = f"/v1/cases/{case['id']}/reintegratieverslag/export"
    summary = await world.bureau.get(url, params={"as_of": "2025-03-03"})
    assert summary.status_code == 200, summary.text
    assert summary.json()["employee"] == {"name": "", "date_of_birth": None, "bsn_masked": None}
    printed = await world.bureau.get(url, params={"as_of": "2025-03-03"}, headers={"Accept": "application/pdf"})
    assert printed.status_code == 200
    text = "\n".join(pdf_pages(printed.content))
    assert "Werknemer: onbekend, geboren onbekend" in text and "BSN: onbekend" in text


async def test_arbodienst_sees_the_check_without_the_werkgevers_documents(world: World) -> None:
    d = await example_2(world)
    full = await d.check("2026-10-01")
    arbo = await d.check("2026-10-01", world.arbodienst)
    werkgever = await d.check("2026-10-01", world.employer)
    assert werkgever == full
    for mine, theirs in zip(arbo["parts"], full["parts"], strict=True):
        for key in ("status", "findings", "documents_ok", "action_by", "due_on"):
            assert mine[key] == theirs[key]
        assert {doc["kind"] for doc in mine["documents"]} <= {
            "probleemanalyse",
            "bijstellingsadvies",
            "actueel_oordeel",
            "arbeidsdeskundig_rapport",
        }
        assert all(e["type"] != "progress_report" for e in mine["evidence"])
    arbo_parts = by_part(arbo)
    assert arbo_parts["plan_van_aanpak"]["documents"] == []
    assert [d_["kind"] for d_ in arbo_parts["bijstellingen"]["documents"]] == [
        "bijstellingsadvies",
        "bijstellingsadvies",
    ]
    assert "Plan van aanpak 2025-02-24" not in str(arbo)  # no document title of the werkgever
    assert_problem(await world.other_arbodienst.get(f"/v1/cases/{d.id}/reintegratieverslag"), 404)


async def test_documents_count_latest_and_upload_findings_block_upload(world: World) -> None:
    d = await example_1(world)
    plan = d.ids[("plan_van_aanpak", "2025-02-24")]
    # A corrected file is a new reference: the latest by dated_on counts; an unsigned one spoils upload_ready only.
    await d.document("plan_van_aanpak", "2025-02-25", plan, signed_by=["werkgever"])
    check = await d.check("2026-10-01")
    assert (check["complete"], check["upload_ready"]) == (True, False)
    part = by_part(check)["plan_van_aanpak"]
    assert (part["status"], part["documents_ok"], part["action_by"]) == ("present", False, ["werkgever", "werknemer"])
    assert part["documents"][0]["findings"] == [{"code": "unsigned", "ref": "werknemer"}]
    assert part["findings"] == []
    # Before that file existed (as_of), the earlier one counted.
    assert by_part(await d.check("2025-02-24"))["plan_van_aanpak"]["documents_ok"] is True


async def test_validation_and_visibility(world: World) -> None:
    case = await create_case(world)
    url = f"/v1/cases/{case['id']}/reintegratieverslag"
    assert_problem(await world.bureau.get(url, params={"as_of": "2025-13-01"}), 422)
    assert_problem(await world.bureau.get("/v1/reintegratieverslag", params={"within_days": 366}), 422)
    assert_problem(await world.bureau.get("/v1/reintegratieverslag", params={"party": "uwv"}), 422)
    assert_problem(await world.bureau.get("/v1/reintegratieverslag", params={"cursor": "nonsense"}), 422)
    assert_problem(await world.other_bureau.get(url), 404)
    early = await world.bureau.get(url, params={"as_of": "2025-03-03"})
    parts = by_part(early.json())
    assert early.json()["blocking"] == [
        "probleemanalyse",
        "plan_van_aanpak",
        "eerstejaarsevaluatie",
        "actueel_oordeel",
        "eindevaluatie",
        "oordeel_werknemer",
        "arbeidsdeskundig_rapport",
        "spoor_2_overzicht",
    ]
    assert parts["probleemanalyse"]["action_by"] == ["bedrijfsarts", "werkgever"]
    assert parts["spoor_2_overzicht"]["action_by"] == ["werkgever", "reintegratiebureau"]
    assert parts["arbeidsdeskundig_rapport"]["action_by"] == ["werkgever", "reintegratiebureau"]
    assert parts["bijstellingen"]["status"] == "not_required"
    no_bsn = await create_case(world, employee={"name": "P. Smit", "date_of_birth": "1975-03-03"}, arbodienst_id=None)
    first = by_part(await Dossier(world, no_bsn).check("2025-03-03"))["ziekmelding_en_gegevens"]
    assert (first["status"], first["findings"], first["action_by"]) == (
        "incomplete",
        [{"code": "bsn_unknown", "ref": None}, {"code": "arbodienst_unknown", "ref": None}],
        ["werkgever"],
    )


async def _portfolio(actor: Actor, **params: Any) -> dict[str, Any]:
    response = await actor.get("/v1/reintegratieverslag", params={"as_of": "2026-10-01", **params})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_portfolio_selection_order_filters_and_paging(world: World) -> None:
    def periods(first_day: str) -> list[dict[str, Any]]:
        return [{"first_day": first_day, "last_day": None}]

    due_soon = await create_case(world, absence_periods=periods("2025-01-06"))  # RIV due 2026-10-04
    late = await create_case(world, absence_periods=periods("2024-12-02"))  # due 2026-08-30, E 2026-11-29
    later = await create_case(world, absence_periods=periods("2025-03-03"))  # due 2026-11-29: 59 days ahead
    ended = await create_case(world, absence_periods=periods("2024-06-03"))  # E 2026-05-31: the wachttijd is over
    closed = await create_case(world, absence_periods=periods("2024-12-09"))
    closing = await world.bureau.post(
        f"/v1/cases/{closed['id']}/close", json={"closed_on": "2026-09-01", "reason": "hersteld"}
    )
    assert closing.status_code == 200, closing.text
    elsewhere = await world.other_bureau.post(
        "/v1/cases",
        json={
            "employer_id": world.other_employer.id,
            "employee": {"name": "K. Bos", "date_of_birth": "1970-01-01"},
            "absence_periods": periods("2025-01-06"),
            "leave_periods": [],
            "employer_is_wga_eigenrisicodrager": False,
        },
    )
    assert elsewhere.status_code == 201, elsewhere.text

    page = await _portfolio(world.bureau)
    assert [(row["case_id"], row["due_on"], row["days_left"]) for row in page["items"]] == [
        (late["id"], "2026-08-30", -32),
        (due_soon["id"], "2026-10-04", 3),
    ]
    assert page["counts"] == {"cases": 2, "complete": 0, "incomplete": 2}
    row = page["items"][1]
    assert row["sick_week"] == 91 and row["complete"] is False and row["upload_ready"] is False
    assert [b["part"] for b in row["blocking"]][:2] == ["probleemanalyse", "plan_van_aanpak"]
    assert row["blocking"][0] == {
        "part": "probleemanalyse",
        "status": "missing",
        "action_by": ["bedrijfsarts", "werkgever"],
    }
    assert ended["id"] not in str(page) and closed["id"] not in str(page)

    wide = await _portfolio(world.bureau, within_days=60)
    assert [r["case_id"] for r in wide["items"]] == [late["id"], due_soon["id"], later["id"]]
    assert wide["counts"]["cases"] == 3
    first = await _portfolio(world.bureau, within_days=60, limit=2)
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = await _portfolio(world.bureau, within_days=60, limit=2, cursor=first["next_cursor"])
    assert [r["case_id"] for r in rest["items"]] == [later["id"]] and rest["next_cursor"] is None
    assert rest["counts"] == wide["counts"]

    assert [r["case_id"] for r in (await _portfolio(world.employer))["items"]] == [late["id"], due_soon["id"]]
    assert (await _portfolio(world.bureau, employer_id=world.other_employer.id))["items"] == []
    other = await _portfolio(world.other_bureau)
    assert [r["case_id"] for r in other["items"]] == [elsewhere.json()["id"]]
    assert (await _portfolio(world.other_arbodienst))["counts"]["cases"] == 0
