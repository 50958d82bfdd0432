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
        assert problem["code"] == "database_busy", (sqlstate, problem)
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


async def test_a_deadlock_victim_is_run_again_and_succeeds(contention_database: str) -> None:
    """The request locks the case, then inserts the link of its new employer; the other transaction holds that
    link's key and then wants the case: a deadlock, in which the request (its deadlock_timeout runs out first) is
    the victim. Run again, it waits for the other transaction to end and goes through."""
    async with committing_app(contention_database) as (_, _, factory):
        p = await parties(factory, uuid.uuid4().hex[:6])
        case = (await p.bureau.post("/v1/cases", json=case_body(p))).json()
        new_employer = await factory.registered(p.bureau, "werkgever", f"Werkgever {uuid.uuid4().hex[:6]}")
        other = await _raw(contention_database)
        try:
            await other.execute("SET deadlock_timeout = '20s'")  # so that the request's own check finds it
            await other.execute("BEGIN")
            await other.execute(
                "INSERT INTO organization_links (viewer_id, organization_id) VALUES ($1, $2)",
                uuid.UUID(new_employer.id),
                uuid.UUID(p.bureau.id),
            )
            pending = asyncio.ensure_future(
                p.bureau.patch(
                    f"/v1/cases/{case['id']}", json={"employer_id": new_employer.id}, headers={"If-Match": '"1"'}
                )
            )
            await asyncio.sleep(0.3)  # the request holds the case and waits for the link
            assert not pending.done()
            # Waits for the case until the request, the victim, is rolled back.
            await other.execute("SELECT 1 FROM cases WHERE id = $1 FOR UPDATE", uuid.UUID(case["id"]))
            await asyncio.sleep(0.3)  # the second attempt now waits for the case
            assert not pending.done()
            await other.execute("ROLLBACK")
            response = await pending
        finally:
            await other.close()
        assert response.status_code == 200, response.text
        assert response.json()["employer_id"] == new_employer.id
        assert response.json()["version"] == 2
