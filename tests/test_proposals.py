"""Candidate proposals: spoor 2/3 only, forward-only status moves with a dated history, visibility, audit."""

from __future__ import annotations

from typing import Any

import pytest

from app.cases.service import today
from tests.conftest import World, assert_problem, create_case
from tests.workflows import add_proposal, future, spoor_2, start_track


async def _move(world: World, proposal: dict[str, Any], **body: Any) -> dict[str, Any]:
    response = await world.bureau.patch(
        f"/v1/candidate-proposals/{proposal['id']}", json=body, headers={"If-Match": f'"{proposal["version"]}"'}
    )
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == f'"{proposal["version"] + 1}"'
    return dict(response.json())


async def test_lifecycle_to_hired(world: World) -> None:
    _, track = await spoor_2(world)
    created = await world.bureau.post(
        f"/v1/tracks/{track['id']}/candidate-proposals",
        json={
            "prospective_employer": {"name": "Bouwbedrijf Smit", "kvk": "12345678", "place": "Zwolle"},
            "vacancy_title": "Magazijnmedewerker",
            "proposed_on": "2026-02-10",
            "channel": "vacature",
            "note": "Via de vacaturebank",
        },
    )
    assert created.status_code == 201, created.text
    proposal = created.json()
    assert created.headers["location"] == f"/v1/candidate-proposals/{proposal['id']}"
    assert created.headers["etag"] == '"1"'
    assert proposal["prospective_employer"] == {"name": "Bouwbedrijf Smit", "kvk": "12345678", "place": "Zwolle"}
    assert (proposal["status"], proposal["status_date"], proposal["track_id"]) == (
        "proposed",
        "2026-02-10",
        track["id"],
    )
    assert [(h["status"], h["status_date"]) for h in proposal["status_history"]] == [("proposed", "2026-02-10")]
    proposal = await _move(world, proposal, status="interview", status_date="2026-02-17")
    proposal = await _move(world, proposal, status="trial_placement", status_date="2026-03-02", reason="4 weken")
    proposal = await _move(world, proposal, status="hired", status_date="2026-03-30")
    assert (proposal["status"], proposal["status_date"], proposal["version"]) == ("hired", "2026-03-30", 4)
    assert [(h["status"], h["status_date"], h["reason"]) for h in proposal["status_history"]] == [
        ("proposed", "2026-02-10", None),
        ("interview", "2026-02-17", None),
        ("trial_placement", "2026-03-02", "4 weken"),
        ("hired", "2026-03-30", None),
    ]
    got = await world.bureau.get(f"/v1/candidate-proposals/{proposal['id']}")
    assert got.json() == proposal
    assert got.headers["etag"] == '"4"'
    # hired is final
    again = await world.bureau.patch(
        f"/v1/candidate-proposals/{proposal['id']}",
        json={"status": "withdrawn", "reason": "x"},
        headers={"If-Match": '"4"'},
    )
    assert_problem(again, 422)


async def test_skipping_forward_and_detachering(world: World) -> None:
    _, track = await spoor_2(world)
    proposal = await add_proposal(world.bureau, track["id"], channel="bemiddeling")
    proposal = await _move(world, proposal, status="detachering", status_date="2026-02-20")
    sideways = await world.bureau.patch(
        f"/v1/candidate-proposals/{proposal['id']}", json={"status": "trial_placement"}, headers={"If-Match": '"2"'}
    )
    assert assert_problem(sideways, 422)["errors"][0]["field"] == "status"
    proposal = await _move(world, proposal, status="hired")  # status_date defaults to today
    assert proposal["status_date"] == today().isoformat()


