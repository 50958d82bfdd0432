"""The deadline scheduler: the passing of days becomes obligation.due_soon and obligation.overdue events, each
once per obligation occurrence, caught up after downtime, visible to the parties the obligation names."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.background import MovableClock
from app.core.settings import Settings
from app.deadlines.scheduler import DUE_SOON, OVERDUE, obligation_id, run_pass
from tests.conftest import Actor, World, create_case


async def scheduler_day(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, day: date) -> int:
    clock = MovableClock(day)
    async with sessionmaker() as session, session.begin():
        return await run_pass(session, clock.now(), clock.today(), settings)


async def obligation_events(actor: Actor) -> list[dict[str, Any]]:
    items, cursor = [], None
    while True:
        page = (await actor.get("/v1/events", params={"limit": 200, **({"after": cursor} if cursor else {})})).json()
        items += [e for e in page["items"] if e["entity_type"] == "obligation"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return items


async def compliance(actor: Actor, case_id: str, day: date) -> list[dict[str, Any]]:
    response = await actor.get(f"/v1/cases/{case_id}/compliance", params={"as_of": day.isoformat()})
    assert response.status_code == 200, response.text
    return list(response.json()["obligations"])


def _key(o: dict[str, Any], case_id: str) -> uuid.UUID:
    return obligation_id(case_id, o["code"], o["period"], o["track_id"])


async def test_moving_the_clock_day_by_day_produces_each_transition_once(
    world: World, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    case = await create_case(world)  # first sick day 2025-01-06
    day = date(2025, 1, 6)
    while day <= date(2025, 4, 30):
        await scheduler_day(sessionmaker, settings, day)
        if day.day in (1, 15):  # a second pass on the same day adds nothing
            assert await scheduler_day(sessionmaker, settings, day) == 0
        day += timedelta(days=1)
    events = await obligation_events(world.bureau)
    counts = Counter((e["type"], e["entity_id"]) for e in events)
    assert counts and max(counts.values()) == 1
    # Every obligation overdue on the last day has had its overdue event, and a due_soon before it when the
    # scheduler saw it coming (it ran every day), except ones already overdue when the case began.
    overdue = [o for o in await compliance(world.bureau, case["id"], date(2025, 4, 30)) if o["status"] == "overdue"]
    assert overdue
    for o in overdue:
        assert (OVERDUE, str(_key(o, case["id"]))) in counts, o["code"]
        assert (DUE_SOON, str(_key(o, case["id"]))) in counts, o["code"]
    # Nothing overdue that the compliance answer does not call overdue.
    overdue_ids = {str(_key(o, case["id"])) for o in overdue}
    done_or_open = {
        str(_key(o, case["id"]))
        for o in await compliance(world.bureau, case["id"], date(2025, 4, 30))
        if o["status"] not in ("overdue",)
    }
    assert not {entity for (kind, entity) in counts if kind == OVERDUE} & (done_or_open - overdue_ids)


async def test_evidence_in_time_means_no_overdue_and_downtime_is_caught_up(
    world: World, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    case = await create_case(world)
    # The probleemanalyse is recorded in time; nothing runs from 2025-01-10 until 2025-06-01 (downtime).
    recorded = await world.arbodienst.post(
        f"/v1/cases/{case['id']}/milestones", json={"type": "probleemanalyse", "occurred_on": "2025-02-03"}
    )
    assert recorded.status_code == 201, recorded.text
    await scheduler_day(sessionmaker, settings, date(2025, 1, 10))
    produced = await scheduler_day(sessionmaker, settings, date(2025, 6, 1))
    assert produced > 0
    events = await obligation_events(world.bureau)
    by_type = Counter(e["type"] for e in events if e["case_id"] == case["id"])
    overdue_now = [o for o in await compliance(world.bureau, case["id"], date(2025, 6, 1)) if o["status"] == "overdue"]
    assert by_type[OVERDUE] == len(overdue_now)  # one each, caught up in one pass
    probleemanalyse = obligation_id(case["id"], "probleemanalyse", None, None)
    assert str(probleemanalyse) not in {e["entity_id"] for e in events if e["type"] == OVERDUE}
    assert await scheduler_day(sessionmaker, settings, date(2025, 6, 1)) == 0


async def test_deadline_events_reach_the_parties_the_obligation_names(
    world: World, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    case = await create_case(world)
    await scheduler_day(sessionmaker, settings, date(2025, 6, 1))
    overdue = {
        str(_key(o, case["id"])): o["parties"]
        for o in await compliance(world.bureau, case["id"], date(2025, 6, 1))
        if o["status"] == "overdue"
    }
    seen = {
        name: {e["entity_id"] for e in await obligation_events(actor) if e["type"] == OVERDUE}
        for name, actor in (
            ("bureau", world.bureau),
            ("employer", world.employer),
            ("arbodienst", world.arbodienst),
            ("other_bureau", world.other_bureau),
        )
    }
    assert seen["bureau"] == set(overdue)
    assert seen["employer"] == {k for k, parties in overdue.items() if "werkgever" in parties}
    assert seen["arbodienst"] == {k for k, parties in overdue.items() if "bedrijfsarts" in parties}
    assert seen["other_bureau"] == set()
    assert seen["arbodienst"] < seen["bureau"]  # the arbodienst gets the bedrijfsarts's obligations only


async def test_codes_are_data_a_new_obligation_code_flows_through(
    world: World, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    case = await create_case(world)
    await scheduler_day(sessionmaker, settings, date(2025, 1, 7))
    # A code the rules of today do not know (another rules version adds it), stored like any other.
    async with sessionmaker() as session, session.begin():
        await session.execute(
            text(
                "INSERT INTO compliance_items (case_id, bureau_id, code, parties, due_on, overdue_after, valid_from, "
                "valid_to) VALUES (:case, :bureau, 'nieuwe_plicht', ARRAY['werkgever'], '2025-01-20', '2025-01-20', "
                "'-infinity', 'infinity')"
            ),
            {"case": case["id"], "bureau": world.bureau.id},
        )
    await scheduler_day(sessionmaker, settings, date(2025, 1, 15))
    await scheduler_day(sessionmaker, settings, date(2025, 1, 21))
    mine = [
        e["type"]
        for e in await obligation_events(world.employer)
        if e["entity_id"] == str(obligation_id(case["id"], "nieuwe_plicht", None, None))
    ]
    assert mine == [DUE_SOON, OVERDUE]


def test_clock_noon_keeps_the_date() -> None:
    assert MovableClock(date(2025, 3, 30)).now() == datetime(2025, 3, 30, 10, tzinfo=UTC)


async def test_phase_changes_from_the_stored_dates_once_each_for_every_party(
    world: World, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    case = await create_case(world, absence_periods=[{"first_day": "2025-01-06", "last_day": "2025-03-14"}])
    produced = {}
    for day in (date(2025, 3, 14), date(2025, 3, 15), date(2025, 3, 20), date(2025, 4, 12), date(2025, 4, 13)):
        await scheduler_day(sessionmaker, settings, day)
        await scheduler_day(sessionmaker, settings, day)  # twice a day: still once
        produced[day] = await phase_events(world.bureau, case["id"])
    assert produced[date(2025, 3, 14)] == []
    assert produced[date(2025, 3, 15)] == ["case.phase_changed"]  # recovered on 15 March: suspended
    assert produced[date(2025, 4, 12)] == ["case.phase_changed"] * 2  # 28 days later: lapsed
    assert produced[date(2025, 4, 13)] == produced[date(2025, 4, 12)]
    for party in (world.employer, world.arbodienst):
        assert await phase_events(party, case["id"]) == ["case.phase_changed"] * 2
    assert await phase_events(world.other_bureau, case["id"]) == []
    compliance = (await world.bureau.get(f"/v1/cases/{case['id']}/compliance", params={"as_of": "2025-04-12"})).json()
    assert {o["status"] for o in compliance["obligations"]} <= {"lapsed", "done", "waived"}


async def phase_events(actor: Actor, case_id: str) -> list[str]:
    page = (await actor.get("/v1/events", params={"limit": 200})).json()["items"]
    return [e["type"] for e in page if e["type"] == "case.phase_changed" and e["case_id"] == case_id]


async def phase_change_days(actor: Actor, case_id: str) -> int:
    """How many case.phase_changed events of this case the actor's feed holds (every page)."""
    found, cursor = 0, None
    while True:
        page = (await actor.get("/v1/events", params={"limit": 200, **({"after": cursor} if cursor else {})})).json()
        found += sum(1 for e in page["items"] if e["type"] == "case.phase_changed" and e["case_id"] == case_id)
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return found


