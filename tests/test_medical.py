"""The medical status: pushed by the case's arbodienst only, functional fields only, versioned with If-Match,
idempotent, recorded as milestones, and invisible outside the case's parties."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World, assert_problem, create_case


def status_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "functional_capacities": {
            "persoonlijk_functioneren": {"level": "beperkt", "note": "Kan zich 1 uur aaneen concentreren"},
            "sociaal_functioneren": {"level": "geen_beperking"},
            "fysieke_omgevingseisen": None,
            "dynamische_handelingen": {"level": "sterk_beperkt", "note": "Niet tillen boven 5 kg"},
            "statische_houdingen": {"level": "beperkt", "note": "Afwisselend zitten en staan"},
            "werktijden": {"level": "beperkt", "note": "4 uur per dag"},
        },
        "available_hours_per_week": 20,
        "prognosis": "gedeeltelijke_terugkeer",
        "expected_return_on": "2025-04-01",
        "adjustment_advice": "Aangepaste werkplek, geen tilwerk",
        "assessed_on": "2025-02-12",
        "assessment_kind": "probleemanalyse",
        "bedrijfsarts_name": "Dr. A. Visser",
    }
    body.update(overrides)
    return body


def url(case: dict[str, Any]) -> str:
    return f"/v1/cases/{case['id']}/medical-status"


async def first_push(world: World, case: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    response = await world.arbodienst.put(url(case), json=status_body(**overrides))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def milestones(world: World, case: dict[str, Any]) -> list[dict[str, Any]]:
    return list((await world.bureau.get(f"/v1/cases/{case['id']}/milestones")).json()["items"])


async def events(actor: Any) -> list[dict[str, Any]]:
    return list((await actor.get("/v1/events", params={"limit": 200})).json()["items"])


async def test_push_read_and_version(world: World) -> None:
    case = await create_case(world)
    created = await world.arbodienst.put(url(case), json=status_body())
    assert created.status_code == 201, created.text
    assert created.headers["etag"] == '"1"'
    assert created.headers["location"] == url(case)
    status = created.json()
    assert status["version"] == 1
    assert status["case_id"] == case["id"]
    assert status["pushed_by_organization_id"] == world.arbodienst.id
    assert status["pushed_by_key_id"] == world.arbodienst.key_id
    assert status["available_hours_per_week"] == 20
    assert status["functional_capacities"]["fysieke_omgevingseisen"] is None
    assert status["functional_capacities"]["sociaal_functioneren"] == {"level": "geen_beperking", "note": None}
    for reader in (world.bureau, world.employer, world.arbodienst):
        read = await reader.get(url(case))
        assert read.status_code == 200, read.text
        assert read.json() == status
        assert read.headers["etag"] == '"1"'

    # Later pushes need the current ETag: 428 without, 412 when stale; nothing changes either way.
    update = status_body(available_hours_per_week=24.5, assessed_on="2025-03-10", assessment_kind=None)
    assert_problem(await world.arbodienst.put(url(case), json=update), 428)
    stale = await world.arbodienst.put(url(case), json=update, headers={"If-Match": '"7"'})
    assert assert_problem(stale, 412)["current_version"] == 1
    assert_problem(await world.arbodienst.put(url(case), json=update, headers={"If-Match": "*"}), 428)
    assert (await world.bureau.get(url(case))).json()["version"] == 1

    second = await world.arbodienst.put(url(case), json=update, headers={"If-Match": '"1"'})
    assert second.status_code == 200, second.text
    assert second.headers["etag"] == '"2"'
    assert "location" not in second.headers
    assert second.json()["version"] == 2
    assert second.json()["available_hours_per_week"] == 24.5
    assert second.json()["milestone_id"] is None

    history = (await world.employer.get(f"{url(case)}/history")).json()
    assert [v["version"] for v in history["items"]] == [1, 2]
    assert history["items"][0] == status
    assert all(v["pushed_by_key_id"] == world.arbodienst.key_id for v in history["items"])
    assert history["items"][0]["pushed_at"] <= history["items"][1]["pushed_at"]
    page = (await world.bureau.get(f"{url(case)}/history", params={"limit": 1})).json()
    assert [v["version"] for v in page["items"]] == [1]
    rest = (await world.bureau.get(f"{url(case)}/history", params={"cursor": page["next_cursor"]})).json()
    assert [v["version"] for v in rest["items"]] == [2]
    assert rest["next_cursor"] is None
    assert_problem(await world.bureau.get(f"{url(case)}/history", params={"cursor": "bm9wZQ"}), 422)


async def test_same_status_again_is_no_new_version(world: World) -> None:
    case = await create_case(world)
    await first_push(world, case)
    again = await world.arbodienst.put(url(case), json=status_body(), headers={"If-Match": '"1"'})
    assert again.status_code == 200, again.text
    assert again.json()["version"] == 1
    assert len((await world.bureau.get(f"{url(case)}/history")).json()["items"]) == 1


async def test_if_none_match_star_guards_the_first_push(world: World) -> None:
    case = await create_case(world)
    # If-Match on the first push names a version that does not exist.
    assert_problem(await world.arbodienst.put(url(case), json=status_body(), headers={"If-Match": '"1"'}), 412)
    assert_problem(await world.arbodienst.put(url(case), json=status_body(), headers={"If-None-Match": '"1"'}), 422)
    first = await world.arbodienst.put(url(case), json=status_body(), headers={"If-None-Match": "*"})
    assert first.status_code == 201, first.text
    again = await world.arbodienst.put(
        url(case), json=status_body(assessed_on="2025-02-13"), headers={"If-None-Match": "*"}
    )
    assert assert_problem(again, 412)["current_version"] == 1
    both = await world.arbodienst.put(
        url(case), json=status_body(assessed_on="2025-02-13"), headers={"If-None-Match": "*", "If-Match": '"1"'}
    )
    assert_problem(both, 412)
    assert len((await world.bureau.get(f"{url(case)}/history")).json()["items"]) == 1


async def test_only_the_cases_arbodienst_pushes(world: World) -> None:
    case = await create_case(world)
    for caller in (world.bureau, world.employer):
        assert_problem(await caller.put(url(case), json=status_body()), 403)
    for outsider in (world.other_bureau, world.other_employer, world.other_arbodienst):
        response = await outsider.put(url(case), json=status_body())
        assert_problem(response, 404)
        assert case["external_ref"] not in response.text
    assert_problem(await world.bureau.get(url(case)), 404)
    assert await milestones(world, case) == []
    # A case without an arbodienst: no arbodienst sees it, so none may push.
    alone = await create_case(world, arbodienst_id=None)
    assert_problem(await world.arbodienst.put(url(alone), json=status_body()), 404)


async def test_closed_case_refuses_pushes(world: World) -> None:
    case = await create_case(world)
    closed = await world.bureau.post(
        f"/v1/cases/{case['id']}/close", json={"closed_on": "2025-03-01", "reason": "hersteld"}
    )
    assert closed.status_code == 200, closed.text
    assert_problem(await world.arbodienst.put(url(case), json=status_body()), 409)


@pytest.mark.parametrize(
    ("field", "body"),
    [
        ("diagnosis", status_body(diagnosis="Burn-out")),
        ("symptoms", status_body(symptoms=["vermoeidheid"])),
        ("medication", status_body(medication="sertraline")),
        (
            "functional_capacities.persoonlijk_functioneren.diagnose",
            status_body(
                functional_capacities={"persoonlijk_functioneren": {"level": "beperkt", "diagnose": "depressie"}}
            ),
        ),
        (
            "functional_capacities.behandeling",
            status_body(functional_capacities={"behandeling": {"level": "beperkt"}}),
        ),
    ],
)
async def test_a_diagnosis_is_refused_and_nothing_stored(world: World, field: str, body: dict[str, Any]) -> None:
    case = await create_case(world)
    before_events = await events(world.bureau)
    problem = assert_problem(await world.arbodienst.put(url(case), json=body), 422)
    assert field in [e["field"] for e in problem["errors"]]
    assert_problem(await world.bureau.get(url(case)), 404)
    assert (await world.bureau.get(f"{url(case)}/history")).json()["items"] == []
    assert await milestones(world, case) == []
    assert await events(world.bureau) == before_events
    # Also on top of an existing status, with a valid If-Match: the current version stays.
    await first_push(world, case)
    retry = await world.arbodienst.put(url(case), json=body, headers={"If-Match": '"1"'})
    assert_problem(retry, 422)
    assert (await world.bureau.get(url(case))).json()["version"] == 1
    assert "diagnos" not in (await world.bureau.get(f"/v1/cases/{case['id']}/audit-log")).text


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("available_hours_per_week", {"available_hours_per_week": 61}),
        ("available_hours_per_week", {"available_hours_per_week": -1}),
        ("available_hours_per_week", {"available_hours_per_week": 7.3}),
        ("available_hours_per_week", {"available_hours_per_week": 1e308}),
        ("available_hours_per_week", {"available_hours_per_week": "veel"}),
        ("prognosis", {"prognosis": "herstel"}),
        ("functional_capacities.werktijden.level", {"functional_capacities": {"werktijden": {"level": "matig"}}}),
        (
            "functional_capacities.werktijden.note",
            {"functional_capacities": {"werktijden": {"level": "beperkt", "note": "x" * 501}}},
        ),
        # NUL bytes are refused for the whole body (app.core.schemas.InputModel).
        ("body", {"functional_capacities": {"werktijden": {"level": "beperkt", "note": "nul\x00byte"}}}),
        ("functional_capacities", {"functional_capacities": None}),
        ("adjustment_advice", {"adjustment_advice": "x" * 2001}),
        ("bedrijfsarts_name", {"bedrijfsarts_name": ""}),
        ("bedrijfsarts_name", {"bedrijfsarts_name": "x" * 201}),
        ("assessed_on", {"assessed_on": "1999-12-31"}),
        ("assessed_on", {"assessed_on": "2025-01-05"}),  # before the first sick day
        ("assessed_on", {"assessed_on": "2099-01-01", "expected_return_on": None}),  # in the future
        ("assessed_on", {"assessed_on": "2025-02-30"}),
        ("assessment_kind", {"assessment_kind": "bijstellingsadvies"}),
        ("expected_return_on", {"expected_return_on": "2025-02-01"}),  # before the assessment
        ("expected_return_on", {"prognosis": "onbekend"}),  # a date without a return prognosis
        ("expected_return_on", {"expected_return_on": "2101-01-01"}),
        (
            "available_hours_per_week",
            {"prognosis": "geen_benutbare_mogelijkheden", "expected_return_on": None, "available_hours_per_week": 8},
        ),
    ],
)
async def test_bounds_and_rules(world: World, field: str, overrides: dict[str, Any]) -> None:
    case = await create_case(world)
    problem = assert_problem(await world.arbodienst.put(url(case), json=status_body(**overrides)), 422)
    assert field in [e["field"] for e in problem["errors"]], problem
    assert_problem(await world.bureau.get(url(case)), 404)
    assert await milestones(world, case) == []


async def test_geen_benutbare_mogelijkheden(world: World) -> None:
    case = await create_case(world)
    status = await first_push(
        world,
        case,
        prognosis="geen_benutbare_mogelijkheden",
        expected_return_on=None,
        available_hours_per_week=0,
        functional_capacities={},
    )
    assert status["prognosis"] == "geen_benutbare_mogelijkheden"
    assert status["available_hours_per_week"] == 0
    assert set(status["functional_capacities"]) == {
        "persoonlijk_functioneren",
        "sociaal_functioneren",
        "fysieke_omgevingseisen",
        "dynamische_handelingen",
        "statische_houdingen",
        "werktijden",
    }


async def test_assessment_records_its_milestone_once(world: World) -> None:
    case = await create_case(world)
    status = await first_push(world, case)  # probleemanalyse on 2025-02-12
    [milestone] = await milestones(world, case)
    assert milestone["type"] == "probleemanalyse"
    assert milestone["occurred_on"] == "2025-02-12"
    assert milestone["recorded_by_organization_id"] == world.arbodienst.id
    assert status["milestone_id"] == milestone["id"]
    compliance = (await world.employer.get(f"/v1/cases/{case['id']}/compliance", params={"as_of": "2025-03-03"})).json()
    [pa] = [o for o in compliance["obligations"] if o["code"] == "probleemanalyse"]
    assert (pa["status"], pa["completed_on"], pa["evidence_id"]) == ("done", "2025-02-12", milestone["id"])

    # The same assessment again (another note): a new version, but no second milestone.
    repeat = await world.arbodienst.put(
        url(case), json=status_body(adjustment_advice="Ook thuiswerk"), headers={"If-Match": '"1"'}
    )
    assert repeat.status_code == 200, repeat.text
    assert repeat.json()["milestone_id"] == milestone["id"]
    assert len(await milestones(world, case)) == 1

    advice = await world.arbodienst.put(
        url(case),
        json=status_body(assessment_kind="bijstelling", assessed_on="2025-05-01", expected_return_on="2025-06-01"),
        headers={"If-Match": '"2"'},
    )
    assert advice.status_code == 200, advice.text
    oordeel = await world.arbodienst.put(
        url(case),
        json=status_body(assessment_kind="actueel_oordeel", assessed_on="2025-06-02", expected_return_on=None),
        headers={"If-Match": '"3"'},
    )
    assert oordeel.status_code == 200, oordeel.text
    recorded = [(m["type"], m["occurred_on"]) for m in await milestones(world, case)]
    assert recorded == [
        ("probleemanalyse", "2025-02-12"),
        ("bijstellingsadvies", "2025-05-01"),
        ("actueel_oordeel", "2025-06-02"),
    ]


async def test_a_milestone_the_bureau_recorded_is_not_duplicated(world: World) -> None:
    case = await create_case(world)
    recorded = await world.bureau.post(
        f"/v1/cases/{case['id']}/milestones", json={"type": "probleemanalyse", "occurred_on": "2025-02-12"}
    )
    status = await first_push(world, case)
    assert status["milestone_id"] == recorded.json()["id"]
    assert len(await milestones(world, case)) == 1


async def test_idempotent_replay_changes_nothing(world: World) -> None:
    case = await create_case(world)
    key = {"Idempotency-Key": "arbo-push-1"}
    first = await world.arbodienst.put(url(case), json=status_body(), headers=key)
    assert first.status_code == 201, first.text
    feed = await events(world.bureau)
    replay = await world.arbodienst.put(url(case), json=status_body(), headers=key)
    assert replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == first.json()
    assert replay.headers["etag"] == '"1"'
    assert await events(world.bureau) == feed
    assert len(await milestones(world, case)) == 1
    assert len((await world.bureau.get(f"{url(case)}/history")).json()["items"]) == 1

    # A retried update (its If-Match is stale by now) replays too instead of failing with 412.
    update = status_body(assessed_on="2025-03-01", assessment_kind=None)
    headers = {"Idempotency-Key": "arbo-push-2", "If-Match": '"1"'}
    second = await world.arbodienst.put(url(case), json=update, headers=headers)
    assert second.status_code == 200, second.text
    retried = await world.arbodienst.put(url(case), json=update, headers=headers)
    assert retried.status_code == 200
    assert retried.json() == second.json()
    assert len((await world.bureau.get(f"{url(case)}/history")).json()["items"]) == 2
    # The same key with another body is a client error, not a silent replay.
    other = await world.arbodienst.put(url(case), json=status_body(assessed_on="2025-03-02"), headers=headers)
    assert_problem(other, 422)


async def test_audit_holds_only_functional_fields(world: World) -> None:
    case = await create_case(world)
    await first_push(world, case)
    await world.arbodienst.put(
        url(case), json=status_body(available_hours_per_week=30, assessment_kind=None), headers={"If-Match": '"1"'}
    )
    log = (await world.bureau.get(f"/v1/cases/{case['id']}/audit-log")).json()["items"]
    entries = [e for e in log if e["entity_type"] == "medical_status"]
    assert [e["action"] for e in entries] == ["created", "updated"]
    functional = set(status_body()) | {"version"}
    assert entries[0]["before"] is None
    assert set(entries[0]["after"]) == functional
    assert set(entries[1]["before"]) == functional
    assert (entries[1]["before"]["available_hours_per_week"], entries[1]["after"]["available_hours_per_week"]) == (
        20,
        30,
    )
    assert all(e["actor_key_id"] == world.arbodienst.key_id for e in entries)


async def test_change_feed_visibility(world: World) -> None:
    case = await create_case(world)
    await first_push(world, case)
    for party in (world.bureau, world.employer, world.arbodienst):
        types = {(e["type"], e["case_id"]) for e in await events(party)}
        assert ("medical_status.created", case["id"]) in types
        assert ("milestone.recorded", case["id"]) in types
    for outsider in (world.other_bureau, world.other_employer, world.other_arbodienst):
        assert case["id"] not in {e["case_id"] for e in await events(outsider)}


async def test_curious_callers_learn_nothing(world: World) -> None:
    case = await create_case(world)
    status = await first_push(world, case)
    for outsider in (world.other_bureau, world.other_employer, world.other_arbodienst):
        for path in (url(case), f"{url(case)}/history"):
            response = await outsider.get(path)
            assert_problem(response, 404)
            assert status["bedrijfsarts_name"] not in response.text
        for params in ({"employer_id": world.employer.id}, {"arbodienst_id": world.arbodienst.id}, {}):
            listed = (await outsider.get("/v1/cases", params=params)).json()["items"]
            assert case["id"] not in {c["id"] for c in listed}
        portfolio = await outsider.get("/v1/compliance", params={"as_of": "2025-03-03", "limit": 200})
        assert case["id"] not in portfolio.text
        by_employer = await outsider.get("/v1/compliance", params={"employer_id": world.employer.id})
        assert case["id"] not in by_employer.text
    # Nothing the outsiders did was logged as a read of the case.
    log = (await world.bureau.get(f"/v1/cases/{case['id']}/access-log")).json()["items"]
    outsiders = {world.other_bureau.id, world.other_employer.id, world.other_arbodienst.id}
    assert not [e for e in log if e["actor_organization_id"] in outsiders]


async def test_arbodienst_sees_no_bsn(world: World) -> None:
    case = await create_case(world)
    assert case["employee"]["bsn_masked"] == "*****2333"
    one = (await world.arbodienst.get(f"/v1/cases/{case['id']}")).json()
    assert one["employee"]["bsn_masked"] is None
    listed = (await world.arbodienst.get("/v1/cases")).json()["items"]
    assert [c["employee"]["bsn_masked"] for c in listed] == [None]
    assert "2333" not in (await world.arbodienst.get(f"/v1/cases/{case['id']}/compliance")).text
