"""`spoorwijzer refresh-compliance` commits per batch: while it runs, API writes to cases it already refreshed and
the change feed keep flowing. Run against real commits; the refresh is paused between two batches to look."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import text

from app.cases.service import today
from app.cli import _refresh_in_batches
from app.compliance.snapshots import refresh_stale
from app.core.db import commit
from tests.conftest import case_body
from tests.live import committed_database, committing_app, parties


@pytest.fixture(scope="module")
def refresh_database() -> str:
    return committed_database("refresh")


@pytest.mark.parametrize("commits", [True, False])
async def test_writes_and_the_feed_flow_between_batches(refresh_database: str, commits: bool) -> None:
    async with committing_app(refresh_database, db_lock_timeout_ms=500) as (app, _, factory):
        p = await parties(factory, uuid.uuid4().hex[:6])
        cases = [(await p.bureau.post("/v1/cases", json=case_body(p))).json() for _ in range(6)]
        first_batch = sorted(uuid.UUID(c["id"]) for c in cases)[:2]  # refresh goes by case id
        feed = (await p.bureau.get("/v1/events")).json()["next_cursor"]
        paused, proceed = asyncio.Event(), asyncio.Event()
        batches = 0

        async def after_batch() -> None:
            nonlocal batches
            if commits:
                await commit(session, [])
            batches += 1
            if batches == 1:
                paused.set()
                await proceed.wait()

        async with app.state.sessionmaker() as session:
            # Only this test's cases need a snapshot (other tests' cases in the database have current ones).
            await session.execute(text("DELETE FROM compliance_snapshots WHERE bureau_id = :b"), {"b": p.bureau.id})
            await commit(session, [])
            run = asyncio.ensure_future(refresh_stale(session, today(), 14, batch=2, after_batch=after_batch))
            await asyncio.wait_for(paused.wait(), 30)
            try:
                case_id = str(first_batch[0])
                write = await p.bureau.patch(
                    f"/v1/cases/{case_id}", json={"employer_case_manager": "Y"}, headers={"If-Match": '"1"'}
                )
                events = (await p.bureau.get("/v1/events", params={"after": feed})).json()["items"]
            finally:
                proceed.set()
                result = await run
                await commit(session, [])
        if commits:
            assert write.status_code == 200, write.text
            assert [(e["type"], e["entity_id"]) for e in events] == [("case.updated", case_id)]
            assert result == {"refreshed": 6}
        else:  # the control: one transaction over every batch holds the cases' locks
            assert write.status_code == 503, write.text
            assert events == []


async def test_the_command_commits_every_batch(refresh_database: str) -> None:
    async with committing_app(refresh_database) as (app, _, factory):
        p = await parties(factory, uuid.uuid4().hex[:6])
        for _ in range(3):
            assert (await p.bureau.post("/v1/cases", json=case_body(p))).status_code == 201
        async with app.state.sessionmaker() as session:
            result = await _refresh_in_batches(session, 14, everything=True)
            assert not session.in_transaction()  # each batch committed, nothing left open
        assert result["refreshed"] >= 3
