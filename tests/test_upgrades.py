"""Running for years: readiness across an expand-only migration, the daily retention pass on the service's own
background workers (one run a day however many processes), and the metrics beside the HTTP ones."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from app.background import MovableClock
from app.core.health import migration_head
from app.core.settings import Settings
from app.main import create_app
from app.retention.job import run_retention
from tests.conftest import Factory, case_body
from tests.live import committed_database, committing_app, parties


@pytest.fixture(scope="module")
def upgrades_database() -> str:
    return committed_database("upgrades")


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def test_an_older_build_stays_ready_on_the_next_builds_expand_migration(upgrades_database: str) -> None:
    this_build = migration_head()
    conn = await asyncpg.connect(_dsn(upgrades_database))
    try:
        async with committing_app(upgrades_database, background_workers=False) as (_, client, _factory):
            assert (await client.get("/readyz")).status_code == 200
            # The next release migrates first (expand: adds only) and declares this build's revision served.
            await conn.execute("UPDATE alembic_version SET version_num = 'next-expand'")
            await conn.execute(
                "INSERT INTO schema_compatibility VALUES ('next-expand', ARRAY[$1::varchar])", this_build
            )
            assert (await client.get("/readyz")).status_code == 200
            # Its contract migration (drops what this build uses) declares nothing: this build steps out.
            await conn.execute("UPDATE alembic_version SET version_num = 'next-contract'")
            not_ready = await client.get("/readyz")
            assert not_ready.status_code == 503
            assert "next-contract" in not_ready.json()["detail"]
            # A schema behind this build (migrations not run yet) is not served either.
            await conn.execute("UPDATE alembic_version SET version_num = '0007'")
            assert (await client.get("/readyz")).status_code == 503
    finally:
        await conn.execute("UPDATE alembic_version SET version_num = $1", this_build)
        await conn.execute("DELETE FROM schema_compatibility WHERE revision = 'next-expand'")
        await conn.close()


@asynccontextmanager
async def service(url: str, clock: MovableClock) -> AsyncIterator[tuple[Any, httpx.AsyncClient, Factory]]:
    """One service process (its lifespan starts the background workers) on `url`, on a movable clock."""
    app = create_app(Settings(environment="test", database_url=url), clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=30) as client:
            yield app, client, Factory(client, app.state.sessionmaker)


async def _true(value: bool) -> bool:
    return value


async def _until(condition: Callable[[], Awaitable[Any]], what: str, seconds: float = 120) -> None:
    """Wait for `condition()` to answer truthy: a generous limit, as a loaded machine may run the workers late."""
    deadline = time.monotonic() + seconds
    while not await condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def test_daily_retention_runs_once_a_day_across_processes(upgrades_database: str) -> None:
    clock = MovableClock(date(2026, 12, 1))
    conn = await asyncpg.connect(_dsn(upgrades_database))
    try:
        async with (
            service(upgrades_database, clock) as (app, client, factory),
            service(upgrades_database, clock) as (other, _, _),
        ):
            world = await parties(factory, "retention")
            body = case_body(world)  # type: ignore[arg-type]
            created = await world.bureau.post("/v1/cases", json=body)
            assert created.status_code == 201, created.text
            case_id = created.json()["id"]
            closed = await world.bureau.post(
                f"/v1/cases/{case_id}/close", json={"closed_on": "2026-06-30", "reason": "hersteld"}
            )
            assert closed.status_code == 200, closed.text
            settings = Settings(environment="test")
            clock.set(date(2026, 6, 30) + timedelta(days=settings.retention_days))  # wakes both processes
            # Wait for the day's run to finish (however slow the machine), then the case must be anonymised.
            today = clock.today()
            finished = "SELECT finished_at IS NOT NULL FROM retention_runs WHERE run_on = $1"
            await _until(lambda: conn.fetchval(finished, today), "the day's retention run to finish")
            case = (await world.bureau.get(f"/v1/cases/{case_id}")).json()
            assert case["anonymised_at"] and case["employee"]["name"] == ""
            passes = [app.state.workers.passes("retention"), other.state.workers.passes("retention")]
            clock.advance(hours=1)  # both wake again: the day's run is done, neither runs it twice
            await _until(
                lambda: _true(
                    all(p.state.workers.passes("retention") > n for p, n in zip((app, other), passes, strict=True))
                ),
                "a retention pass in both processes after the second wake-up",
            )
            runs = await conn.fetch("SELECT run_on, finished_at, result FROM retention_runs ORDER BY run_on")
            # One run per day (the start day and the day of the move), not one per process.
            assert [r["run_on"] for r in runs] == [date(2026, 12, 1), clock.today()]
            assert all(r["finished_at"] is not None for r in runs)
            assert case_id in runs[-1]["result"]
            anonymised = await conn.fetchval(
                "SELECT count(*) FROM audit_log WHERE case_id = $1 AND action = 'anonymised'", case_id
            )
            assert anonymised == 1
            metrics = (await client.get("/metrics")).text
            assert 'spoorwijzer_job_runs_total{job="obligations_gauge",result="ok"}' in metrics
            assert 'spoorwijzer_outstanding_obligations{party="werkgever",status="overdue"}' in metrics
            assert 'spoorwijzer_db_pool_in_use{pool="orm"}' in metrics
            assert 'spoorwijzer_db_pool_waiting{pool="raw"}' in metrics
    finally:
        await conn.close()


@pytest.mark.parametrize("lock", ["FOR UPDATE", "FOR KEY SHARE"])
async def test_the_retention_run_does_not_pass_over_a_case_another_transaction_holds(
    upgrades_database: str, lock: str
) -> None:
    """A request changing the case (FOR UPDATE) or a snapshot refresh (FOR KEY SHARE) holds the expired case as the
    day's run takes it: the run waits for it (or is not blocked at all) instead of leaving it for tomorrow."""
    async with committing_app(upgrades_database, background_workers=False) as (app, _, factory):
        world = await parties(factory, f"held-{lock[4:].replace(' ', '-').lower()}")
        created = await world.bureau.post("/v1/cases", json=case_body(world))  # type: ignore[arg-type]
        assert created.status_code == 201, created.text
        case_id = created.json()["id"]
        closed = await world.bureau.post(
            f"/v1/cases/{case_id}/close", json={"closed_on": "2026-06-30", "reason": "hersteld"}
        )
        assert closed.status_code == 200, closed.text
        settings = app.state.settings
        as_of = date(2026, 6, 30) + timedelta(days=settings.retention_days)
        holder = await asyncpg.connect(_dsn(upgrades_database))
        try:
            async with holder.transaction():
                await holder.execute(f"SELECT 1 FROM cases WHERE id = $1 {lock}", uuid.UUID(case_id))
                run = asyncio.create_task(run_retention(app.state.sessionmaker, settings, as_of))
                waiting = "SELECT count(*) FROM pg_locks WHERE NOT granted AND $1 = ANY(pg_blocking_pids(pid))"
                pid = holder.get_server_pid()
                await _until(
                    lambda: _done_or_waiting(run, lambda: holder.fetchval(waiting, pid)), "the run to finish or wait"
                )
            result = await asyncio.wait_for(run, 120)
        finally:
            await holder.close()
        assert case_id in result.anonymised
        assert (await world.bureau.get(f"/v1/cases/{case_id}")).json()["anonymised_at"]


async def _done_or_waiting(run: asyncio.Task[Any], waiters: Callable[[], Awaitable[int]]) -> bool:
    return run.done() or await waiters() > 0
