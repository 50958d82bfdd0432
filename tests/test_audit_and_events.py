"""Audit rows and change-feed events are written with each change, and only their parties see them."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.audit.service import record_change
from app.auth.principal import Principal
from app.core.db import commit
from app.organizations.models import OrganizationKind
from tests.conftest import Actor, Factory, World, assert_problem, create_case


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


async def _seen(actor: Actor) -> list[tuple[str, str]]:
    return [(e["type"], e["entity_id"]) for e in (await _feed(actor))["items"]]


async def test_an_organization_event_reaches_the_registering_bureau_only(world: World, factory: Factory) -> None:
    registered = await world.bureau.post("/v1/organizations", json={"kind": "werkgever", "name": "Drukkerij Smit"})
    assert registered.status_code == 201, registered.text
    newcomer = await factory.key_for(registered.json()["id"], "werkgever")
    case = await create_case(world)
    created = [("organization.created", actor.id) for actor in (world.employer, world.arbodienst, newcomer)]
    case_created = ("case.created", case["id"])
    # Exactly: an organization's registration only in its registrar's feed (the world's bureaus registered
    # theirs), the case's events in its parties' feeds.
    assert await _seen(world.bureau) == [*created, case_created]
    assert await _seen(world.other_bureau) == [
        ("organization.created", world.other_employer.id),
        ("organization.created", world.other_arbodienst.id),
    ]
    assert await _seen(world.employer) == [case_created]
    assert await _seen(world.arbodienst) == [case_created]
    for outsider in (world.other_employer, world.other_arbodienst, newcomer):
        assert await _seen(outsider) == []
    # Its audit row has no case: no audit-log route shows it.
    log = (await world.bureau.get(f"/v1/cases/{case['id']}/audit-log")).json()["items"]
    assert [(entry["entity_type"], entry["entity_id"]) for entry in log] == [("case", case["id"])]


def _organization_change(session: AsyncSession, world: World, action: str, organization_id: str) -> None:
    """A change without a case, by the bureau (its tenant), shown to `organization_id`: no route writes one."""
    bureau = Principal(uuid.UUID(world.bureau.id), OrganizationKind.reintegratiebureau, uuid.UUID(world.bureau.key_id))
    record_change(
        session,
        bureau,
        action=action,
        entity_type="organization",
        entity_id=uuid.UUID(organization_id),
        organization_id=uuid.UUID(organization_id),
    )


async def test_an_event_without_a_case_reaches_its_organization_not_its_tenant(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with sessionmaker() as session:
        _organization_change(session, world, "updated", world.employer.id)
        await commit(session, [])
    assert await _seen(world.employer) == [("organization.updated", world.employer.id)]
    assert await _seen(world.bureau) == [
        ("organization.created", world.employer.id),
        ("organization.created", world.arbodienst.id),
    ]


def test_a_change_without_a_case_needs_a_bureau_as_tenant() -> None:
    employer = Principal(uuid.uuid4(), OrganizationKind.werkgever, uuid.uuid4())
    with pytest.raises(ValueError, match="needs a bureau as its tenant, not a werkgever"):
        record_change(
            None,  # type: ignore[arg-type]  # refused before the session is used
            employer,
            action="updated",
            entity_type="organization",
            entity_id=employer.organization_id,
            organization_id=employer.organization_id,
        )


async def test_a_commit_that_would_drop_queued_audit_rows_is_refused(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """Audit rows and events are inserted by app.core.db.commit; a plain session commit must not lose them."""
    async with sessionmaker() as session:
        _organization_change(session, world, "updated", world.bureau.id)
        with pytest.raises(RuntimeError, match="not written"):
            await session.commit()
    assert ("organization.updated", world.bureau.id) not in await _seen(world.bureau)


async def test_changes_recorded_in_a_rolled_back_savepoint_leave_no_audit_rows(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with sessionmaker() as session:
        _organization_change(session, world, "kept", world.bureau.id)
        with pytest.raises(ZeroDivisionError):
            async with session.begin_nested():
                _organization_change(session, world, "undone", world.bureau.id)
                raise ZeroDivisionError
        async with session.begin_nested():
            _organization_change(session, world, "also_kept", world.bureau.id)
        await commit(session, [])
    seen = await _seen(world.bureau)
    assert ("organization.kept", world.bureau.id) in seen and ("organization.also_kept", world.bureau.id) in seen
    assert ("organization.undone", world.bureau.id) not in seen
