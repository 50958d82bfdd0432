"""The hot case reads (raw pool, JSON built from rows, app/cases/service.py) answer exactly what the pydantic
read model answers: the same fields and values as the create/update answers, which go through CaseRead."""

from __future__ import annotations

from typing import Any

from app.cases.schemas import CaseRead
from tests.conftest import World, assert_problem, create_case


def through_read_model(body: dict[str, Any]) -> dict[str, Any]:
    return CaseRead.model_validate(body).model_dump(mode="json")


async def test_one_case_reads_as_the_read_model_writes_it(world: World) -> None:
    created = await create_case(
        world,
        absence_periods=[
            {"first_day": "2024-12-02", "last_day": "2024-12-20"},
            {"first_day": "2025-01-06", "last_day": None},
        ],
        leave_periods=[{"first_day": "2025-04-28", "last_day": "2025-08-17", "kind": "wazo"}],
        employer_is_wga_eigenrisicodrager=True,
    )
    path = f"/v1/cases/{created['id']}"
    response = await world.bureau.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["etag"] == '"1"'
    assert response.json() == created == through_read_model(response.json())
    # Timestamps byte for byte as pydantic writes them (`Z`, microseconds).
    assert f'"created_at":"{created["created_at"]}"' in response.text

    updated = await world.bureau.patch(path, json={"employer_case_manager": None}, headers={"If-Match": '"1"'})
    assert updated.status_code == 200, updated.text
    again = await world.bureau.get(path)
    assert again.headers["etag"] == '"2"'
    assert again.json() == updated.json()

    as_employer = (await world.employer.get(path)).json()
    as_arbodienst = (await world.arbodienst.get(path)).json()
    assert as_employer == updated.json()
    assert as_arbodienst == {**updated.json(), "employee": {**updated.json()["employee"], "bsn_masked": None}}


async def test_pages_read_as_the_read_model_writes_them(world: World) -> None:
    cases = [await create_case(world) for _ in range(3)]
    closed = await world.bureau.post(
        f"/v1/cases/{cases[1]['id']}/close", json={"closed_on": "2025-03-03", "reason": "hersteld"}
    )
    assert closed.status_code == 200, closed.text
    cases[1] = closed.json()
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await world.employer.get("/v1/cases", params=params)).json()
        assert set(page) == {"items", "next_cursor"}
        seen += [through_read_model(item) for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == cases

    by_status = (await world.bureau.get("/v1/cases", params={"status": "closed"})).json()["items"]
    assert by_status == [cases[1]]
    by_ref = (await world.bureau.get("/v1/cases", params={"external_ref": cases[2]["external_ref"]})).json()
    assert by_ref == {"items": [cases[2]], "next_cursor": None}
    since = (await world.bureau.get("/v1/cases", params={"updated_since": cases[1]["updated_at"]})).json()
    assert [c["id"] for c in since["items"]] == [cases[1]["id"]]
    assert (await world.other_bureau.get("/v1/cases")).json() == {"items": [], "next_cursor": None}
    assert_problem(await world.bureau.get("/v1/cases", params={"cursor": "bm90IGEgY3Vyc29y"}), 422)
