"""Cases through the HTTP API: create, read, list, patch with If-Match, close, validation."""

from __future__ import annotations

from tests.conftest import World, assert_problem, case_body, create_case


async def test_create_and_read_case(world: World) -> None:
    response = await world.bureau.post("/v1/cases", json=case_body(world, external_ref="BO-1042"))
    assert response.status_code == 201, response.text
    case = response.json()
    assert response.headers["location"] == f"/v1/cases/{case['id']}"
    assert response.headers["etag"] == '"1"'
    assert case["bureau_id"] == world.bureau.id
    assert case["status"] == "open"
    assert case["first_sick_day"] == "2025-01-06"
    assert case["version"] == 1
    assert case["employee"] == {
        "name": "J. de Vries",
        "date_of_birth": "1980-05-17",
        "bsn_masked": "*****2333",
    }
    assert "bsn" not in case["employee"]

    read = await world.bureau.get(f"/v1/cases/{case['id']}")
    assert read.status_code == 200
    assert read.json() == case
    assert read.headers["etag"] == '"1"'


async def test_bsn_is_stored_encrypted(world: World, connection) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    case = await create_case(world)
    stored = (
        await connection.execute(text("SELECT employee_bsn_encrypted FROM cases WHERE id = :id"), {"id": case["id"]})
    ).scalar_one()
    assert b"111222333" not in bytes(stored)
    from app.core.crypto import decrypt

    assert decrypt(bytes(stored)) == "111222333"


async def test_invalid_bsn_and_kvk_rejected(world: World) -> None:
    body = case_body(world)
    body["employee"]["bsn"] = "123456789"
    problem = assert_problem(await world.bureau.post("/v1/cases", json=body), 422)
    assert problem["errors"][0]["field"] == "employee.bsn"
    bad_kvk = await world.bureau.post("/v1/organizations", json={"kind": "werkgever", "name": "X", "kvk": "1234"})
    assert assert_problem(bad_kvk, 422)["errors"][0]["field"] == "kvk"


async def test_absence_periods_validated(world: World) -> None:
    # 27 days between periods: one case (samentelling)
    ok = case_body(
        world,
        absence_periods=[
            {"first_day": "2025-03-03", "last_day": "2025-03-30"},
            {"first_day": "2025-04-27", "last_day": None},
        ],
    )
    assert (await world.bureau.post("/v1/cases", json=ok)).status_code == 201
    # 28 days: a new case
    new_case = case_body(
        world,
        absence_periods=[
            {"first_day": "2025-03-03", "last_day": "2025-03-30"},
            {"first_day": "2025-04-28", "last_day": None},
        ],
    )
    problem = assert_problem(await world.bureau.post("/v1/cases", json=new_case), 422)
    assert "new case" in problem["detail"]
    assert problem["errors"][0]["field"] == "absence_periods.1"
    open_first = case_body(
        world,
        absence_periods=[
            {"first_day": "2025-03-03", "last_day": None},
            {"first_day": "2025-03-20", "last_day": None},
        ],
    )
    assert_problem(await world.bureau.post("/v1/cases", json=open_first), 422)
    leave_outside = case_body(world, leave_periods=[{"first_day": "2024-12-01", "last_day": "2024-12-20"}])
    assert (
        assert_problem(await world.bureau.post("/v1/cases", json=leave_outside), 422)["errors"][0]["field"]
        == "leave_periods.0"
    )
    backwards = case_body(world, absence_periods=[{"first_day": "2025-03-03", "last_day": "2025-03-01"}])
    assert_problem(await world.bureau.post("/v1/cases", json=backwards), 422)


async def test_external_ref_unique_per_bureau(world: World) -> None:
    first = await create_case(world, external_ref="BO-1")
    problem = assert_problem(await world.bureau.post("/v1/cases", json=case_body(world, external_ref="BO-1")), 409)
    assert problem["existing_id"] == first["id"]
    # Another bureau may use the same reference.
    other = case_body(world, external_ref="BO-1", employer_id=world.other_employer.id, arbodienst_id=None)
    assert (await world.other_bureau.post("/v1/cases", json=other)).status_code == 201


async def test_unknown_or_foreign_employer_rejected(world: World) -> None:
    body = case_body(world, employer_id=world.other_employer.id)
    problem = assert_problem(await world.bureau.post("/v1/cases", json=body), 422)
    assert problem["errors"][0]["field"] == "employer_id"
    body = case_body(world, employer_id=world.arbodienst.id)
    assert_problem(await world.bureau.post("/v1/cases", json=body), 422)


async def test_unknown_field_rejected(world: World) -> None:
    body = case_body(world, diagnosis="griep")
    problem = assert_problem(await world.bureau.post("/v1/cases", json=body), 422)
    assert problem["errors"][0]["field"] == "diagnosis"
    assert (await world.bureau.get("/v1/cases")).json()["items"] == []


async def test_patch_requires_if_match_and_rejects_stale(world: World) -> None:
    case = await create_case(world)
    url = f"/v1/cases/{case['id']}"
    assert_problem(await world.bureau.patch(url, json={"employer_case_manager": "A"}), 428)
    ok = await world.bureau.patch(url, json={"employer_case_manager": "A. Bakker"}, headers={"If-Match": '"1"'})
    assert ok.status_code == 200, ok.text
    assert ok.json()["employer_case_manager"] == "A. Bakker"
    assert ok.json()["version"] == 2
    assert ok.headers["etag"] == '"2"'
    stale = await world.bureau.patch(url, json={"employer_case_manager": "B"}, headers={"If-Match": '"1"'})
    assert_problem(stale, 412)
    assert (await world.bureau.get(url)).json()["employer_case_manager"] == "A. Bakker"


