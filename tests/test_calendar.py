"""Calendar feeds: a secret .ics URL, parsed back with icalendar; stable UIDs, SEQUENCE when a due date moves."""

from __future__ import annotations

from typing import Any

from icalendar import Calendar

from tests.conftest import World, assert_problem, create_case


async def make_feed(actor: Any, **body: Any) -> dict[str, Any]:
    response = await actor.post("/v1/calendar-feeds", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def events(ics: bytes) -> dict[str, Any]:
    calendar = Calendar.from_ical(ics)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


async def read(client: Any, url: str) -> Any:
    response = await client.get(url)  # no Authorization header: the URL is the credential
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    assert "max-age" in response.headers["cache-control"]
    return response


async def test_feed_lists_outstanding_obligations_without_personal_data(world: World, client: Any) -> None:
    case = await create_case(world, external_ref="CAL-1")
    feed = await make_feed(world.bureau)
    assert feed["url"].startswith("/v1/calendar-feeds/spw_cal_") and feed["url"].endswith(".ics")
    ics = (await read(client, feed["url"])).content
    found = events(ics)
    compliance = (await world.bureau.get(f"/v1/cases/{case['id']}/compliance")).json()
    outstanding = [o for o in compliance["obligations"] if o["status"] in ("open", "overdue")]
    assert len(found) == len(outstanding) > 0
    titles = {str(e["SUMMARY"]) for e in found.values()}
    assert {f"{o['title']} – CAL-1" for o in outstanding} == titles
    for event in found.values():
        assert event.decoded("DTSTART").__class__.__name__ == "date"  # all-day
        assert int(event["SEQUENCE"]) == 0
    assert b"de Vries" not in ics and b"111222333" not in ics and b"2223" not in ics
    # Listing shows the feed without its URL; another organization sees none.
    listed = (await world.bureau.get("/v1/calendar-feeds")).json()["items"]
    assert [f["id"] for f in listed] == [feed["id"]] and "url" not in listed[0]
    assert (await world.employer.get("/v1/calendar-feeds")).json()["items"] == []


async def test_a_moved_due_date_is_the_same_event_with_a_higher_sequence(world: World, client: Any) -> None:
    case = await create_case(world, external_ref="CAL-2")
    feed = await make_feed(world.bureau)
    before = events((await read(client, feed["url"])).content)
    # Reading again changes nothing.
    assert {u: int(e["SEQUENCE"]) for u, e in events((await read(client, feed["url"])).content).items()} == {
        u: 0 for u in before
    }
    # A leave period pushes the later deadlines back (WAZO leave does not count).
    patched = await world.bureau.patch(
        f"/v1/cases/{case['id']}",
        json={"leave_periods": [{"first_day": "2025-01-13", "last_day": "2025-03-02", "kind": "wazo"}]},
        headers={"If-Match": '"1"'},
    )
    assert patched.status_code == 200, patched.text
    after = events((await read(client, feed["url"])).content)
    moved = [u for u in before if u in after and before[u].decoded("DTSTART") != after[u].decoded("DTSTART")]
    assert moved, "some due date moved"
    for uid in moved:
        assert int(after[uid]["SEQUENCE"]) == 1  # a reader updates the event it has instead of adding one
        assert str(after[uid]["SUMMARY"]) == str(before[uid]["SUMMARY"])
    unchanged = [u for u in before if u in after and u not in moved]
    assert all(int(after[u]["SEQUENCE"]) == 0 for u in unchanged)


async def test_filters_opt_in_name_with_access_log_and_revocation(world: World, client: Any) -> None:
    case = await create_case(world, external_ref="CAL-3")
    employer_feed = await make_feed(world.employer, party="bedrijfsarts")
    found = events((await read(client, employer_feed["url"])).content)
    assert found and all("Partijen:" in str(e["DESCRIPTION"]) for e in found.values())
    assert all("bedrijfsarts" in str(e["DESCRIPTION"]) for e in found.values())
    named = await make_feed(world.bureau, include_employee_name=True, employer_id=world.employer.id)
    ics = (await read(client, named["url"])).content
    assert b"J. de Vries" in ics and b"111222333" not in ics
    log = (await world.bureau.get(f"/v1/cases/{case['id']}/access-log")).json()["items"]
    assert [entry["what"] for entry in log] == ["bsn", "calendar_feed"]  # the creation's answer, then the feed
    assert "spw_cal_" not in log[0]["path"]
    # Another employer's filter shows nothing of this bureau's cases.
    other = await make_feed(world.bureau, employer_id=world.other_employer.id)
    assert events((await read(client, other["url"])).content) == {}
    # Revoked: the URL answers 404, as does a made-up one; only the owner may revoke.
    assert_problem(await world.employer.delete(f"/v1/calendar-feeds/{named['id']}"), 404)
    assert (await world.bureau.delete(f"/v1/calendar-feeds/{named['id']}")).status_code == 204
    assert_problem(await client.get(named["url"]), 404)
    assert_problem(await client.get("/v1/calendar-feeds/spw_cal_" + "x" * 43 + ".ics"), 404)
    assert_problem(await world.bureau.delete(f"/v1/calendar-feeds/{named['id']}"), 404)
    assert_problem(await world.bureau.post("/v1/calendar-feeds", json={"party": "iemand"}), 422)
