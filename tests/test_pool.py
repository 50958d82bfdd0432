"""The hot reads' raw pool serves requests in the order they asked (app/core/db.py::FairPool), where asyncpg's own
pool lets a request that asks at the right moment take the connection a longer-waiting one was woken for."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from app.core.db import FairPool


async def _who_gets_it_first(pool: Any, released: asyncio.Event) -> list[str]:
    """One connection: a holder, a waiter queued behind it, and a newcomer that asks just as it is given back."""
    order: list[str] = []

    async def holder() -> None:
        async with pool.acquire():
            await asyncio.sleep(0.05)  # the waiter queues meanwhile

    async def waiter() -> None:
        await asyncio.sleep(0.01)
        async with pool.acquire():
            order.append("waiter")

    async def newcomer() -> None:
        await released.wait()  # set by the pool's reset, just before the connection goes back
        async with pool.acquire():
            order.append("newcomer")

    await asyncio.gather(holder(), waiter(), newcomer())
    return order


async def test_a_newcomer_does_not_take_the_connection_a_waiting_request_was_woken_for(database_url: str) -> None:
    released = asyncio.Event()

    async def reset(connection: Any) -> None:
        released.set()

    dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    raw = await asyncpg.create_pool(dsn, min_size=1, max_size=1, reset=reset)
    try:
        assert await _who_gets_it_first(raw, released) == ["newcomer", "waiter"]  # why FairPool exists
        released.clear()
        assert await _who_gets_it_first(FairPool(raw), released) == ["waiter", "newcomer"]
    finally:
        await raw.close()


async def test_a_request_that_waits_too_long_for_a_connection_gives_up(database_url: str) -> None:
    dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    raw = await asyncpg.create_pool(dsn, min_size=1, max_size=1)
    pool = FairPool(raw, acquire_timeout=0.1)
    try:
        async with pool.acquire():
            with pytest.raises(TimeoutError):  # an OSError: app/core/db.py::raw_connection answers 503
                async with pool.acquire():
                    pass
        async with pool.acquire() as connection:  # the turn given up is not lost
            assert await connection.fetchval("SELECT 1") == 1
    finally:
        await raw.close()