async def test_patch_periods_bsn_and_null(world: World) -> None:
    case = await create_case(world)
    url = f"/v1/cases/{case['id']}"
    body = {
        "absence_periods": [{"first_day": "2025-01-06", "last_day": "2025-02-01"}],
        "employee": {"bsn": "123456782"},
        "employer_case_manager": None,
    }
    response = await world.bureau.patch(url, json=body, headers={"If-Match": '"1"'})
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["absence_periods"] == [{"first_day": "2025-01-06", "last_day": "2025-02-01"}]
    assert data["employee"]["bsn_masked"] == "*****6782"
    assert data["employee"]["name"] == "J. de Vries"
    assert data["employer_case_manager"] is None
    nulled = await world.bureau.patch(url, json={"absence_periods": None}, headers={"If-Match": '"2"'})
    assert_problem(nulled, 422)


async def test_close_case(world: World) -> None:
    case = await create_case(world)
    url = f"/v1/cases/{case['id']}"
    assert_problem(await world.bureau.post(f"{url}/close", json={"closed_on": "2024-12-01", "reason": "hersteld"}), 422)
    assert_problem(await world.bureau.post(f"{url}/close", json={"closed_on": "2025-03-01", "reason": "beter"}), 422)
    closed = await world.bureau.post(f"{url}/close", json={"closed_on": "2025-03-01", "reason": "hersteld"})
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    assert closed.json()["closed_on"] == "2025-03-01"
    assert closed.json()["close_reason"] == "hersteld"
    assert_problem(await world.bureau.post(f"{url}/close", json={"closed_on": "2025-03-01", "reason": "hersteld"}), 409)
    assert_problem(await world.bureau.patch(url, json={"employer_case_manager": "X"}, headers={"If-Match": '"2"'}), 409)


async def test_list_filters_and_pagination(world: World) -> None:
    refs = [f"R-{i}" for i in range(5)]
    for ref in refs:
        await create_case(world, external_ref=ref)
    other = await create_case(world, external_ref="OTHER", arbodienst_id=None)
    await world.bureau.post(f"/v1/cases/{other['id']}/close", json={"closed_on": "2025-02-01", "reason": "anders"})

    seen = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await world.bureau.get("/v1/cases", params=params)).json()
        seen += [c["external_ref"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [*refs, "OTHER"]

    closed = (await world.bureau.get("/v1/cases", params={"status": "closed"})).json()["items"]
    assert [c["external_ref"] for c in closed] == ["OTHER"]
    by_ref = (await world.bureau.get("/v1/cases", params={"external_ref": "R-3"})).json()["items"]
    assert [c["external_ref"] for c in by_ref] == ["R-3"]
    by_employer = (await world.bureau.get("/v1/cases", params={"employer_id": world.employer.id})).json()["items"]
    assert len(by_employer) == 6
    since = (await world.bureau.get("/v1/cases", params={"updated_since": "2100-12-31T00:00:00Z"})).json()
    assert since["items"] == []
    assert_problem(await world.bureau.get("/v1/cases", params={"cursor": "garbage"}), 422)
    assert_problem(await world.bureau.get("/v1/cases", params={"limit": 500}), 422)


async def test_employer_and_arbodienst_views(world: World) -> None:
    case = await create_case(world)
    url = f"/v1/cases/{case['id']}"
    as_employer = await world.employer.get(url)
    assert as_employer.status_code == 200
    assert as_employer.json()["employee"]["bsn_masked"] == "*****2333"
    as_arbo = await world.arbodienst.get(url)
    assert as_arbo.status_code == 200
    assert as_arbo.json()["employee"]["bsn_masked"] is None
    assert [c["id"] for c in (await world.employer.get("/v1/cases")).json()["items"]] == [case["id"]]
    assert_problem(
        await world.employer.patch(url, json={"employer_case_manager": "X"}, headers={"If-Match": '"1"'}), 403
    )
    assert_problem(
        await world.arbodienst.post(f"{url}/close", json={"closed_on": "2025-02-01", "reason": "anders"}), 403
    )
    assert_problem(await world.employer.post("/v1/cases", json=case_body(world)), 403)


async def test_first_sick_day_cannot_move_past_recorded_facts(world: World) -> None:
    case = await create_case(world)
    url = f"/v1/cases/{case['id']}"
    pa = {"type": "probleemanalyse", "occurred_on": "2025-02-10"}
    assert (await world.bureau.post(f"{url}/milestones", json=pa)).status_code == 201
    later = {"absence_periods": [{"first_day": "2025-02-11", "last_day": None}]}
    problem = assert_problem(await world.bureau.patch(url, json=later, headers={"If-Match": '"1"'}), 422)
    assert problem["errors"][0]["field"] == "absence_periods"
    earlier = {"absence_periods": [{"first_day": "2025-01-02", "last_day": None}]}
    moved = await world.bureau.patch(url, json=earlier, headers={"If-Match": '"1"'})
    assert moved.status_code == 200, moved.text
    assert moved.json()["first_sick_day"] == "2025-01-02"


async def test_an_external_ref_filter_with_a_nul_byte_is_refused(world: World) -> None:
    response = await world.bureau.get("/v1/cases", params={"external_ref": "BO-\x001"})
    assert response.status_code == 422, response.text
