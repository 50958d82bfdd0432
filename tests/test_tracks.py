"""Tracks: spoor 1/2/3 assignments, the spoor 3 conditions, overlap, If-Match, ending, visibility and audit."""

from __future__ import annotations

import pytest

from tests.conftest import World, assert_problem, create_case
from tests.workflows import add_proposal, add_report, future, spoor_2, start_track


async def test_start_list_and_read(world: World) -> None:
    case = await create_case(world)
    url = f"/v1/cases/{case['id']}/tracks"
    response = await world.bureau.post(url, json={"spoor": 2, "started_on": "2026-01-19", "coach": "E. Bakker"})
    assert response.status_code == 201, response.text
    track = response.json()
    assert track["spoor"] == 2
    assert track["status"] == "active"
    assert track["case_id"] == case["id"]
    assert track["bureau_id"] == world.bureau.id
    assert (track["ended_on"], track["end_reason"], track["goal"], track["version"]) == (None, None, None, 1)
    assert response.headers["location"] == f"/v1/tracks/{track['id']}"
    assert response.headers["etag"] == '"1"'
    spoor_1 = await start_track(world.bureau, case["id"], spoor=1, started_on="2025-03-01")
    # Spoor 1 and 2 run side by side; lists go by start date.
    listed = (await world.bureau.get(url)).json()["items"]
    assert [t["id"] for t in listed] == [spoor_1["id"], track["id"]]
    assert [t["id"] for t in (await world.bureau.get(url, params={"spoor": 2})).json()["items"]] == [track["id"]]
    page = (await world.bureau.get(url, params={"limit": 1})).json()
    assert len(page["items"]) == 1
    rest = (await world.bureau.get(url, params={"cursor": page["next_cursor"]})).json()
    assert [t["id"] for t in rest["items"]] == [track["id"]]
    assert_problem(await world.bureau.get(url, params={"cursor": "not-a-cursor"}), 422)
    # Employer and arbodienst read the tracks of their cases.
    for reader in (world.employer, world.arbodienst):
        got = await reader.get(f"/v1/tracks/{track['id']}")
        assert got.status_code == 200, got.text
        assert got.json() == track
        assert got.headers["etag"] == '"1"'
        assert len((await reader.get(url)).json()["items"]) == 2


async def test_outsiders_get_404(world: World) -> None:
    case, track = await spoor_2(world)
    for outsider in (world.other_bureau, world.other_employer, world.other_arbodienst):
        assert_problem(await outsider.get(f"/v1/tracks/{track['id']}"), 404)
        assert_problem(await outsider.get(f"/v1/cases/{case['id']}/tracks"), 404)
        assert_problem(
            await outsider.post(f"/v1/cases/{case['id']}/tracks", json={"spoor": 1, "started_on": "2025-03-01"}), 404
        )
        assert_problem(
            await outsider.patch(f"/v1/tracks/{track['id']}", json={"coach": "x"}, headers={"If-Match": '"1"'}), 404
        )
        end = {"ended_on": "2026-02-01", "end_reason": "x"}
        assert_problem(await outsider.post(f"/v1/tracks/{track['id']}/end", json=end), 404)
    assert_problem(await world.bureau.get("/v1/tracks/00000000-0000-0000-0000-000000000000"), 404)
    assert_problem(await world.bureau.get("/v1/tracks/not-a-uuid"), 422)


async def test_only_the_bureau_writes(world: World) -> None:
    case, track = await spoor_2(world)
    for party in (world.employer, world.arbodienst):
        body = {"spoor": 1, "started_on": "2025-03-01"}
        assert_problem(await party.post(f"/v1/cases/{case['id']}/tracks", json=body), 403)
        patch = await party.patch(f"/v1/tracks/{track['id']}", json={"coach": "x"}, headers={"If-Match": '"1"'})
        assert_problem(patch, 403)
        end = {"ended_on": "2026-02-01", "end_reason": "x"}
        assert_problem(await party.post(f"/v1/tracks/{track['id']}/end", json=end), 403)
    assert (await world.bureau.get(f"/v1/tracks/{track['id']}")).json() == track


