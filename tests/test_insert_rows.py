"""app/core/db.py::insert_rows: a prepared batch for a few rows, COPY for many; the same rows either way."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.db import insert_rows, session_raw_connection
from tests.conftest import World


@pytest.mark.parametrize("count", [3, 600])  # either side of the switch to COPY
async def test_rows_go_in_as_given(world: World, sessionmaker: async_sessionmaker[AsyncSession], count: int) -> None:
    entity = uuid.uuid4()
    rows = [
        {
            "type": "organization.checked",
            "entity_type": "organization",
            "entity_id": entity,
            "organization_id": uuid.UUID(world.bureau.id),
            "bureau_id": uuid.UUID(world.bureau.id),
            "visible_to_employer": n % 2 == 0,
        }
        for n in range(count)
    ]
    async with sessionmaker() as session:
        await session.execute(text("SELECT 1"))  # the session's transaction, for the raw statements to join
        await insert_rows(await session_raw_connection(session), "events", rows)
        stored = (
            await session.execute(
                text("SELECT count(*), count(*) FILTER (WHERE visible_to_employer) FROM events WHERE entity_id = :e"),
                {"e": entity},
            )
        ).one()
    assert tuple(stored) == (count, (count + 1) // 2)
