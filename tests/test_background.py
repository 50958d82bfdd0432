"""app/background: the movable clock, workers in the service's lifespan, and coordination through PostgreSQL
(SKIP LOCKED queues, advisory exclusivity, exactly-once keys), with real commits on a database of its own."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Column, Date, Integer, MetaData, String, Table, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.background import (
    Job,
    JobContext,
    MovableClock,
    SystemClock,
    Workers,
    claim,
    claim_once,
    register_job,
    try_exclusive,
)
from app.core.db import make_engine, make_sessionmaker
from app.core.settings import Settings
from app.main import create_app
from tests.live import committed_database

scratch = MetaData()
queue = Table(
    "bg_queue",
    scratch,
    Column("id", Integer, primary_key=True),
    Column("done_by", String(20)),
    Column("times", Integer, nullable=False, server_default="0"),
)
runs = Table("bg_runs", scratch, Column("job", String(40), primary_key=True), Column("period", Date, primary_key=True))


@pytest.fixture(scope="module")
def background_database() -> str:
    return committed_database("background")


@pytest.fixture
async def engine(background_database: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(background_database, Settings(environment="test", database_url=background_database))
    async with engine.begin() as conn:
        await conn.run_sync(scratch.drop_all)
        await conn.run_sync(scratch.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)


def test_movable_clock_moves_only_when_told() -> None:
    clock = MovableClock(date(2026, 3, 28))
    assert clock.today() == date(2026, 3, 28)
    assert clock.now().tzinfo is not None
    first = clock.now()
    assert clock.now() == first
    moves: list[datetime] = []
    unsubscribe = clock.on_move(lambda: moves.append(clock.now()))
    clock.advance(days=1)
    assert clock.today() == date(2026, 3, 29)  # across the switch to summer time, still noon-ish in Amsterdam
    clock.set(datetime(2026, 12, 31, 23, 30))  # naive: UTC, so already 1 January in Amsterdam
    assert clock.today() == date(2027, 1, 1)
    assert moves == [first + timedelta(days=1), datetime(2026, 12, 31, 23, 30, tzinfo=UTC)]
    unsubscribe()
    clock.advance(seconds=5)
    assert len(moves) == 2
    system = SystemClock()
    assert abs(system.now() - datetime.now(UTC)) < timedelta(seconds=5)


async def test_claim_skips_rows_another_transaction_holds(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as s, s.begin():
        await s.execute(queue.insert(), [{"id": i} for i in range(10)])
    async with sessions() as a, sessions() as b, a.begin(), b.begin():
        first = await claim(a, select(queue.c.id).order_by(queue.c.id).limit(4))
        second = await claim(b, select(queue.c.id).order_by(queue.c.id).limit(4))
        assert [r.id for r in first] == [0, 1, 2, 3]
        assert [r.id for r in second] == [4, 5, 6, 7]  # never a row the other holds
    # Both ended: the rows are free again.
    async with sessions() as c, c.begin():
        assert len(await claim(c, select(queue.c.id).limit(100))) == 10


async def test_try_exclusive_lets_one_transaction_at_a_time(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as a, sessions() as b:
        async with a.begin():
            assert await try_exclusive(a, "daily-pass")
            async with b.begin():
                assert not await try_exclusive(b, "daily-pass")
                assert await try_exclusive(b, "another-pass")
        async with b.begin():
            assert await try_exclusive(b, "daily-pass")  # released at a's commit


async def test_claim_once_answers_true_exactly_once(sessions: async_sessionmaker[AsyncSession]) -> None:
    key = {"job": "retention", "period": date(2026, 12, 1)}

    async def attempt() -> bool:
        async with sessions() as s, s.begin():
            return await claim_once(s, runs, key)

    results = await asyncio.gather(*(attempt() for _ in range(8)))
    assert sorted(results) == [False] * 7 + [True]
    async with sessions() as s:
        async with s.begin():
            assert await claim_once(s, runs, {"job": "retention", "period": date(2026, 12, 2)})
            await s.rollback()  # a rolled-back pass leaves the key free
        async with s.begin():
            assert await claim_once(s, runs, {"job": "retention", "period": date(2026, 12, 2)})


async def _drain_queue(ctx: JobContext, worker: str) -> bool:
    async with ctx.sessionmaker() as s, s.begin():
        rows = await claim(s, select(queue.c.id).where(queue.c.done_by.is_(None)).order_by(queue.c.id).limit(7))
        for row in rows:
            await asyncio.sleep(0)  # give the other worker a chance to race
            await s.execute(queue.update().where(queue.c.id == row.id).values(done_by=worker, times=queue.c.times + 1))
        return len(rows) == 7


async def test_two_workers_share_a_queue_without_doing_a_row_twice(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as s, s.begin():
        await s.execute(queue.insert(), [{"id": i} for i in range(300)])
    clock = MovableClock()
    pool = [
        Workers(
            [Job(f"queue-{n}", lambda ctx, n=n: _drain_queue(ctx, f"w{n}"), interval=0.05)],
            sessionmaker=sessions,
            clock=clock,
        )
        for n in range(2)
    ]
    for workers in pool:
        await workers.start()
    try:
        for _ in range(200):
            async with sessions() as s:
                if await s.scalar(select(queue.c.id).where(queue.c.done_by.is_(None)).limit(1)) is None:
                    break
            await asyncio.sleep(0.05)
    finally:
        for workers in pool:
            await workers.stop()
    async with sessions() as s:
        rows = (await s.execute(select(queue.c.done_by, queue.c.times))).all()
    assert len(rows) == 300
    assert all(r.times == 1 for r in rows)
    assert {r.done_by for r in rows} == {"w0", "w1"}  # both took part


async def test_a_daily_pass_runs_once_per_day_however_many_workers(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    ran: list[tuple[str, date]] = []

    async def daily(ctx: JobContext, worker: str) -> bool:
        async with ctx.sessionmaker() as s, s.begin():
            if await claim_once(s, runs, {"job": "daily", "period": ctx.clock.today()}):
                ran.append((worker, ctx.clock.today()))
        return False

    clock = MovableClock(date(2026, 12, 1))
    # An hour between passes: only the clock's moves wake them in this test.
    pool = [
        Workers([Job("daily", lambda ctx, n=n: daily(ctx, f"w{n}"), interval=3600)], sessionmaker=sessions, clock=clock)
        for n in range(3)
    ]
    for workers in pool:
        await workers.start()
    try:
        await _until(lambda: len(ran) == 1)
        for n in range(3):
            clock.advance(days=1)
            await _until(lambda n=n: len(ran) == n + 2)
            await _until(lambda: all(w.passes("daily") >= 2 for w in pool))
        await asyncio.sleep(0.2)
    finally:
        for workers in pool:
            await workers.stop()
    assert sorted(day for _, day in ran) == [date(2026, 12, d) for d in (1, 2, 3, 4)]


async def test_a_failing_pass_is_retried_and_stop_cancels_cleanly(sessions: async_sessionmaker[AsyncSession]) -> None:
    calls: list[int] = []

    async def flaky(ctx: JobContext) -> bool:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("boom")
        return False

    workers = Workers([Job("flaky", flaky, interval=0.05)], sessionmaker=sessions, clock=MovableClock())
    await workers.start()
    await _until(lambda: len(calls) >= 3)
    await workers.stop()
    stopped_at = len(calls)
    await asyncio.sleep(0.2)
    assert len(calls) == stopped_at
    assert not workers.started


async def test_the_lifespan_starts_registered_jobs_and_stops_them(background_database: str) -> None:
    seen: list[date] = []

    async def job(ctx: JobContext) -> bool:
        async with ctx.sessionmaker() as s:
            assert await s.scalar(text("SELECT 1")) == 1
        seen.append(ctx.clock.today())
        return False

    clock = MovableClock(date(2027, 1, 4))
    app = create_app(Settings(environment="test", database_url=background_database), clock=clock)
    register_job(app, Job("probe", job, interval=3600))
    with pytest.raises(ValueError):
        register_job(app, Job("probe", job))
    async with app.router.lifespan_context(app):
        await _until(lambda: seen == [date(2027, 1, 4)])
        clock.advance(days=1)
        await _until(lambda: seen == [date(2027, 1, 4), date(2027, 1, 5)])
        assert app.state.workers is not None
    assert app.state.workers is None
    off = create_app(Settings(environment="test", database_url=background_database, background_workers=False))
    register_job(off, Job("probe", job, interval=3600))
    async with off.router.lifespan_context(off):
        await asyncio.sleep(0.1)
        assert off.state.workers is None
    assert len(seen) == 2


async def _until(condition: Callable[[], bool], within: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)
