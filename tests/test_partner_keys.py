"""Partner keys: a bureau issues keys for the organizations it registered; such a key sees only that bureau's cases
of its organization, a read key only reads, an expired key answers 401, and each step is in the audit log."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from app.auth.models import ApiKey
from tests.conftest import Actor, Factory, World, assert_problem, case_body, create_case


async def issue(bureau: Actor, organization: Actor, **body: Any) -> tuple[Actor, dict[str, Any]]:
    response = await bureau.post(
        f"/v1/organizations/{organization.id}/api-keys", json={"name": "HR-systeem", "scope": "write", **body}
    )
    assert response.status_code == 201, response.text
    key = response.json()
    return Actor(organization.client, organization.id, organization.kind, key["key"], key["id"]), key


async def shared_employer(world: World) -> str:
    """The employer of `world.bureau`, registered by the other bureau too (by KvK): one organization."""
    kvk = f"{uuid.uuid4().int % 10**8:08d}"
    response = await world.bureau.post("/v1/organizations", json={"kind": "werkgever", "name": "Bouw BV", "kvk": kvk})
    assert response.status_code == 201, response.text
    again = await world.other_bureau.post("/v1/organizations", json={"kind": "werkgever", "name": "Bouw", "kvk": kvk})
    assert again.status_code == 200 and again.json()["id"] == response.json()["id"], again.text
    return str(response.json()["id"])


async def test_a_partner_key_sees_only_its_bureaus_cases(world: World, factory: Factory) -> None:
    employer_id = await shared_employer(world)
    employer = Actor(world.bureau.client, employer_id, "werkgever", "", "")
    ours = await create_case(world, employer_id=employer_id, arbodienst_id=None)
    body = case_body(world, employer_id=employer_id, arbodienst_id=None)
    theirs = (await world.other_bureau.post("/v1/cases", json=body)).json()
    partner, key = await issue(world.bureau, employer)
    assert (key["issued_by_id"], key["scope"], key["organization_id"]) == (world.bureau.id, "write", employer_id)

    listed = (await partner.get("/v1/cases")).json()["items"]
    assert [c["id"] for c in listed] == [ours["id"]]
    assert (await partner.get(f"/v1/cases/{ours['id']}")).status_code == 200
    for path in ("", "/milestones", "/compliance?as_of=2025-03-03", "/medical-status", "/tracks"):
        assert_problem(await partner.get(f"/v1/cases/{theirs['id']}{path}"), 404)
    portfolio = (await partner.get("/v1/compliance", params={"as_of": "2025-03-03", "limit": 200})).json()["items"]
    assert {i["case_id"] for i in portfolio} == {ours["id"]}
    events = (await partner.get("/v1/events", params={"limit": 200})).json()["items"]
    assert {e["case_id"] for e in events if e["case_id"]} == {ours["id"]}
    # It knows its own organization and the bureau that issued it, not the other bureau.
    orgs = {o["id"] for o in (await partner.get("/v1/organizations")).json()["items"]}
    assert orgs == {employer_id, world.bureau.id}
    assert_problem(await partner.get(f"/v1/organizations/{world.other_bureau.id}"), 404)
    # The other bureau's partner key of the same employer: the mirror image.
    foreign, _ = await issue(world.other_bureau, employer)
    assert [c["id"] for c in (await foreign.get("/v1/cases")).json()["items"]] == [theirs["id"]]
    assert_problem(await foreign.get(f"/v1/cases/{ours['id']}"), 404)
    # A key the operator made for the employer keeps its whole view: both bureaus' cases.
    operator = await factory.key_for(employer_id, "werkgever")
    assert {c["id"] for c in (await operator.get("/v1/cases")).json()["items"]} == {ours["id"], theirs["id"]}


async def test_read_keys_only_read_and_me_shows_the_key(world: World) -> None:
    case = await create_case(world)
    reader, key = await issue(world.bureau, world.employer, scope="read", expires_on="2099-12-31")
    me = (await reader.get("/v1/me")).json()
    assert (me["scope"], me["expires_on"], me["issued_by_id"], me["api_key_id"]) == (
        "read",
        "2099-12-31",
        world.bureau.id,
        key["id"],
    )
    assert (await reader.get(f"/v1/cases/{case['id']}")).status_code == 200
    milestone = {"type": "plan_van_aanpak", "occurred_on": "2025-02-20"}
    assert_problem(await reader.post(f"/v1/cases/{case['id']}/milestones", json=milestone), 403)
    assert_problem(await reader.patch(f"/v1/organizations/{world.employer.id}", json={"name": "X"}), 403)
    writer, _ = await issue(world.bureau, world.employer)
    assert (await writer.post(f"/v1/cases/{case['id']}/milestones", json=milestone)).status_code == 201
    operator = (await world.employer.get("/v1/me")).json()
    assert (operator["scope"], operator["expires_on"], operator["issued_by_id"]) == ("write", None, None)


async def test_issue_list_revoke_and_the_audit_log(world: World, connection: AsyncConnection) -> None:
    url = f"/v1/organizations/{world.employer.id}/api-keys"
    partner, key = await issue(world.bureau, world.employer, name="Salarisadministratie")
    assert key["key"].startswith("spw_") and key["prefix"] == key["key"][:8]
    listed = (await world.bureau.get(url)).json()["items"]
    assert [k["id"] for k in listed] == [key["id"]]
    assert "key" not in listed[0]
    # The other bureau does not see the employer at all; the employer may not issue its own keys.
    assert_problem(await world.other_bureau.get(url), 404)
    assert_problem(await world.other_bureau.post(url, json={"name": "x", "scope": "read"}), 404)
    assert_problem(await world.employer.post(url, json={"name": "x", "scope": "write"}), 403)
    assert_problem(await world.bureau.post(url, json={"name": "x", "scope": "admin"}), 422)
    assert_problem(await world.bureau.post(url, json={"name": "x", "scope": "read", "expires_on": "2020-01-01"}), 422)
    # Revocation: only the issuing bureau; then the key answers 401.
    assert_problem(await world.other_bureau.request("DELETE", f"/v1/api-keys/{key['id']}"), 404)
    assert_problem(await world.employer.request("DELETE", f"/v1/api-keys/{key['id']}"), 403)
    assert (await partner.get("/v1/me")).status_code == 200
    revoked = await world.bureau.request("DELETE", f"/v1/api-keys/{key['id']}")
    assert revoked.status_code == 204, revoked.text
    assert (await world.bureau.request("DELETE", f"/v1/api-keys/{key['id']}")).status_code == 204
    assert_problem(await partner.get("/v1/me"), 401)
    assert (await world.bureau.get(url)).json()["items"][0]["revoked_at"] is not None
    rows = await connection.execute(
        text("SELECT action, bureau_id FROM audit_log WHERE entity_type = 'api_key' AND entity_id = :id ORDER BY id"),
        {"id": uuid.UUID(key["id"])},
    )
    assert [(r.action, str(r.bureau_id)) for r in rows] == [("created", world.bureau.id), ("revoked", world.bureau.id)]
    events = (await world.bureau.get("/v1/events", params={"limit": 200})).json()["items"]
    assert [e["type"] for e in events if e["entity_id"] == key["id"]] == ["api_key.created", "api_key.revoked"]
    assert [
        e for e in (await world.other_bureau.get("/v1/events")).json()["items"] if e["entity_id"] == key["id"]
    ] == []


async def test_an_expired_key_answers_401_and_its_expiry_is_audited(
    world: World, sessionmaker: async_sessionmaker[AsyncSession], connection: AsyncConnection
) -> None:
    partner, key = await issue(world.bureau, world.employer, expires_on=date.today().isoformat())
    assert (await partner.get("/v1/me")).status_code == 200  # valid through its expiry day
    async with sessionmaker() as session, session.begin():
        yesterday = date.today() - timedelta(days=2)  # two days: whatever the hour in Amsterdam
        await session.execute(update(ApiKey).where(ApiKey.id == uuid.UUID(key["id"])).values(expires_on=yesterday))
    for _ in range(2):
        assert "expired" in assert_problem(await partner.get("/v1/me"), 401)["detail"]
    rows = await connection.execute(
        text("SELECT action, bureau_id FROM audit_log WHERE entity_type = 'api_key' AND entity_id = :id ORDER BY id"),
        {"id": uuid.UUID(key["id"])},
    )
    assert [(r.action, str(r.bureau_id)) for r in rows] == [("created", world.bureau.id), ("expired", world.bureau.id)]
    events = (await world.bureau.get("/v1/events", params={"limit": 200})).json()["items"]
    assert [e["type"] for e in events if e["entity_id"] == key["id"]] == ["api_key.created", "api_key.expired"]
