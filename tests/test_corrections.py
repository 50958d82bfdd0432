"""Corrections: voiding a milestone, deleting a draft report or an empty track, changing an organization's details.
Nothing is silently rewritten: each leaves an audit row and a feed event."""

from __future__ import annotations

from typing import Any

from tests.conftest import Actor, World, assert_problem, create_case
from tests.workflows import add_proposal, add_report, spoor_2, start_track


async def _record(actor: Actor, case_id: str, **fact: Any) -> dict[str, Any]:
    response = await actor.post(f"/v1/cases/{case_id}/milestones", json=fact)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _obligation(actor: Actor, case_id: str, code: str, as_of: str) -> dict[str, Any]:
    response = await actor.get(f"/v1/cases/{case_id}/compliance", params={"as_of": as_of})
    assert response.status_code == 200, response.text
    return next(ob for ob in response.json()["obligations"] if ob["code"] == code)


async def _portfolio_status(actor: Actor, case_id: str, code: str, as_of: str) -> set[str]:
    response = await actor.get("/v1/compliance", params={"as_of": as_of, "limit": 200})
    assert response.status_code == 200, response.text
    return {i["status"] for i in response.json()["items"] if i["case_id"] == case_id and i["code"] == code}


async def test_a_voided_milestone_stays_readable_and_leaves_the_rules(world: World) -> None:
    case = await create_case(world)
    milestone = await _record(world.arbodienst, case["id"], type="probleemanalyse", occurred_on="2025-02-12")
    assert (await _obligation(world.bureau, case["id"], "probleemanalyse", "2025-03-03"))["status"] == "done"
    assert "overdue" not in await _portfolio_status(world.bureau, case["id"], "probleemanalyse", "2025-03-03")

    response = await world.arbodienst.post(f"/v1/milestones/{milestone['id']}/void", json={"reason": "Wrong case"})
    assert response.status_code == 200, response.text
    voided = response.json()
    assert voided["voided_at"] is not None
    assert (voided["voided_by"], voided["void_reason"]) == (world.arbodienst.id, "Wrong case")
    # Still readable, as it was, with the void on it.
    read = (await world.employer.get(f"/v1/cases/{case['id']}/milestones/{milestone['id']}")).json()
    assert read == voided
    listed = (await world.bureau.get(f"/v1/cases/{case['id']}/milestones")).json()["items"]
    assert [m["id"] for m in listed] == [milestone["id"]]
    # The rules no longer count it: the one-case view and the stored snapshot (the portfolio) agree.
    assert (await _obligation(world.bureau, case["id"], "probleemanalyse", "2025-03-03"))["status"] == "overdue"
    assert "overdue" in await _portfolio_status(world.bureau, case["id"], "probleemanalyse", "2025-03-03")
    # Voiding twice is a conflict; a new milestone of the same day counts again.
    assert_problem(await world.bureau.post(f"/v1/milestones/{milestone['id']}/void", json={"reason": "x"}), 409)
    await _record(world.arbodienst, case["id"], type="probleemanalyse", occurred_on="2025-02-12")
    assert (await _obligation(world.bureau, case["id"], "probleemanalyse", "2025-03-03"))["status"] == "done"

    audit = (await world.bureau.get(f"/v1/cases/{case['id']}/audit-log", params={"limit": 100})).json()["items"]
    row = next(a for a in audit if a["action"] == "voided")
    assert (row["entity_id"], row["before"]["voided_at"], row["after"]["void_reason"]) == (
        milestone["id"],
        None,
        "Wrong case",
    )
    events = (await world.employer.get("/v1/events", params={"limit": 200})).json()["items"]
    assert any(e["type"] == "milestone.voided" and e["entity_id"] == milestone["id"] for e in events)


async def test_who_may_void(world: World) -> None:
    case = await create_case(world)
    bedrijfsarts = await _record(world.arbodienst, case["id"], type="probleemanalyse", occurred_on="2025-02-12")
    employer_fact = await _record(world.employer, case["id"], type="plan_van_aanpak", occurred_on="2025-02-20")
    body = {"reason": "Typo"}
    # Whoever may record the type, and the case's bureau always; other parties 403, outsiders 404.
    assert_problem(await world.employer.post(f"/v1/milestones/{bedrijfsarts['id']}/void", json=body), 403)
    assert_problem(await world.arbodienst.post(f"/v1/milestones/{employer_fact['id']}/void", json=body), 403)
    assert_problem(await world.other_bureau.post(f"/v1/milestones/{employer_fact['id']}/void", json=body), 404)
    assert (await world.employer.post(f"/v1/milestones/{employer_fact['id']}/void", json=body)).status_code == 200
    assert (await world.bureau.post(f"/v1/milestones/{bedrijfsarts['id']}/void", json=body)).status_code == 200
    assert_problem(await world.bureau.post(f"/v1/milestones/{bedrijfsarts['id']}/void", json={"reason": ""}), 422)


