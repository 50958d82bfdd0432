"""Database trouble is a 503 with Retry-After, and a unique key that a race hits is a 409 naming the row that won.

Each test holds a real second transaction open on its own connection while a request runs against the app on its
own engine (real commits): a row lock the request must wait for (lock timeout; statement timeout), and a row the
other transaction inserts for the same unique key (a report month, an open spoor) and commits while the request
waits for it.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import assert_problem, case_body
from tests.live import committed_database, committing_app, parties
from tests.workflows import add_report, start_track


@pytest.fixture(scope="module")
def contention_database() -> str:
    return committed_database("contention")


async def _raw(url: str) -> Any:
    return await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))


@pytest.mark.parametrize(
    ("settings", "sqlstate"),
    [
        ({"db_lock_timeout_ms": 300}, "lock_timeout"),
        ({"db_lock_timeout_ms": 60_000, "db_statement_timeout_ms": 300}, "statement_timeout"),
    ],
)
async def test_waiting_on_a_lock_too_long_is_503_with_retry_after(
    contention_database: str, settings: dict[str, int], sqlstate: str
) -> None:
    async with committing_app(contention_database, **settings) as (_, _, factory):
        p = await parties(factory, uuid.uuid4().hex[:6])
        case = (await p.bureau.post("/v1/cases", json=case_body(p))).json()
        holder = await _raw(contention_database)
        try:
            await holder.execute("BEGIN")
            await holder.execute("SELECT 1 FROM cases WHERE id = $1 FOR UPDATE", uuid.UUID(case["id"]))
            response = await p.bureau.patch(
                f"/v1/cases/{case['id']}", json={"employer_case_manager": "X"}, headers={"If-Match": '"1"'}
            )
        finally:
            await holder.execute("ROLLBACK")
            await holder.close()
        problem = assert_problem(response, 503)
        assert problem["type"].endswith("/database-busy"), (sqlstate, problem)
        assert response.headers["retry-after"] == "1"
        # Nothing changed, and the same request goes through once the lock is gone.
        again = await p.bureau.patch(
            f"/v1/cases/{case['id']}", json={"employer_case_manager": "X"}, headers={"If-Match": '"1"'}
        )
        assert again.status_code == 200, again.text


async def _race(url: str, insert: str, args: tuple[Any, ...], request: Any) -> tuple[httpx.Response, uuid.UUID]:
    """Insert a row in a transaction of its own, start the request, commit while it waits on the row's key."""
    other = await _raw(url)
    try:
        await other.execute("BEGIN")
        winner: uuid.UUID = await other.fetchval(insert, *args)
        pending = asyncio.ensure_future(request())
        await asyncio.sleep(0.5)  # the request is now blocked on the uncommitted key
        assert not pending.done(), (await pending).text
        await other.execute("COMMIT")
        return await pending, winner
    finally:
        await other.close()


# A copy of an existing row with a new id and some columns changed: what the other request would have inserted.
_COPY = """
WITH source AS (SELECT * FROM {table} WHERE id = $1)
INSERT INTO {table} SELECT (jsonb_populate_record(NULL::{table}, to_jsonb(source) || $2::jsonb)).* FROM source
RETURNING id
"""


async def test_a_report_moved_to_a_month_another_request_creates_is_409_with_its_id(contention_database: str) -> None:
    async with committing_app(contention_database) as (_, _, factory):
        p = await parties(factory, uuid.uuid4().hex[:6])
        case = (await p.bureau.post("/v1/cases", json=case_body(p))).json()
        track = await start_track(p.bureau, case["id"])
        report = await add_report(p.bureau, track["id"], "2026-02")
        new_id = uuid.uuid4()

        async def move() -> httpx.Response:
            return await p.bureau.patch(
                f"/v1/progress-reports/{report['id']}", json={"period": "2026-03"}, headers={"If-Match": '"1"'}
            )

        changes = f'{{"id": "{new_id}", "period": "2026-03"}}'
        response, winner = await _race(
            contention_database, _COPY.format(table="progress_reports"), (uuid.UUID(report["id"]), changes), move
        )
        problem = assert_problem(response, 409)
        assert winner == new_id
        assert problem["existing_id"] == str(new_id)
        assert str(new_id) in problem["detail"]


async def test_an_open_spoor_another_request_opens_is_409_with_its_id(contention_database: str) -> None:
    async with committing_app(contention_database) as (_, _, factory):
        p = await parties(factory, uuid.uuid4().hex[:6])
        case = (await p.bureau.post("/v1/cases", json=case_body(p))).json()
        track = await start_track(p.bureau, case["id"])  # spoor 2, open
        new_id = uuid.uuid4()

        async def open_spoor_1() -> httpx.Response:
            body = {"spoor": 1, "started_on": "2026-01-20", "coach": "E. Bakker", "goal": "Eigen werk"}
            return await p.bureau.post(f"/v1/cases/{case['id']}/tracks", json=body)

        changes = f'{{"id": "{new_id}", "spoor": 1}}'
        response, winner = await _race(
            contention_database, _COPY.format(table="tracks"), (uuid.UUID(track["id"]), changes), open_spoor_1
        )
        problem = assert_problem(response, 409)
        assert problem["existing_id"] == str(winner) == str(new_id)