async def phase_on(actor: Actor, case_id: str, day: date) -> str:
    response = await actor.get(f"/v1/cases/{case_id}/compliance", params={"as_of": day.isoformat()})
    assert response.status_code == 200, response.text
    return str(response.json()["phase"])


async def record(actor: Actor, case_id: str, **milestone: Any) -> None:
    response = await actor.post(f"/v1/cases/{case_id}/milestones", json=milestone)
    assert response.status_code == 201, response.text


async def extended_case(world: World) -> str:
    """First sick day 2025-01-06, so E is 2027-01-03; a verlenging to 2027-04-01 and an aanvraag in time fix L on it."""
    case = await create_case(world)
    await record(
        world.employer, case["id"], type="verlenging_loondoorbetaling", occurred_on="2026-06-01", until="2027-04-01"
    )
    await record(world.employer, case["id"], type="wia_aanvraag", occurred_on="2026-09-01")
    return str(case["id"])


async def phase_transitions(sessionmaker: async_sessionmaker[AsyncSession], case_id: str) -> list[tuple[str, str]]:
    async with sessionmaker() as session:
        rows = await session.execute(
            text(
                "SELECT code, occurrence FROM deadline_transitions WHERE case_id = :case AND kind = :kind "
                "ORDER BY on_date"
            ),
            {"case": case_id, "kind": "case.phase_changed"},
        )
        return [(r.code, r.occurrence) for r in rows]


