"""The read-access log (NEN 7513 style): every read of the medical status and every case read that shows BSN
data is logged with who, which organization, which key, when and what; only the case's bureau reads the log."""

from __future__ import annotations

from typing import Any

from tests.conftest import Actor, World, assert_problem, create_case
from tests.test_medical import first_push, url


async def access_log(world: World, case: dict[str, Any], **params: Any) -> list[dict[str, Any]]:
    response = await world.bureau.get(f"/v1/cases/{case['id']}/access-log", params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def entry(actor: Actor, what: str, path: str) -> tuple[str, str, str, str]:
    return (actor.id, actor.key_id, what, path)


def shape(log: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    return [(e["actor_organization_id"], e["actor_key_id"], e["what"], e["path"]) for e in log]


async def test_medical_status_reads_are_logged(world: World) -> None:
    case = await create_case(world, employee={"name": "J. de Vries", "date_of_birth": "1980-05-17"})
    await first_push(world, case)
    assert await access_log(world, case) == []  # pushing is no read
    history = f"{url(case)}/history"
    for reader in (world.bureau, world.employer, world.arbodienst):
        assert (await reader.get(url(case))).status_code == 200
    assert (await world.employer.get(history)).status_code == 200
    log = await access_log(world, case)
    assert shape(log) == [
        entry(world.bureau, "medical_status", url(case)),
        entry(world.employer, "medical_status", url(case)),
        entry(world.arbodienst, "medical_status", url(case)),
        entry(world.employer, "medical_status", history),
    ]
    assert log[0]["at"] <= log[-1]["at"]
    assert [e["id"] for e in log] == sorted(e["id"] for e in log)


async def test_failed_reads_are_not_logged(world: World) -> None:
    case = await create_case(world)
    assert_problem(await world.employer.get(url(case)), 404)  # no status yet: nothing was read
    for outsider in (world.other_bureau, world.other_employer, world.other_arbodienst):
        assert_problem(await outsider.get(url(case)), 404)
        assert_problem(await outsider.get(f"/v1/cases/{case['id']}"), 404)
    assert await access_log(world, case) == []


async def test_case_reads_with_a_bsn_are_logged(world: World) -> None:
    case = await create_case(world)
    path = f"/v1/cases/{case['id']}"
    for reader in (world.bureau, world.employer, world.arbodienst):
        assert (await reader.get(path)).status_code == 200
    # The arbodienst is not shown the BSN, so its read is no BSN read.
    assert shape(await access_log(world, case)) == [
        entry(world.bureau, "bsn", path),
        entry(world.employer, "bsn", path),
    ]


async def test_lists_log_one_entry_per_case_with_a_bsn(world: World) -> None:
    with_bsn = [await create_case(world), await create_case(world)]
    without = await create_case(world, employee={"name": "A. Bakker", "date_of_birth": "1990-01-01"})
    listed = (await world.employer.get("/v1/cases")).json()["items"]
    assert {c["id"] for c in listed} == {c["id"] for c in [*with_bsn, without]}
    for case in with_bsn:
        assert shape(await access_log(world, case)) == [entry(world.employer, "bsn", "/v1/cases")]
    assert await access_log(world, without) == []
    # Only the cases returned on the page are logged.
    page = (await world.bureau.get("/v1/cases", params={"limit": 1})).json()["items"]
    assert [c["id"] for c in page] == [with_bsn[0]["id"]]
    assert len(await access_log(world, with_bsn[0])) == 2
    assert len(await access_log(world, with_bsn[1])) == 1
    # The arbodienst's list shows no BSN: nothing logged.
    assert len((await world.arbodienst.get("/v1/cases")).json()["items"]) == 3
    assert len(await access_log(world, with_bsn[1])) == 1


async def test_only_the_bureau_reads_the_access_log(world: World) -> None:
    case = await create_case(world)
    path = f"/v1/cases/{case['id']}/access-log"
    for party in (world.employer, world.arbodienst):
        assert_problem(await party.get(path), 403)
    for outsider in (world.other_bureau, world.other_employer, world.other_arbodienst):
        assert_problem(await outsider.get(path), 404)
    assert_problem(await world.bureau.client.get(path), 401)


async def test_access_log_pages(world: World) -> None:
    case = await create_case(world)
    for _ in range(3):
        await world.employer.get(f"/v1/cases/{case['id']}")
    first = (await world.bureau.get(f"/v1/cases/{case['id']}/access-log", params={"limit": 2})).json()
    assert len(first["items"]) == 2
    rest = await access_log(world, case, cursor=first["next_cursor"])
    assert len(rest) == 1
    assert rest[0]["id"] > first["items"][-1]["id"]
