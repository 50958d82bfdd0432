"""`updated_since` is a filter, not a way to sync: a change committed late carries the time its request wrote it,
which can be before what a client already saw. The feed (`GET /v1/events`) never misses it. docs/versioning.md,
"Syncing", and the parameter's description say so; this test shows both halves with real commits."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import Factory, case_body
from tests.live import Parties, committed_database, committing_app, parties


@pytest.fixture(scope="module")
def database() -> str:
    return committed_database("updated_since")


@pytest.fixture
async def live(database: str) -> AsyncIterator[tuple[Any, Parties]]:
    async with committing_app(database) as (app, _, factory):
        assert isinstance(factory, Factory)
        yield app, await parties(factory, uuid.uuid4().hex[:6])


async def test_a_late_commit_is_missed_by_updated_since_and_caught_by_the_feed(live: tuple[Any, Parties]) -> None:
    app, p = live
    first = (await p.bureau.post("/v1/cases", json=case_body(p))).json()
    second = (await p.bureau.post("/v1/cases", json=case_body(p))).json()
    start = await p.bureau.get("/v1/events")
    cursor = start.json()["next_cursor"]

    # Hold the first case's change just before its commit, as a slow request would be.
    written, release = asyncio.Event(), asyncio.Event()

    async def hold(session: AsyncSession) -> None:
        if asyncio.current_task() is slow_task and not release.is_set():
            written.set()
            await release.wait()

    app.state.before_commit.append(hold)
    slow_task = asyncio.create_task(
        p.bureau.patch(f"/v1/cases/{first['id']}", json={"employer_case_manager": "Slow"}, headers={"If-Match": '"1"'})
    )
    await asyncio.wait_for(written.wait(), 10)
    fast = await p.bureau.patch(
        f"/v1/cases/{second['id']}", json={"employer_case_manager": "Fast"}, headers={"If-Match": '"1"'}
    )
    assert fast.status_code == 200, fast.text
    seen_up_to = fast.json()["updated_at"]
    # The client syncs now: it sees the fast change, and the feed holds back what a running transaction may add.
    polled = (await p.bureau.get("/v1/cases", params={"updated_since": seen_up_to})).json()["items"]
    assert [c["id"] for c in polled] == [second["id"]]
    feed = (await p.bureau.get("/v1/events", params={"after": cursor})).json()
    assert [e["entity_id"] for e in feed["items"]] == []
    cursor = feed["next_cursor"]

    release.set()
    slow = await slow_task
    assert slow.status_code == 200, slow.text
    assert slow.json()["updated_at"] < seen_up_to  # written before, committed after

    again = (await p.bureau.get("/v1/cases", params={"updated_since": seen_up_to})).json()["items"]
    assert first["id"] not in [c["id"] for c in again]  # the documented gap of updated_since
    feed = (await p.bureau.get("/v1/events", params={"after": cursor})).json()
    # In transaction order: the slow change's transaction began first.
    assert [(e["type"], e["entity_id"]) for e in feed["items"]] == [
        ("case.updated", first["id"]),
        ("case.updated", second["id"]),
    ]