@pytest.mark.parametrize(
    ("path", "move"),
    [
        (["interview"], {"status": "proposed"}),
        (["interview"], {"status": "interview"}),
        (["trial_placement"], {"status": "interview"}),
        (["rejected"], {"status": "interview"}),
        (["withdrawn"], {"status": "rejected", "reason": "x"}),
        ([], {"status": "proposed"}),
        ([], {"status": "unknown"}),
    ],
)
async def test_backward_and_final_moves_are_422(world: World, path: list[str], move: dict[str, Any]) -> None:
    _, track = await spoor_2(world)
    proposal = await add_proposal(world.bureau, track["id"])
    for status in path:
        proposal = await _move(world, proposal, status=status, status_date="2026-02-20", reason="reden")
    response = await world.bureau.patch(
        f"/v1/candidate-proposals/{proposal['id']}", json=move, headers={"If-Match": f'"{proposal["version"]}"'}
    )
    assert_problem(response, 422)
    assert (await world.bureau.get(f"/v1/candidate-proposals/{proposal['id']}")).json() == proposal


async def test_rejection_and_withdrawal_need_a_reason(world: World) -> None:
    _, track = await spoor_2(world)
    proposal = await add_proposal(world.bureau, track["id"])
    url = f"/v1/candidate-proposals/{proposal['id']}"
    no_reason = await world.bureau.patch(url, json={"status": "rejected"}, headers={"If-Match": '"1"'})
    assert assert_problem(no_reason, 422)["errors"][0]["field"] == "reason"
    proposal = await _move(world, proposal, status="interview", status_date="2026-02-12")
    proposal = await _move(world, proposal, status="rejected", status_date="2026-02-19", reason="Andere kandidaat")
    assert proposal["status_history"][-1] == {
        "status": "rejected",
        "status_date": "2026-02-19",
        "reason": "Andere kandidaat",
        "recorded_at": proposal["status_history"][-1]["recorded_at"],
    }
    other = await add_proposal(world.bureau, track["id"], channel="netwerk")
    other = await _move(world, other, status="withdrawn", reason="Kandidaat ziet af van de functie")
    assert other["status"] == "withdrawn"


async def test_status_dates(world: World) -> None:
    _, track = await spoor_2(world)
    proposal = await add_proposal(world.bureau, track["id"], proposed_on="2026-02-10")
    url = f"/v1/candidate-proposals/{proposal['id']}"
    headers = {"If-Match": '"1"'}
    early = await world.bureau.patch(url, json={"status": "interview", "status_date": "2026-02-09"}, headers=headers)
    assert assert_problem(early, 422)["errors"][0]["field"] == "status_date"
    later = await world.bureau.patch(url, json={"status": "interview", "status_date": future()}, headers=headers)
    assert_problem(later, 422)
    lonely = await world.bureau.patch(url, json={"status_date": "2026-02-12"}, headers=headers)
    assert assert_problem(lonely, 422)["errors"][0]["field"] == "status_date"
    assert_problem(await world.bureau.patch(url, json={"reason": "x"}, headers=headers), 422)
    proposal = await _move(world, proposal, status="interview", status_date="2026-02-20")
    before_current = await world.bureau.patch(
        url, json={"status": "trial_placement", "status_date": "2026-02-19"}, headers={"If-Match": '"2"'}
    )
    assert_problem(before_current, 422)