async def test_started_on_rules(world: World) -> None:
    case = await create_case(world)
    url = f"/v1/cases/{case['id']}/tracks"
    early = assert_problem(await world.bureau.post(url, json={"spoor": 1, "started_on": "2025-01-05"}), 422)
    assert early["errors"][0]["field"] == "started_on"
    assert (await world.bureau.post(url, json={"spoor": 1, "started_on": "2025-01-06"})).status_code == 201
    # Any date from D on is a fact the API accepts (domain 2a), a planned start included.
    planned = await world.bureau.post(url, json={"spoor": 2, "started_on": future()})
    assert planned.status_code == 201, planned.text
    for bad in (
        {"spoor": 4, "started_on": "2025-03-01"},
        {"spoor": 0, "started_on": "2025-03-01"},
        {"spoor": 2},
        {"spoor": 2, "started_on": "1999-12-31"},
        {"spoor": 2, "started_on": "2025-03-01", "diagnose": "burn-out"},
        {"spoor": 2, "started_on": "2025-03-01", "coach": "x" * 201},
        {"spoor": 2, "started_on": "2025-03-01", "goal": "x" * 2001},
        {"spoor": 2, "started_on": "2025-03-01", "ended_on": "2025-04-01"},
    ):
        assert_problem(await world.bureau.post(url, json=bad), 422)
    assert len((await world.bureau.get(url)).json()["items"]) == 2


async def test_spoor_3_needs_wga_eigenrisicodrager_and_wia_35_to_80(world: World) -> None:
    body = {"spoor": 3, "started_on": "2027-01-20"}
    plain = await create_case(world)
    problem = assert_problem(
        await world.bureau.post(f"/v1/cases/{plain['id']}/tracks", json={**body, "started_on": "2026-02-01"}), 422
    )
    assert problem["unmet_condition"] == "employer_is_wga_eigenrisicodrager"
    assert "eigenrisicodrager" in problem["detail"]
    assert problem["errors"][0]["field"] == "spoor"

    case = await create_case(world, employer_is_wga_eigenrisicodrager=True)
    url = f"/v1/cases/{case['id']}/tracks"
    milestones = f"/v1/cases/{case['id']}/milestones"
    start = {"spoor": 3, "started_on": "2026-03-02"}
    assert assert_problem(await world.bureau.post(url, json=start), 422)["unmet_condition"] == "wia_beslissing"
    decision = {"type": "wia_beslissing", "occurred_on": "2026-02-20", "percentage": 30, "uitkering": "geen"}
    assert (await world.bureau.post(milestones, json=decision)).status_code == 201
    too_low = assert_problem(await world.bureau.post(url, json=start), 422)
    assert too_low["unmet_condition"] == "wia_uitkering"
    assert "30 percent" in too_low["detail"]
    # A decision after the start does not count for it.
    later = {"type": "wia_beslissing", "occurred_on": "2026-03-05", "percentage": 50, "uitkering": "wga"}
    assert (await world.bureau.post(milestones, json=later)).status_code == 201
    assert assert_problem(await world.bureau.post(url, json=start), 422)["unmet_condition"] == "wia_uitkering"
    track = await start_track(world.bureau, case["id"], spoor=3, started_on="2026-03-05")
    assert track["spoor"] == 3


@pytest.mark.parametrize(
    ("percentage", "uitkering", "allowed"),
    [
        (34, "geen", False),
        (35, "wga", True),
        (80, "wga", True),
        (90, "wga", True),
        (80, "iva", False),
        (100, "iva", False),
    ],
)
async def test_spoor_3_needs_uitkering_wga(world: World, percentage: int, uitkering: str, allowed: bool) -> None:
    """v2: a WGA of 80-100 that is not duurzaam admits spoor 3 (v1 refused 90%), an IVA never (v1 admitted 80%)."""
    case = await create_case(world, employer_is_wga_eigenrisicodrager=True)
    decision = {"type": "wia_beslissing", "occurred_on": "2026-02-20", "percentage": percentage, "uitkering": uitkering}
    assert (await world.bureau.post(f"/v1/cases/{case['id']}/milestones", json=decision)).status_code == 201
    response = await world.bureau.post(f"/v1/cases/{case['id']}/tracks", json={"spoor": 3, "started_on": "2026-03-02"})
    if allowed:
        assert response.status_code == 201, response.text
    else:
        assert assert_problem(response, 422)["unmet_condition"] == "wia_uitkering"


