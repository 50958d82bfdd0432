"""Document references through the API (shared/domain/reintegratieverslag.md 3.2): who records and reads each
kind, the checks on every field, append-only, the upload findings, and the audit row and event of each write."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World, assert_problem, create_case
from tests.test_reintegratieverslag import document_body


async def _case_with_milestones(world: World) -> tuple[dict[str, Any], dict[str, str]]:
    case = await create_case(world)
    ids = {}
    for type_, on in (("probleemanalyse", "2025-02-12"), ("plan_van_aanpak", "2025-02-24")):
        response = await world.bureau.post(
            f"/v1/cases/{case['id']}/milestones", json={"type": type_, "occurred_on": on}
        )
        assert response.status_code == 201, response.text
        ids[type_] = response.json()["id"]
    return case, ids


async def test_record_read_and_list(world: World) -> None:
    case, ids = await _case_with_milestones(world)
    url = f"/v1/cases/{case['id']}/documents"
    body = document_body("plan_van_aanpak", "2025-02-24", ids["plan_van_aanpak"], signed_by=["werknemer", "werkgever"])
    created = await world.employer.post(url, json=body, headers={"Idempotency-Key": "pva-1"})
    assert created.status_code == 201, created.text
    doc = created.json()
    assert created.headers["location"] == f"{url}/{doc['id']}"
    assert doc["signed_by"] == ["werkgever", "werknemer"]  # a set, in a fixed order
    assert doc["findings"] == []
    assert doc["recorded_by_organization_id"] == world.employer.id
    assert {
        k: doc[k] for k in ("kind", "title", "dated_on", "supplied_by", "sha256", "milestone_id", "size_bytes")
    } == {k: body[k] for k in ("kind", "title", "dated_on", "supplied_by", "sha256", "milestone_id", "size_bytes")}
    replay = await world.employer.post(url, json=body, headers={"Idempotency-Key": "pva-1"})
    assert replay.json()["id"] == doc["id"]

    pa = await world.arbodienst.post(url, json=document_body("probleemanalyse", "2025-02-12", ids["probleemanalyse"]))
    assert pa.status_code == 201, pa.text
    # The bureau and the werkgever read every kind; the arbodienst only the kinds it may record.
    for actor, expected in ((world.bureau, 2), (world.employer, 2), (world.arbodienst, 1)):
        listed = (await actor.get(url)).json()["items"]
        assert len(listed) == expected
    assert (await world.arbodienst.get(f"{url}/{pa.json()['id']}")).status_code == 200
    assert_problem(await world.arbodienst.get(f"{url}/{doc['id']}"), 404)
    assert [d["id"] for d in (await world.bureau.get(url, params={"kind": "probleemanalyse"})).json()["items"]] == [
        pa.json()["id"]
    ]
    assert (await world.arbodienst.get(url, params={"kind": "plan_van_aanpak"})).json()["items"] == []
    for outsider in (world.other_bureau, world.other_employer, world.other_arbodienst):
        assert_problem(await outsider.get(url), 404)
        assert_problem(await outsider.get(f"{url}/{doc['id']}"), 404)
    # Append-only: no route changes or removes a reference.
    assert (await world.bureau.request("PATCH", f"{url}/{doc['id']}", json={"title": "x"})).status_code == 405
    assert (await world.bureau.request("DELETE", f"{url}/{doc['id']}")).status_code == 405

    audit = (await world.bureau.get(f"/v1/cases/{case['id']}/audit-log")).json()["items"]
    assert {(a["entity_type"], a["action"]) for a in audit if a["entity_id"] == doc["id"]} == {("document", "recorded")}
    events = (await world.bureau.get("/v1/events", params={"limit": 200})).json()["items"]
    assert [e["type"] for e in events if e["entity_id"] == doc["id"]] == ["document.recorded"]
    arbo_events = (await world.arbodienst.get("/v1/events", params={"limit": 200})).json()["items"]
    assert doc["id"] not in {e["entity_id"] for e in arbo_events}  # the werkgever's document stays hidden
    assert pa.json()["id"] in {e["entity_id"] for e in arbo_events}


async def test_who_may_record_which_kind(world: World) -> None:
    case, ids = await _case_with_milestones(world)
    url = f"/v1/cases/{case['id']}/documents"
    pa = document_body("probleemanalyse", "2025-02-12", ids["probleemanalyse"])
    pva = document_body("plan_van_aanpak", "2025-02-24", ids["plan_van_aanpak"])
    ad = document_body("arbeidsdeskundig_rapport", "2025-03-01", None)
    assert_problem(await world.employer.post(url, json=pa), 403)
    assert_problem(await world.employer.post(url, json=ad), 403)
    assert_problem(await world.arbodienst.post(url, json=pva), 403)
    # The arbodienst supplies an arbeidsdeskundig rapport only as the bedrijfsarts' service.
    assert_problem(await world.arbodienst.post(url, json=ad), 403)
    assert (
        await world.arbodienst.post(url, json={**ad, "supplied_by": "bedrijfsarts", "signed_by": ["bedrijfsarts"]})
    ).status_code == 201
    for body in (pa, pva, ad):
        assert (await world.bureau.post(url, json=body)).status_code == 201
    assert_problem(await world.other_bureau.post(url, json=ad), 404)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "medische_informatie"}, "kind"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "a\x00b"}, None),
        ({"dated_on": "2025-01-05"}, "dated_on"),  # before D
        ({"dated_on": "2099-01-01"}, "dated_on"),  # in the future
        ({"supplied_by": "bedrijfsarts"}, "supplied_by"),  # a plan van aanpak comes from werkgever or werknemer
        ({"signed_by": ["uwv"]}, "signed_by"),
        ({"media_type": "pdf"}, "media_type"),
        ({"media_type": "a/" + "b" * 100}, "media_type"),
        ({"size_bytes": 0}, "size_bytes"),
        ({"size_bytes": 2**31}, "size_bytes"),
        ({"sha256": "A" * 64}, "sha256"),
        ({"sha256": "a" * 63}, "sha256"),
        ({"milestone_id": None}, "milestone_id"),
        ({"bsn_on_document": None}, "bsn_on_document"),
        ({"unknown": 1}, "unknown"),
    ],
)
async def test_invalid_references_are_422(world: World, change: dict[str, Any], field: str | None) -> None:
    case, ids = await _case_with_milestones(world)
    body = {**document_body("plan_van_aanpak", "2025-02-24", ids["plan_van_aanpak"]), **change}
    problem = assert_problem(await world.bureau.post(f"/v1/cases/{case['id']}/documents", json=body), 422)
    if field is not None:
        assert field in problem["detail"] or any(field in e["field"] for e in problem.get("errors", [])), problem


async def test_the_milestone_must_match_the_kind_and_the_case(world: World) -> None:
    case, ids = await _case_with_milestones(world)
    _, other_ids = await _case_with_milestones(world)
    url = f"/v1/cases/{case['id']}/documents"
    wrong_type = document_body("plan_van_aanpak", "2025-02-24", ids["probleemanalyse"])
    assert "probleemanalyse" in assert_problem(await world.bureau.post(url, json=wrong_type), 422)["detail"]
    other_case = document_body("plan_van_aanpak", "2025-02-24", other_ids["plan_van_aanpak"])
    assert_problem(await world.bureau.post(url, json=other_case), 422)
    ad_with_milestone = document_body("arbeidsdeskundig_rapport", "2025-03-01", ids["plan_van_aanpak"])
    assert_problem(await world.bureau.post(url, json=ad_with_milestone), 422)


async def test_upload_findings(world: World) -> None:
    case, ids = await _case_with_milestones(world)
    url = f"/v1/cases/{case['id']}/documents"
    body = document_body(
        "plan_van_aanpak",
        "2025-02-24",
        ids["plan_van_aanpak"],
        signed_by=["werkgever"],
        bsn_on_document=False,
        media_type="image/png",
        size_bytes=10_000_001,
    )
    doc = (await world.bureau.post(url, json=body)).json()
    assert doc["findings"] == [
        {"code": "unsigned", "ref": "werknemer"},
        {"code": "bsn_not_confirmed", "ref": None},
        {"code": "format_not_accepted", "ref": None},
        {"code": "too_large", "ref": None},
    ]
    fine = {**body, "signed_by": ["werkgever", "werknemer"], "bsn_on_document": True, "size_bytes": 10_000_000}
    for media_type in (
        "application/pdf",
        "image/jpeg",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ):
        assert (await world.bureau.post(url, json={**fine, "media_type": media_type})).json()["findings"] == []
    ad = document_body(
        "arbeidsdeskundig_rapport", "2025-03-01", None, supplied_by="reintegratiebureau", signed_by=["bedrijfsarts"]
    )
    assert (await world.bureau.post(url, json=ad)).json()["findings"] == [
        {"code": "unsigned", "ref": "reintegratiebureau"}
    ]
