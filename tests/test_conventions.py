"""API conventions of design section 4: problem+json errors, auth, idempotency, body limits."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Factory, World, assert_problem, case_body, create_case


async def test_missing_unknown_and_revoked_keys(client: httpx.AsyncClient, factory: Factory) -> None:
    assert_problem(await client.get("/v1/me"), 401)
    problem = assert_problem(await client.get("/v1/me", headers={"Authorization": "Bearer spw_nope"}), 401)
    assert "stack" not in str(problem).lower()
    assert_problem(await client.get("/v1/me", headers={"Authorization": "Basic abc"}), 401)
    bureau = await factory.bureau()
    me = await bureau.get("/v1/me")
    assert me.status_code == 200
    assert me.json()["organization"]["id"] == bureau.id
    assert me.json()["kind"] == "reintegratiebureau"
    assert me.json()["api_key_id"] == bureau.key_id

    from app.cli import _revoke_key

    async with factory.sessionmaker() as session, session.begin():
        import uuid

        await _revoke_key(session, uuid.UUID(bureau.key_id))
    assert_problem(await bureau.get("/v1/me"), 401)


async def test_unknown_route_and_method(world: World) -> None:
    assert_problem(await world.bureau.get("/v1/nothing-here"), 404)
    assert_problem(await world.bureau.request("DELETE", "/v1/cases"), 405)


async def test_malformed_json_is_400(world: World) -> None:
    response = await world.bureau.post(
        "/v1/cases", content=b'{"external_ref": ', headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 400)


async def test_wrong_content_type_is_415(world: World) -> None:
    response = await world.bureau.post("/v1/cases", content=b"a=b", headers={"Content-Type": "text/plain"})
    assert_problem(response, 415)


async def test_body_limit_is_413(world: World) -> None:
    big = b'{"x": "' + b"a" * 2_000_000 + b'"}'
    response = await world.bureau.post("/v1/cases", content=big, headers={"Content-Type": "application/json"})
    assert_problem(response, 413)


async def test_validation_problem_lists_fields(world: World) -> None:
    body = case_body(world)
    del body["employer_id"]
    body["employee"]["date_of_birth"] = "not a date"
    problem = assert_problem(await world.bureau.post("/v1/cases", json=body), 422)
    fields = {e["field"] for e in problem["errors"]}
    assert fields == {"employer_id", "employee.date_of_birth"}
    assert all(e["location"] == "body" for e in problem["errors"])


async def test_nul_bytes_are_bad_input(world: World) -> None:
    body = case_body(world, employer_case_manager="A\x00B")
    assert_problem(await world.bureau.post("/v1/cases", json=body), 422)


async def test_idempotent_create_replays_first_answer(world: World) -> None:
    body = case_body(world, external_ref="IDEM-1")
    headers = {"Idempotency-Key": "create-idem-1"}
    first = await world.bureau.post("/v1/cases", json=body, headers=headers)
    assert first.status_code == 201, first.text
    again = await world.bureau.post("/v1/cases", json=body, headers=headers)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    listed = (await world.bureau.get("/v1/cases", params={"external_ref": "IDEM-1"})).json()["items"]
    assert len(listed) == 1
    # Same key, another body: refused, nothing created.
    other = await world.bureau.post("/v1/cases", json=case_body(world, external_ref="IDEM-2"), headers=headers)
    assert_problem(other, 422)
    assert (await world.bureau.get("/v1/cases", params={"external_ref": "IDEM-2"})).json()["items"] == []
    # Keys are per organization: another bureau may use the same key string.
    foreign = case_body(world, employer_id=world.other_employer.id, arbodienst_id=None)
    assert (await world.other_bureau.post("/v1/cases", json=foreign, headers=headers)).status_code == 201


async def test_failed_create_does_not_burn_the_key(world: World) -> None:
    headers = {"Idempotency-Key": "retry-after-fix"}
    bad = case_body(world, employer_id=world.other_employer.id)
    assert_problem(await world.bureau.post("/v1/cases", json=bad, headers=headers), 422)
    good = await world.bureau.post("/v1/cases", json=case_body(world), headers=headers)
    assert good.status_code == 201, good.text


async def test_organization_kvk_dedup(world: World) -> None:
    body = {"kind": "werkgever", "name": "Zuivel B.V.", "kvk": "12345678"}
    first = await world.bureau.post("/v1/organizations", json=body)
    assert first.status_code == 201
    # Another bureau registering the same KvK gets the same organization, and may now use it.
    again = await world.other_bureau.post("/v1/organizations", json={**body, "name": "Zuivel"})
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["name"] == "Zuivel B.V."
    wrong_kind = await world.other_bureau.post("/v1/organizations", json={**body, "kind": "arbodienst"})
    assert assert_problem(wrong_kind, 409)["existing_id"] == first.json()["id"]  # it sees the organization
    assert_problem(await world.employer.post("/v1/organizations", json=body), 403)
    bureau_kind = await world.bureau.post("/v1/organizations", json={**body, "kind": "reintegratiebureau"})
    assert_problem(bureau_kind, 422)


async def test_a_kvk_number_shared_by_bureaus_reveals_nothing(world: World, factory: Any) -> None:
    body = {"kind": "werkgever", "name": "Zuivel B.V.", "kvk": "87654321"}
    first = (await world.bureau.post("/v1/organizations", json=body)).json()
    # A bureau that cannot see the organization learns neither its id nor its kind from a 409.
    stranger = await factory.bureau("Bureau Drie")
    refused = assert_problem(await stranger.post("/v1/organizations", json={**body, "kind": "arbodienst"}), 409)
    assert "existing_id" not in refused
    assert first["id"] not in refused["detail"] and "werkgever" not in refused["detail"]
    assert all(first["id"] not in str(value) for value in refused.values())
    assert_problem(await stranger.get(f"/v1/organizations/{first['id']}"), 404)
    # Registered by it after all, it may see the organization (under its one name).
    mine = await stranger.post("/v1/organizations", json={**body, "name": "Zuivelfabriek Noord"})
    assert (mine.status_code, mine.json()["id"]) == (200, first["id"])


async def test_organizations_visibility(world: World) -> None:
    listed = (await world.bureau.get("/v1/organizations")).json()["items"]
    assert {o["id"] for o in listed} == {world.bureau.id, world.employer.id, world.arbodienst.id}
    assert_problem(await world.bureau.get(f"/v1/organizations/{world.other_employer.id}"), 404)
    assert (await world.bureau.get(f"/v1/organizations/{world.employer.id}")).status_code == 200
    # The employer sees the bureau once a case links them.
    assert_problem(await world.employer.get(f"/v1/organizations/{world.bureau.id}"), 404)
    await create_case(world)
    assert (await world.employer.get(f"/v1/organizations/{world.bureau.id}")).status_code == 200


async def test_request_id_header(world: World) -> None:
    response = await world.bureau.get("/v1/me", headers={"X-Request-ID": "abc123"})
    assert response.headers["x-request-id"] == "abc123"
    generated = await world.bureau.get("/v1/me")
    assert len(generated.headers["x-request-id"]) == 32


async def test_health(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json() == {"status": "ready"}