async def test_two_active_tracks_of_one_spoor_conflict(world: World) -> None:
    case, track = await spoor_2(world)
    url = f"/v1/cases/{case['id']}/tracks"
    again = assert_problem(await world.bureau.post(url, json={"spoor": 2, "started_on": "2026-02-01"}), 409)
    assert again["existing_id"] == track["id"]
    # Spoor 1 alongside is fine; a second spoor 1 is not.
    await start_track(world.bureau, case["id"], spoor=1, started_on="2025-05-01")
    assert_problem(await world.bureau.post(url, json={"spoor": 1, "started_on": "2025-06-01"}), 409)
    ended = await world.bureau.post(f"/v1/tracks/{track['id']}/end", json={"ended_on": "2026-03-31", "end_reason": "x"})
    assert ended.status_code == 200, ended.text
    # A new spoor 2 may not overlap the ended one, but may follow it.
    assert_problem(await world.bureau.post(url, json={"spoor": 2, "started_on": "2026-03-31"}), 409)
    assert_problem(await world.bureau.post(url, json={"spoor": 2, "started_on": "2026-01-01"}), 409)
    await start_track(world.bureau, case["id"], spoor=2, started_on="2026-04-01")
    spoor_2_tracks = (await world.bureau.get(url, params={"spoor": 2})).json()["items"]
    assert [t["status"] for t in spoor_2_tracks] == ["ended", "active"]


async def test_patch_needs_if_match(world: World) -> None:
    _, track = await spoor_2(world)
    url = f"/v1/tracks/{track['id']}"
    assert_problem(await world.bureau.patch(url, json={"coach": "A. Smit"}), 428)
    assert_problem(await world.bureau.patch(url, json={"coach": "A. Smit"}, headers={"If-Match": '"7"'}), 412)
    changed = await world.bureau.patch(url, json={"coach": "A. Smit", "goal": None}, headers={"If-Match": '"1"'})
    assert changed.status_code == 200, changed.text
    assert changed.headers["etag"] == '"2"'
    assert (changed.json()["coach"], changed.json()["goal"], changed.json()["version"]) == ("A. Smit", None, 2)
    stale = await world.bureau.patch(url, json={"coach": "B"}, headers={"If-Match": '"1"'})
    assert assert_problem(stale, 412)["current_version"] == 2
    moved = await world.bureau.patch(url, json={"started_on": "2026-01-12"}, headers={"If-Match": '"2"'})
    assert moved.json()["started_on"] == "2026-01-12"
    for bad in ({"started_on": None}, {"started_on": "2024-12-01"}, {"spoor": 1}, {"ended_on": "2026-02-01"}):
        assert_problem(await world.bureau.patch(url, json=bad, headers={"If-Match": '"3"'}), 422)
    assert (
        await world.bureau.patch(url, json={"started_on": future()}, headers={"If-Match": '"3"'})
    ).status_code == 200


async def test_moving_the_start_keeps_reports_and_proposals_inside(world: World) -> None:
    _, track = await spoor_2(world)
    url = f"/v1/tracks/{track['id']}"
    await add_report(world.bureau, track["id"], "2026-01")
    await add_proposal(world.bureau, track["id"], proposed_on="2026-01-20")
    assert_problem(await world.bureau.patch(url, json={"started_on": "2026-02-01"}, headers={"If-Match": '"1"'}), 409)
    later = await world.bureau.patch(url, json={"started_on": "2026-01-20"}, headers={"If-Match": '"1"'})
    assert later.status_code == 200, later.text
    assert_problem(await world.bureau.patch(url, json={"started_on": "2026-01-21"}, headers={"If-Match": '"2"'}), 409)