async def test_a_voided_wia_decision_no_longer_opens_spoor_3(world: World) -> None:
    case = await create_case(world, employer_is_wga_eigenrisicodrager=True)
    decision = await _record(
        world.bureau, case["id"], type="wia_beslissing", occurred_on="2026-03-05", percentage=50, uitkering="wga"
    )
    voided = await world.bureau.post(f"/v1/milestones/{decision['id']}/void", json={"reason": "Wrong percentage"})
    assert voided.status_code == 200, voided.text
    refused = await world.bureau.post(f"/v1/cases/{case['id']}/tracks", json={"spoor": 3, "started_on": "2026-03-10"})
    assert assert_problem(refused, 422)["unmet_condition"] == "wia_beslissing"


async def test_delete_a_draft_report(world: World) -> None:
    _, track = await spoor_2(world)
    draft = await add_report(world.bureau, track["id"], "2026-02")
    url = f"/v1/progress-reports/{draft['id']}"
    assert_problem(await world.bureau.request("DELETE", url), 428)
    assert_problem(await world.bureau.request("DELETE", url, headers={"If-Match": '"7"'}), 412)
    assert_problem(await world.employer.request("DELETE", url, headers={"If-Match": '"1"'}), 403)
    deleted = await world.bureau.request("DELETE", url, headers={"If-Match": f'"{draft["version"]}"'})
    assert deleted.status_code == 204, deleted.text
    assert_problem(await world.bureau.get(url), 404)
    audit = (await world.bureau.get(f"/v1/cases/{track['case_id']}/audit-log", params={"limit": 100})).json()
    row = next(a for a in audit["items"] if a["action"] == "deleted")
    assert (row["entity_type"], row["entity_id"], row["after"]) == ("progress_report", draft["id"], None)
    # A submitted report is part of the dossier.
    report = await add_report(world.bureau, track["id"], "2026-03", employee_comments="Gaat goed")
    submitted = await world.bureau.post(f"/v1/progress-reports/{report['id']}/submit", json={})
    assert submitted.status_code == 200, submitted.text
    headers = {"If-Match": f'"{submitted.json()["version"]}"'}
    assert_problem(await world.bureau.request("DELETE", f"/v1/progress-reports/{report['id']}", headers=headers), 409)


async def test_delete_a_track_without_reports_or_proposals(world: World) -> None:
    case, track = await spoor_2(world)
    url = f"/v1/tracks/{track['id']}"
    await add_proposal(world.bureau, track["id"])
    assert_problem(await world.bureau.request("DELETE", url, headers={"If-Match": '"1"'}), 409)
    empty = await start_track(world.bureau, case["id"], spoor=1, started_on="2025-03-01")
    report = await add_report(world.bureau, empty["id"], "2025-04")
    empty_url = f"/v1/tracks/{empty['id']}"
    assert_problem(await world.bureau.request("DELETE", empty_url, headers={"If-Match": '"1"'}), 409)
    gone = await world.bureau.request("DELETE", f"/v1/progress-reports/{report['id']}", headers={"If-Match": '"1"'})
    assert gone.status_code == 204
    assert_problem(await world.bureau.request("DELETE", empty_url), 428)
    assert_problem(await world.arbodienst.request("DELETE", empty_url, headers={"If-Match": '"1"'}), 403)
    deleted = await world.bureau.request("DELETE", empty_url, headers={"If-Match": '"1"'})
    assert deleted.status_code == 204, deleted.text
    assert_problem(await world.bureau.get(empty_url), 404)
    events = (await world.employer.get("/v1/events", params={"limit": 200})).json()["items"]
    assert any(e["type"] == "track.deleted" and e["entity_id"] == empty["id"] for e in events)


async def test_update_an_organization(world: World) -> None:
    url = f"/v1/organizations/{world.employer.id}"
    body = {"name": "Bakkerij De Vries B.V.", "contact_name": "H. de Vries", "contact_email": "hr@devries.nl"}
    response = await world.bureau.patch(url, json=body)
    assert response.status_code == 200, response.text
    org = response.json()
    assert {k: org[k] for k in body} == body
    assert org["registered_by_id"] == world.bureau.id
    assert org["updated_at"] > org["created_at"]
    # The organization itself may change them too; null clears a contact detail.
    itself = await world.employer.patch(url, json={"contact_phone": "+31 20 123 4567", "contact_email": None})
    assert itself.status_code == 200, itself.text
    assert (itself.json()["contact_phone"], itself.json()["contact_email"]) == ("+31 20 123 4567", None)
    assert (await world.employer.get("/v1/me")).json()["organization"]["contact_phone"] == "+31 20 123 4567"
    # Others: 403 when they see it, 404 when they do not; invalid details 422; the name cannot be cleared.
    assert_problem(await world.other_bureau.patch(url, json={"name": "X"}), 404)
    case = await create_case(world)
    assert case
    assert_problem(await world.employer.patch(f"/v1/organizations/{world.bureau.id}", json={"name": "X"}), 403)
    assert_problem(await world.bureau.patch(url, json={"contact_email": "not an address"}), 422)
    assert_problem(await world.bureau.patch(url, json={"name": None}), 422)
    assert_problem(await world.bureau.patch(url, json={"kvk": "12345678"}), 422)
    events = (await world.employer.get("/v1/events", params={"limit": 200})).json()["items"]
    changes = [e for e in events if e["type"] == "organization.updated" and e["entity_id"] == world.employer.id]
    assert len(changes) == 2
