"""Audit rows and change-feed events are written with each change, and only their parties see them."""

from __future__ import annotations

from tests.conftest import World, assert_problem, create_case


async def _feed(actor, after: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    response = await actor.get("/v1/events", params={"after": after} if after else {})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_audit_log_records_changes_without_secrets(world: World) -> None:
    case = await create_case(world)
    url = f"/v1/cases/{case['id']}"
    await world.bureau.patch(url, json={"employee": {"name": "J. de Vries-Bakker"}}, headers={"If-Match": '"1"'})
    log = (await world.bureau.get(f"{url}/audit-log")).json()["items"]
    assert [entry["action"] for entry in log] == ["created", "updated"]
    assert log[0]["before"] is None
    assert log[0]["actor_organization_id"] == world.bureau.id
    assert log[0]["actor_key_id"] == world.bureau.key_id
    assert log[1]["before"]["employee"]["name"] == "J. de Vries"
    assert log[1]["after"]["employee"]["name"] == "J. de Vries-Bakker"
    assert "111222333" not in str(log)
    assert_problem(await world.employer.get(f"{url}/audit-log"), 403)
    assert_problem(await world.other_bureau.get(f"{url}/audit-log"), 404)


async def test_failed_write_leaves_no_audit_or_event(world: World) -> None:
    case = await create_case(world)
    url = f"/v1/cases/{case['id']}"
    before = await _feed(world.bureau)
    assert_problem(await world.bureau.patch(url, json={"employee": {"bsn": "123"}}, headers={"If-Match": '"1"'}), 422)
    assert_problem(await world.bureau.patch(url, json={"employer_case_manager": "X"}, headers={"If-Match": '"9"'}), 412)
    assert len((await world.bureau.get(f"{url}/audit-log")).json()["items"]) == 1
    assert (await _feed(world.bureau, before["next_cursor"]))["items"] == []


async def test_feed_follows_changes_per_party(world: World) -> None:
    start = await _feed(world.bureau)
    case = await create_case(world)
    await world.bureau.patch(
        f"/v1/cases/{case['id']}", json={"employer_case_manager": "X"}, headers={"If-Match": '"1"'}
    )
    bureau_feed = await _feed(world.bureau, start["next_cursor"])
    assert [(e["type"], e["entity_id"]) for e in bureau_feed["items"]] == [
        ("case.created", case["id"]),
        ("case.updated", case["id"]),
    ]
    assert bureau_feed["has_more"] is False
    employer_types = [e["type"] for e in (await _feed(world.employer))["items"]]
    assert employer_types == ["case.created", "case.updated"]
    assert (await _feed(world.other_bureau))["items"] == [] or all(
        e["case_id"] != case["id"] for e in (await _feed(world.other_bureau))["items"]
    )
    other_employer = await _feed(world.other_employer)
    assert all(e["case_id"] != case["id"] for e in other_employer["items"])
    # Polling from the end answers nothing new, and the same cursor to continue.
    end = await _feed(world.bureau, bureau_feed["next_cursor"])
    assert end["items"] == []
    assert end["next_cursor"] == bureau_feed["next_cursor"]
    assert_problem(await world.bureau.get("/v1/events", params={"after": "not-a-cursor"}), 422)


async def test_feed_pages(world: World) -> None:
    start = (await _feed(world.bureau))["next_cursor"]
    for _ in range(3):
        await create_case(world)
    first = (await world.bureau.get("/v1/events", params={"after": start, "limit": 2})).json()
    assert len(first["items"]) == 2
    assert first["has_more"] is True
    second = (await world.bureau.get("/v1/events", params={"after": first["next_cursor"], "limit": 2})).json()
    assert len(second["items"]) == 1
    assert second["has_more"] is False


async def test_reading_the_audit_log_is_itself_logged(world: World) -> None:
    case = await create_case(world)
    url = f"/v1/cases/{case['id']}"
    assert (await world.bureau.get(f"{url}/audit-log")).status_code == 200
    entries = (await world.bureau.get(f"{url}/access-log")).json()["items"]
    audit_reads = [e for e in entries if e["what"] == "audit_log"]
    assert len(audit_reads) == 1
    assert audit_reads[0]["actor_key_id"] == world.bureau.key_id
    assert audit_reads[0]["path"] == f"{url}/audit-log"