async def test_patch_details_and_if_match(world: World) -> None:
    _, track = await spoor_2(world)
    proposal = await add_proposal(world.bureau, track["id"])
    url = f"/v1/candidate-proposals/{proposal['id']}"
    assert_problem(await world.bureau.patch(url, json={"vacancy_title": "Chauffeur"}), 428)
    assert_problem(await world.bureau.patch(url, json={"vacancy_title": "Chauffeur"}, headers={"If-Match": '"9"'}), 412)
    changed = await world.bureau.patch(
        url,
        json={
            "vacancy_title": "Chauffeur",
            "prospective_employer": {"name": "Transport Veenstra", "place": "Kampen"},
            "channel": "open_sollicitatie",
            "proposed_on": "2026-02-11",
        },
        headers={"If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["prospective_employer"] == {"name": "Transport Veenstra", "kvk": None, "place": "Kampen"}
    assert (body["vacancy_title"], body["channel"], body["proposed_on"], body["status_date"]) == (
        "Chauffeur",
        "open_sollicitatie",
        "2026-02-11",
        "2026-02-11",
    )
    for bad in ({"vacancy_title": None}, {"channel": "krant"}, {"prospective_employer": {"name": "X"}}):
        assert_problem(await world.bureau.patch(url, json=bad, headers={"If-Match": '"2"'}), 422)
    body = await _move(world, body, status="interview", status_date="2026-02-13")
    # Once the proposal moved on, its date is part of the history.
    moved = await world.bureau.patch(url, json={"proposed_on": "2026-02-12"}, headers={"If-Match": '"3"'})
    assert_problem(moved, 409)


async def test_only_on_spoor_2_or_3_and_inside_the_track(world: World) -> None:
    case, track = await spoor_2(world)
    spoor_1 = await start_track(world.bureau, case["id"], spoor=1, started_on="2025-04-01")
    body = {
        "prospective_employer": {"name": "Bouwbedrijf Smit", "place": "Zwolle"},
        "vacancy_title": "Magazijnmedewerker",
        "proposed_on": "2026-02-10",
        "channel": "vacature",
    }
    assert_problem(await world.bureau.post(f"/v1/tracks/{spoor_1['id']}/candidate-proposals", json=body), 422)
    url = f"/v1/tracks/{track['id']}/candidate-proposals"
    for when in ("2026-01-18", future()):
        problem = assert_problem(await world.bureau.post(url, json={**body, "proposed_on": when}), 422)
        assert problem["errors"][0]["field"] == "proposed_on"
    await world.bureau.post(f"/v1/tracks/{track['id']}/end", json={"ended_on": "2026-03-13", "end_reason": "x"})
    assert_problem(await world.bureau.post(url, json={**body, "proposed_on": "2026-03-14"}), 422)
    # A proposal made before the end may still be recorded afterwards (back-office catch-up).
    assert (await world.bureau.post(url, json={**body, "proposed_on": "2026-03-13"})).status_code == 201


async def test_validation(world: World) -> None:
    _, track = await spoor_2(world)
    url = f"/v1/tracks/{track['id']}/candidate-proposals"
    good = {
        "prospective_employer": {"name": "Bouwbedrijf Smit", "kvk": "12345678", "place": "Zwolle"},
        "vacancy_title": "Magazijnmedewerker",
        "proposed_on": "2026-02-10",
        "channel": "vacature",
    }
    for bad in (
        {**good, "channel": "krant"},
        {**good, "prospective_employer": {**good["prospective_employer"], "kvk": "1234"}},
        {**good, "prospective_employer": {"name": "Smit"}},
        {**good, "prospective_employer": {**good["prospective_employer"], "diagnose": "x"}},
        {**good, "vacancy_title": "x" * 201},
        {**good, "vacancy_title": ""},
        {**good, "status": "hired"},
        {**good, "proposed_on": "2026-02-30"},
        {**good, "note": "x" * 2001},
        {k: v for k, v in good.items() if k != "channel"},
    ):
        assert_problem(await world.bureau.post(url, json=bad), 422)
    assert (await world.bureau.get(url)).json()["items"] == []


async def test_list_order_filter_and_pages(world: World) -> None:
    _, track = await spoor_2(world)
    url = f"/v1/tracks/{track['id']}/candidate-proposals"
    late = await add_proposal(world.bureau, track["id"], proposed_on="2026-03-03")
    early = await add_proposal(world.bureau, track["id"], proposed_on="2026-01-28")
    early = await _move(world, early, status="interview", status_date="2026-02-02")
    listed = (await world.bureau.get(url)).json()["items"]
    assert [p["id"] for p in listed] == [early["id"], late["id"]]
    assert listed[0]["status_history"] == early["status_history"]
    only = (await world.bureau.get(url, params={"status": "interview"})).json()["items"]
    assert [p["id"] for p in only] == [early["id"]]
    page = (await world.bureau.get(url, params={"limit": 1})).json()
    rest = (await world.bureau.get(url, params={"limit": 1, "cursor": page["next_cursor"]})).json()
    assert [p["id"] for p in page["items"] + rest["items"]] == [early["id"], late["id"]]
    assert rest["next_cursor"] is None
    assert_problem(await world.bureau.get(url, params={"cursor": "bm90LWEtY3Vyc29y"}), 422)
    assert_problem(await world.bureau.get(url, params={"status": "hired_maybe"}), 422)


async def test_visibility_and_write_rights(world: World) -> None:
    _, track = await spoor_2(world)
    proposal = await add_proposal(world.bureau, track["id"])
    list_url = f"/v1/tracks/{track['id']}/candidate-proposals"
    url = f"/v1/candidate-proposals/{proposal['id']}"
    # The employer reads proposals; the arbodienst does not.
    assert (await world.employer.get(url)).json() == proposal
    assert [p["id"] for p in (await world.employer.get(list_url)).json()["items"]] == [proposal["id"]]
    assert_problem(await world.arbodienst.get(url), 404)
    assert_problem(await world.arbodienst.get(list_url), 404)
    # Only the bureau writes: the case's other parties get 403, outsiders 404.
    body = {
        "prospective_employer": {"name": "X", "place": "Y"},
        "vacancy_title": "Z",
        "proposed_on": "2026-02-10",
        "channel": "netwerk",
    }
    for party in (world.employer, world.arbodienst):
        assert_problem(await party.post(list_url, json=body), 403)
        assert_problem(await party.patch(url, json={"status": "interview"}, headers={"If-Match": '"1"'}), 403)
    for outsider in (world.other_bureau, world.other_employer, world.other_arbodienst):
        assert_problem(await outsider.get(url), 404)
        assert_problem(await outsider.get(list_url), 404)
        assert_problem(await outsider.post(list_url, json=body), 404)
        assert_problem(await outsider.patch(url, json={"status": "interview"}, headers={"If-Match": '"1"'}), 404)
    assert (await world.bureau.get(url)).json() == proposal


async def test_audit_rows_and_events(world: World) -> None:
    case, track = await spoor_2(world)
    proposal = await add_proposal(world.bureau, track["id"])
    proposal = await _move(world, proposal, status="interview", status_date="2026-02-12")
    await _move(world, proposal, vacancy_title="Orderpicker")
    audit = (await world.bureau.get(f"/v1/cases/{case['id']}/audit-log")).json()["items"]
    rows = [r for r in audit if r["entity_type"] == "candidate_proposal"]
    assert [r["action"] for r in rows] == ["created", "status_changed", "updated"]
    assert rows[1]["before"]["status"] == "proposed"
    assert rows[1]["after"]["status"] == "interview"
    assert rows[2]["after"]["vacancy_title"] == "Orderpicker"
    expected = ["candidate_proposal.created", "candidate_proposal.status_changed", "candidate_proposal.updated"]
    for reader in (world.bureau, world.employer):
        events = (await reader.get("/v1/events")).json()["items"]
        assert [e["type"] for e in events if e["entity_type"] == "candidate_proposal"] == expected
    for blind in (world.arbodienst, world.other_bureau, world.other_employer):
        events = (await blind.get("/v1/events")).json()["items"]
        assert not [e for e in events if e["entity_type"] == "candidate_proposal"]


async def test_spoor_3_track_takes_proposals(world: World) -> None:
    case = await create_case(world, employer_is_wga_eigenrisicodrager=True)
    decision = {"type": "wia_beslissing", "occurred_on": "2026-02-20", "percentage": 45, "uitkering": "wga"}
    assert (await world.bureau.post(f"/v1/cases/{case['id']}/milestones", json=decision)).status_code == 201
    track = await start_track(world.bureau, case["id"], spoor=3, started_on="2026-03-02")
    proposal = await add_proposal(world.bureau, track["id"], proposed_on="2026-03-05", channel="open_sollicitatie")
    assert proposal["status"] == "proposed"