async def test_crossing_e_and_l_are_phase_changes_once_each_for_every_party(
    world: World, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    case_id = await extended_case(world)
    boundaries = [date(2027, 1, 3), date(2027, 1, 4), date(2027, 4, 1), date(2027, 4, 2)]
    assert [await phase_on(world.bureau, case_id, d) for d in boundaries] == [
        "wachttijd",
        "verlengd_tijdvak",
        "verlengd_tijdvak",
        "na_wachttijd",
    ]
    seen = []
    for day in [date(2027, 1, 2), *boundaries, date(2027, 4, 3)]:
        await scheduler_day(sessionmaker, settings, day)
        await scheduler_day(sessionmaker, settings, day)  # twice a day: still once
        seen.append(await phase_change_days(world.bureau, case_id))
    assert seen == [0, 0, 1, 1, 2, 2]  # the day after E, then the day after L
    assert await phase_transitions(sessionmaker, case_id) == [
        ("verlengd_tijdvak", "2027-01-04"),
        ("na_wachttijd", "2027-04-02"),
    ]
    for party in (world.employer, world.arbodienst):
        assert await phase_change_days(party, case_id) == 2
    assert await phase_change_days(world.other_bureau, case_id) == 0


async def test_a_pass_after_downtime_catches_up_with_the_phase_of_today(
    world: World, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    case_id = await extended_case(world)
    await scheduler_day(sessionmaker, settings, date(2027, 1, 2))
    # Nothing runs while the case crosses E and L: the next pass makes the phase of its day, once.
    await scheduler_day(sessionmaker, settings, date(2027, 4, 20))
    await scheduler_day(sessionmaker, settings, date(2027, 4, 21))
    assert await phase_change_days(world.bureau, case_id) == 1
    assert await phase_transitions(sessionmaker, case_id) == [("na_wachttijd", "2027-04-02")]


async def test_the_end_of_the_employment_is_a_phase_change_once(
    world: World, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    case = await create_case(world)  # first sick day 2025-01-06
    await record(world.employer, case["id"], type="einde_dienstverband", occurred_on="2025-03-01", until="2025-05-31")
    assert [await phase_on(world.bureau, case["id"], d) for d in (date(2025, 5, 31), date(2025, 6, 1))] == [
        "wachttijd",
        "uit_dienst",
    ]
    seen = []
    for day in (date(2025, 5, 30), date(2025, 5, 31), date(2025, 6, 1), date(2025, 6, 1), date(2025, 6, 20)):
        await scheduler_day(sessionmaker, settings, day)
        seen.append(await phase_change_days(world.bureau, case["id"]))
    assert seen == [0, 0, 1, 1, 1]
    assert await phase_transitions(sessionmaker, case["id"]) == [("uit_dienst", "2025-06-01")]


async def test_sick_again_after_a_recovery_is_a_return_to_the_wachttijd_once(
    world: World, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    case = await create_case(world, absence_periods=[{"first_day": "2025-01-06", "last_day": "2025-03-14"}])
    await scheduler_day(sessionmaker, settings, date(2025, 3, 15))  # hersteld
    periods = [
        {"first_day": "2025-01-06", "last_day": "2025-03-14"},
        {"first_day": "2025-04-01", "last_day": None},
    ]
    patched = await world.bureau.patch(
        f"/v1/cases/{case['id']}", json={"absence_periods": periods}, headers={"If-Match": '"1"'}
    )
    assert patched.status_code == 200, patched.text
    assert await phase_on(world.bureau, case["id"], date(2025, 4, 1)) == "wachttijd"
    for day in (date(2025, 4, 1), date(2025, 4, 1), date(2025, 4, 20)):
        await scheduler_day(sessionmaker, settings, day)
    assert await phase_change_days(world.bureau, case["id"]) == 2
    assert await phase_transitions(sessionmaker, case["id"]) == [
        ("hersteld", "2025-03-15"),
        ("wachttijd", "2025-04-01"),
    ]
