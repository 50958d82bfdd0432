"""Monthly progress reports: one per track and month, typed content, draft then immutable, visibility, PDF."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader

from app.cases.service import today
from tests.conftest import World, assert_problem, create_case
from tests.workflows import add_proposal, add_report, future, next_month, report_content, spoor_2, this_month


async def _submit(world: World, report: dict[str, Any], **body: Any) -> dict[str, Any]:
    response = await world.bureau.post(f"/v1/progress-reports/{report['id']}/submit", json=body or None)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_draft_edit_submit(world: World) -> None:
    case, track = await spoor_2(world)
    created = await world.bureau.post(
        f"/v1/tracks/{track['id']}/progress-reports", json={"period": "2026-02", **report_content("2026-02")}
    )
    assert created.status_code == 201, created.text
    report = created.json()
    assert created.headers["location"] == f"/v1/progress-reports/{report['id']}"
    assert created.headers["etag"] == '"1"'
    assert (report["status"], report["submitted_on"], report["period"], report["spoor"]) == (
        "draft",
        None,
        "2026-02",
        2,
    )
    assert (report["track_id"], report["case_id"], report["bureau_id"]) == (track["id"], case["id"], world.bureau.id)
    assert report["plan_progress"][1] == {
        "goal": "Sollicitatievaardigheden",
        "status": "behind",
        "deviation": "Training een week uitgesteld",
    }
    assert report["belastbaarheid"]["source"] == "bedrijfsarts"
    assert report["next_steps"][0]["due_on"] == "2026-02-25"
    assert report["candidate_proposals"] == []
    url = f"/v1/progress-reports/{report['id']}"
    assert_problem(await world.bureau.patch(url, json={"employee_comments": "Prima"}), 428)
    assert_problem(await world.bureau.patch(url, json={"employee_comments": "Prima"}, headers={"If-Match": '"3"'}), 412)
    patched = await world.bureau.patch(
        url, json={"employee_comments": "Prima", "bottlenecks": None}, headers={"If-Match": '"1"'}
    )
    assert patched.status_code == 200, patched.text
    assert (patched.json()["employee_comments"], patched.json()["bottlenecks"], patched.json()["version"]) == (
        "Prima",
        [],
        2,
    )
    assert patched.json()["activities"] == report["activities"]
    submitted = await world.bureau.post(f"{url}/submit")
    assert submitted.status_code == 200, submitted.text
    assert submitted.headers["etag"] == '"3"'
    body = submitted.json()
    assert (body["status"], body["submitted_on"], body["version"]) == ("submitted", today().isoformat(), 3)
    # Immutable once submitted.
    assert_problem(await world.bureau.patch(url, json={"employee_comments": "x"}, headers={"If-Match": '"3"'}), 409)
    assert_problem(await world.bureau.post(f"{url}/submit"), 409)
    assert (await world.bureau.get(url)).json() == body


async def test_one_report_per_track_and_month(world: World) -> None:
    case, track = await spoor_2(world)
    url = f"/v1/tracks/{track['id']}/progress-reports"
    first = await add_report(world.bureau, track["id"], "2026-02")
    second = assert_problem(await world.bureau.post(url, json={"period": "2026-02"}), 409)
    assert second["existing_id"] == first["id"]
    other = await add_report(world.bureau, track["id"], "2026-03")
    moved = await world.bureau.patch(
        f"/v1/progress-reports/{other['id']}", json={"period": "2026-02"}, headers={"If-Match": '"1"'}
    )
    assert_problem(moved, 409)
    # Another track of the same case has its own months.
    spoor_1 = await world.bureau.post(f"/v1/cases/{case['id']}/tracks", json={"spoor": 1, "started_on": "2025-03-01"})
    assert (
        await world.bureau.post(f"/v1/tracks/{spoor_1.json()['id']}/progress-reports", json={"period": "2026-02"})
    ).status_code == 201


async def test_period_lies_within_the_track_and_not_after_this_month(world: World) -> None:
    _, track = await spoor_2(world)  # from 2026-01-19
    url = f"/v1/tracks/{track['id']}/progress-reports"
    before = assert_problem(await world.bureau.post(url, json={"period": "2025-12"}), 422)
    assert before["errors"][0]["field"] == "period"
    assert_problem(await world.bureau.post(url, json={"period": next_month()}), 422)
    assert (await world.bureau.post(url, json={"period": "2026-01"})).status_code == 201  # one active day counts
    for bad in ("2026-13", "2026-1", "26-01", "2026-00", "", "2026-01-01", 202601, None):
        assert_problem(await world.bureau.post(url, json={"period": bad}), 422)
    ended = await world.bureau.post(f"/v1/tracks/{track['id']}/end", json={"ended_on": "2026-04-03", "end_reason": "x"})
    assert ended.status_code == 200, ended.text
    assert_problem(await world.bureau.post(url, json={"period": "2026-05"}), 422)
    # The month the track ended still gets its report, after the end.
    assert (await world.bureau.post(url, json={"period": "2026-04"})).status_code == 201
    # The running month of an active track may be drafted.
    _, running = await spoor_2(world)
    response = await world.bureau.post(f"/v1/tracks/{running['id']}/progress-reports", json={"period": this_month()})
    assert response.status_code == 201, response.text


async def test_submitted_on(world: World) -> None:
    _, track = await spoor_2(world)
    report = await add_report(world.bureau, track["id"], "2026-02", **report_content("2026-02"))
    url = f"/v1/progress-reports/{report['id']}/submit"
    later = assert_problem(await world.bureau.post(url, json={"submitted_on": future(1)}), 422)
    assert later["errors"][0]["field"] == "submitted_on"
    early = assert_problem(await world.bureau.post(url, json={"submitted_on": "2026-01-31"}), 422)
    assert early["errors"][0]["field"] == "submitted_on"
    assert_problem(await world.bureau.post(url, json={"submitted_on": "2026-03-01", "status": "x"}), 422)
    assert_problem(await world.bureau.post(url, json={"submitted_on": "2026-03-10"}, headers={"If-Match": '"4"'}), 412)
    imported = await world.bureau.post(url, json={"submitted_on": "2026-03-10"}, headers={"If-Match": '"1"'})
    assert imported.status_code == 200, imported.text
    assert imported.json()["submitted_on"] == "2026-03-10"


async def test_an_empty_report_cannot_be_submitted(world: World) -> None:
    _, track = await spoor_2(world)
    report = await add_report(world.bureau, track["id"], "2026-02")
    assert_problem(await world.bureau.post(f"/v1/progress-reports/{report['id']}/submit"), 422)
    await world.bureau.patch(
        f"/v1/progress-reports/{report['id']}",
        json={"houding_en_gedrag": "Werkt goed mee."},
        headers={"If-Match": '"1"'},
    )
    assert (await _submit(world, report))["status"] == "submitted"


@pytest.mark.parametrize(
    "content",
    [
        {"diagnose": "burn-out"},
        {"medication": "x"},
        {"belastbaarheid": {**report_content("2026-02")["belastbaarheid"], "diagnosis": "depressie"}},
        {"belastbaarheid": {"description": "x", "source": "huisarts", "assessed_on": "2026-02-01"}},
        {"belastbaarheid": {"description": "x", "source": "bedrijfsarts"}},
        {"belastbaarheid": {**report_content("2026-02")["belastbaarheid"], "hours_per_week": 61}},
        {"plan_progress": [{"goal": "x", "status": "prima"}]},
        {"plan_progress": [{"goal": "", "status": "on_track"}]},
        {"plan_progress": [{"goal": "x", "status": "on_track", "behandeling": "fysio"}]},
        {"plan_progress": [{"goal": "x", "status": "on_track"}] * 51},
        {"activities": [{"description": "x" * 2001}]},
        {"activities": [{"on": "2026-02-05"}]},
        {"houding_en_gedrag": "x" * 4001},
        {"employee_comments": "a\x00b"},
        {"next_steps": [{"action": "x"}]},
        {"next_steps": [{"action": "x", "due_on": "2101-01-01"}]},
        {"bottlenecks": [{"measure": "x"}]},
        {"candidate_proposals": []},
        {"status": "submitted"},
    ],
)
async def test_content_is_typed_and_bounded(world: World, content: dict[str, Any]) -> None:
    _, track = await spoor_2(world)
    url = f"/v1/tracks/{track['id']}/progress-reports"
    assert_problem(await world.bureau.post(url, json={"period": "2026-02", **content}), 422)
    report = await add_report(world.bureau, track["id"], "2026-02")
    patch = await world.bureau.patch(f"/v1/progress-reports/{report['id']}", json=content, headers={"If-Match": '"1"'})
    assert_problem(patch, 422)
    assert (await world.bureau.get(f"/v1/progress-reports/{report['id']}")).json() == report


async def test_dates_inside_the_content(world: World) -> None:
    _, track = await spoor_2(world)
    url = f"/v1/tracks/{track['id']}/progress-reports"
    outside = {"period": "2026-02", "activities": [{"on": "2026-03-01", "description": "x"}]}
    assert assert_problem(await world.bureau.post(url, json=outside), 422)["errors"][0]["field"] == "activities.0.on"
    assessed = {**report_content("2026-02")["belastbaarheid"], "assessed_on": future()}
    problem = assert_problem(await world.bureau.post(url, json={"period": "2026-02", "belastbaarheid": assessed}), 422)
    assert problem["errors"][0]["field"] == "belastbaarheid.assessed_on"
    report = await add_report(
        world.bureau, track["id"], "2026-02", activities=[{"on": "2026-02-27", "description": "x"}]
    )
    # Moving the period would leave the activity outside it.
    moved = await world.bureau.patch(
        f"/v1/progress-reports/{report['id']}", json={"period": "2026-03"}, headers={"If-Match": '"1"'}
    )
    assert_problem(moved, 422)


async def test_lists_the_months_proposals_and_freezes_them_on_submit(world: World) -> None:
    _, track = await spoor_2(world)
    february = await add_report(world.bureau, track["id"], "2026-02", **report_content("2026-02"))
    march = await add_report(world.bureau, track["id"], "2026-03", **report_content("2026-03"))
    smit = await add_proposal(world.bureau, track["id"], proposed_on="2026-02-10")
    await add_proposal(
        world.bureau,
        track["id"],
        proposed_on="2026-03-02",
        prospective_employer={"name": "Zorggroep Oost", "place": "Deventer"},
    )
    got = (await world.bureau.get(f"/v1/progress-reports/{february['id']}")).json()
    assert [(p["prospective_employer"]["name"], p["status"]) for p in got["candidate_proposals"]] == [
        ("Bouwbedrijf Smit", "proposed")
    ]
    assert got["candidate_proposals"][0]["channel"] == "vacature"
    got = (await world.bureau.get(f"/v1/progress-reports/{march['id']}")).json()
    assert [p["prospective_employer"]["name"] for p in got["candidate_proposals"]] == ["Zorggroep Oost"]
    submitted = await _submit(world, february, submitted_on="2026-03-05")
    assert [p["id"] for p in submitted["candidate_proposals"]] == [smit["id"]]
    # Later news does not change the report as sent; a draft shows the live state.
    moved = await world.bureau.patch(
        f"/v1/candidate-proposals/{smit['id']}",
        json={"status": "interview", "status_date": "2026-03-09"},
        headers={"If-Match": '"1"'},
    )
    assert moved.status_code == 200, moved.text
    await add_proposal(world.bureau, track["id"], proposed_on="2026-02-20")
    frozen = (await world.bureau.get(f"/v1/progress-reports/{february['id']}")).json()
    assert frozen == submitted
    assert frozen["candidate_proposals"][0]["status"] == "proposed"
    listed = (await world.bureau.get(f"/v1/tracks/{track['id']}/progress-reports")).json()["items"]
    assert [r["period"] for r in listed] == ["2026-02", "2026-03"]
    assert listed[0] == submitted


async def test_employer_reads_submitted_reports_only(world: World) -> None:
    _, track = await spoor_2(world)
    list_url = f"/v1/tracks/{track['id']}/progress-reports"
    draft = await add_report(world.bureau, track["id"], "2026-03", **report_content("2026-03"))
    sent = await add_report(world.bureau, track["id"], "2026-02", **report_content("2026-02"))
    sent = await _submit(world, sent, submitted_on="2026-03-06")
    assert_problem(await world.employer.get(f"/v1/progress-reports/{draft['id']}"), 404)
    assert (await world.employer.get(f"/v1/progress-reports/{sent['id']}")).json() == sent
    assert [r["id"] for r in (await world.employer.get(list_url)).json()["items"]] == [sent["id"]]
    assert [r["id"] for r in (await world.employer.get(list_url, params={"status": "draft"})).json()["items"]] == []
    both = (await world.bureau.get(list_url)).json()["items"]
    assert [r["id"] for r in both] == [sent["id"], draft["id"]]
    drafts = (await world.bureau.get(list_url, params={"status": "draft"})).json()["items"]
    assert [r["id"] for r in drafts] == [draft["id"]]
    # The arbodienst reads no reports at all.
    assert_problem(await world.arbodienst.get(f"/v1/progress-reports/{sent['id']}"), 404)
    assert_problem(await world.arbodienst.get(list_url), 404)
    pdf = {"Accept": "application/pdf"}
    assert_problem(await world.arbodienst.get(f"/v1/progress-reports/{sent['id']}", headers=pdf), 404)
    assert_problem(await world.employer.get(f"/v1/progress-reports/{draft['id']}", headers=pdf), 404)


async def test_only_the_bureau_writes(world: World) -> None:
    _, track = await spoor_2(world)
    report = await add_report(world.bureau, track["id"], "2026-02", **report_content("2026-02"))
    url = f"/v1/progress-reports/{report['id']}"
    for party in (world.employer, world.arbodienst):
        assert_problem(await party.post(f"/v1/tracks/{track['id']}/progress-reports", json={"period": "2026-03"}), 403)
        assert_problem(await party.patch(url, json={"employee_comments": "x"}, headers={"If-Match": '"1"'}), 403)
        assert_problem(await party.post(f"{url}/submit"), 403)
    for outsider in (world.other_bureau, world.other_employer, world.other_arbodienst):
        assert_problem(await outsider.get(url), 404)
        assert_problem(await outsider.get(f"/v1/tracks/{track['id']}/progress-reports"), 404)
        assert_problem(
            await outsider.post(f"/v1/tracks/{track['id']}/progress-reports", json={"period": "2026-03"}), 404
        )
        assert_problem(await outsider.patch(url, json={"employee_comments": "x"}, headers={"If-Match": '"1"'}), 404)
        assert_problem(await outsider.post(f"{url}/submit"), 404)
    assert (await world.bureau.get(url)).json() == report


async def test_audit_rows_and_events(world: World) -> None:
    case, track = await spoor_2(world)
    report = await add_report(world.bureau, track["id"], "2026-02", **report_content("2026-02"))
    await world.bureau.patch(
        f"/v1/progress-reports/{report['id']}", json={"employee_comments": "Akkoord"}, headers={"If-Match": '"1"'}
    )
    await _submit(world, report)
    audit = (await world.bureau.get(f"/v1/cases/{case['id']}/audit-log")).json()["items"]
    rows = [r for r in audit if r["entity_type"] == "progress_report"]
    assert [r["action"] for r in rows] == ["created", "updated", "submitted"]
    assert rows[2]["before"]["status"] == "draft"
    assert rows[2]["after"]["status"] == "submitted"
    all_types = ["progress_report.created", "progress_report.updated", "progress_report.submitted"]
    bureau_events = (await world.bureau.get("/v1/events")).json()["items"]
    assert [e["type"] for e in bureau_events if e["entity_type"] == "progress_report"] == all_types
    # The employer learns of the report when it is submitted, never of the draft; the arbodienst never.
    employer_events = (await world.employer.get("/v1/events")).json()["items"]
    assert [e["type"] for e in employer_events if e["entity_type"] == "progress_report"] == [all_types[2]]
    for blind in (world.arbodienst, world.other_bureau, world.other_employer):
        events = (await blind.get("/v1/events")).json()["items"]
        assert not [e for e in events if e["entity_type"] == "progress_report"]


async def test_pdf(world: World) -> None:
    _, track = await spoor_2(
        world,
        employee={"name": "Zoë Hélène Smeïjers", "date_of_birth": "1984-02-11"},
        external_ref="BO-2042",
    )
    content = report_content("2026-02")
    content["houding_en_gedrag"] = "Coöperatief en gemotiveerd — komt “altijd” op tijd."
    report = await add_report(world.bureau, track["id"], "2026-02", **content)
    await add_proposal(world.bureau, track["id"], proposed_on="2026-02-10")
    await add_proposal(
        world.bureau,
        track["id"],
        proposed_on="2026-02-18",
        prospective_employer={"name": "Café De Oosterpoort", "place": "Groningen"},
        channel="netwerk",
    )
    report = await _submit(world, report, submitted_on="2026-03-04")
    url = f"/v1/progress-reports/{report['id']}"
    for reader in (world.bureau, world.employer):
        response = await reader.get(url, headers={"Accept": "application/pdf"})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
        pdf = PdfReader(io.BytesIO(response.content))
        text = "\n".join(page.extract_text() for page in pdf.pages)
        flat = " ".join(text.split())
        for fact in (
            "Voortgangsrapportage februari 2026",
            "Zoë Hélène Smeïjers",
            "Bakkerij De Vries",
            "Bureau Een",
            "Spoor 2",
            "2026-02",
            "Ziekteweek week 56 t/m 60",
            "Verzonden op 04-03-2026",
            "Bouwbedrijf Smit",
            "Café De Oosterpoort",
            "Magazijnmedewerker",
            "Werkfit maken voor logistiek werk",
            "Coöperatief en gemotiveerd",
            "Reistijd naar Zwolle",
            "Gesprek bij Bouwbedrijf Smit",
            "Ik ben tevreden over de begeleiding.",
            "BO-2042",
        ):
            assert fact in flat, (fact, flat)
    # JSON stays the default, and wins when the client prefers it.
    assert (await world.bureau.get(url)).headers["content-type"] == "application/json"
    mixed = await world.bureau.get(url, headers={"Accept": "application/json, application/pdf;q=0.5"})
    assert mixed.headers["content-type"] == "application/json"
    preferred = await world.bureau.get(url, headers={"Accept": "application/json;q=0.4, application/pdf"})
    assert preferred.headers["content-type"] == "application/pdf"


async def test_pdf_of_a_draft_is_marked(world: World) -> None:
    _, track = await spoor_2(world)
    report = await add_report(world.bureau, track["id"], "2026-03")
    response = await world.bureau.get(f"/v1/progress-reports/{report['id']}", headers={"Accept": "application/pdf"})
    assert response.status_code == 200
    text = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert "CONCEPT" in text
    assert "Niets vermeld." in text


async def test_months_late_and_missing_show_in_compliance(world: World) -> None:
    """A spoor 2 track with three months: February on time, March late, April missing."""
    case = await create_case(world)
    track = (
        await world.bureau.post(f"/v1/cases/{case['id']}/tracks", json={"spoor": 2, "started_on": "2026-02-02"})
    ).json()
    february = await add_report(world.bureau, track["id"], "2026-02", **report_content("2026-02"))
    await _submit(world, february, submitted_on="2026-03-10")
    march = await add_report(world.bureau, track["id"], "2026-03", **report_content("2026-03"))
    await _submit(world, march, submitted_on="2026-04-20")
    await world.bureau.post(f"/v1/tracks/{track['id']}/end", json={"ended_on": "2026-04-30", "end_reason": "x"})
    compliance = await world.bureau.get(f"/v1/cases/{case['id']}/compliance", params={"as_of": "2026-05-20"})
    assert compliance.status_code == 200, compliance.text
    items = {o["period"]: o for o in compliance.json()["obligations"] if o["code"] == "voortgangsrapportage"}
    assert items["2026-02"]["status"] == "done"
    assert items["2026-02"]["late_by_days"] == 0
    assert items["2026-03"]["status"] == "done"
    assert items["2026-03"]["late_by_days"] == 6
    assert items["2026-04"]["status"] == "overdue"
    assert {o["track_id"] for o in items.values()} == {track["id"]}
    # A draft does not count.
    april = await add_report(world.bureau, track["id"], "2026-04", **report_content("2026-04"))
    again = await world.bureau.get(f"/v1/cases/{case['id']}/compliance", params={"as_of": "2026-05-20"})
    statuses = {o["period"]: o["status"] for o in again.json()["obligations"] if o["code"] == "voortgangsrapportage"}
    assert statuses["2026-04"] == "overdue"
    assert april["status"] == "draft"