async def test_end_and_read_only(world: World) -> None:
    _, track = await spoor_2(world)
    url = f"/v1/tracks/{track['id']}"
    before_start = await world.bureau.post(f"{url}/end", json={"ended_on": "2026-01-18", "end_reason": "x"})
    assert assert_problem(before_start, 422)["errors"][0]["field"] == "ended_on"
    assert_problem(await world.bureau.post(f"{url}/end", json={"ended_on": "2026-03-01"}), 422)
    assert_problem(await world.bureau.post(f"{url}/end", json={"ended_on": "2026-03-01", "end_reason": ""}), 422)
    stale = await world.bureau.post(
        f"{url}/end", json={"ended_on": "2026-03-01", "end_reason": "x"}, headers={"If-Match": '"5"'}
    )
    assert_problem(stale, 412)
    ended = await world.bureau.post(
        f"{url}/end", json={"ended_on": "2026-03-13", "end_reason": "Plaatsing bij Bouwbedrijf Smit"}
    )
    assert ended.status_code == 200, ended.text
    body = ended.json()
    assert (body["status"], body["ended_on"], body["end_reason"], body["version"]) == (
        "ended",
        "2026-03-13",
        "Plaatsing bij Bouwbedrijf Smit",
        2,
    )
    assert ended.headers["etag"] == '"2"'
    assert_problem(await world.bureau.patch(url, json={"coach": "x"}, headers={"If-Match": '"2"'}), 409)
    assert_problem(await world.bureau.post(f"{url}/end", json={"ended_on": "2026-03-20", "end_reason": "x"}), 409)
    assert (await world.bureau.get(url)).json() == body


async def test_end_keeps_reports_and_proposals_inside(world: World) -> None:
    _, track = await spoor_2(world)
    await add_report(world.bureau, track["id"], "2026-03")
    end = f"/v1/tracks/{track['id']}/end"
    assert_problem(await world.bureau.post(end, json={"ended_on": "2026-02-27", "end_reason": "x"}), 409)
    await add_proposal(world.bureau, track["id"], proposed_on="2026-03-10")
    assert_problem(await world.bureau.post(end, json={"ended_on": "2026-03-09", "end_reason": "x"}), 409)
    assert (await world.bureau.post(end, json={"ended_on": "2026-03-10", "end_reason": "x"})).status_code == 200


async def test_no_new_track_on_a_closed_case(world: World) -> None:
    case = await create_case(world)
    closed = await world.bureau.post(
        f"/v1/cases/{case['id']}/close", json={"closed_on": "2026-01-10", "reason": "hersteld"}
    )
    assert closed.status_code == 200, closed.text
    body = {"spoor": 1, "started_on": "2025-03-01"}
    assert_problem(await world.bureau.post(f"/v1/cases/{case['id']}/tracks", json=body), 409)


async def test_idempotent_start(world: World) -> None:
    case = await create_case(world)
    url = f"/v1/cases/{case['id']}/tracks"
    headers = {"Idempotency-Key": "start-spoor-2"}
    body = {"spoor": 2, "started_on": "2026-01-19"}
    first = await world.bureau.post(url, json=body, headers=headers)
    again = await world.bureau.post(url, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert len((await world.bureau.get(url)).json()["items"]) == 1


async def test_audit_rows_and_events(world: World) -> None:
    case, track = await spoor_2(world)
    url = f"/v1/tracks/{track['id']}"
    await world.bureau.patch(url, json={"goal": "Plaatsing in de logistiek"}, headers={"If-Match": '"1"'})
    await world.bureau.post(f"{url}/end", json={"ended_on": "2026-03-13", "end_reason": "Plaatsing"})
    audit = (await world.bureau.get(f"/v1/cases/{case['id']}/audit-log")).json()["items"]
    rows = [r for r in audit if r["entity_type"] == "track"]
    assert [r["action"] for r in rows] == ["started", "updated", "ended"]
    assert rows[0]["before"] is None
    assert rows[0]["after"]["spoor"] == 2
    assert rows[1]["before"]["goal"] == "Passend werk buiten"
    assert rows[1]["after"]["goal"] == "Plaatsing in de logistiek"
    assert rows[2]["after"]["ended_on"] == "2026-03-13"
    assert all(r["actor_organization_id"] == world.bureau.id and r["entity_id"] == track["id"] for r in rows)
    for reader in (world.bureau, world.employer, world.arbodienst):
        events = (await reader.get("/v1/events")).json()["items"]
        assert [e["type"] for e in events if e["entity_type"] == "track"] == [
            "track.started",
            "track.updated",
            "track.ended",
        ]
    for outsider in (world.other_bureau, world.other_employer, world.other_arbodienst):
        events = (await outsider.get("/v1/events")).json()["items"]
        assert not [e for e in events if e["entity_type"] == "track"]
