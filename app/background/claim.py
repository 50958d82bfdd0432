"""Coordinating workers through PostgreSQL: no broker, no leader, any number of processes and replicas.

Three tools, each a single statement in the caller's transaction (commit or roll back as usual):

- `claim(session, query)`: take queue rows nobody else holds (`FOR UPDATE SKIP LOCKED`). Two workers never get
  the same row; a row stays locked until the claiming transaction ends, and a crashed worker's rows come free
  again when PostgreSQL ends its connection.
- `try_exclusive(session, name)`: a transaction-scoped advisory lock; only one worker at a time runs a pass
  (the others skip it). Released at commit or rollback.
- `claim_once(session, table, values)`: insert a row keyed by a unique constraint, answering whether this call
  made it. The exactly-once primitive: "obligation X of case Y became overdue", or "the daily pass of
  2026-12-01 ran" (a row per period in the job's own table), holds however many workers race for it, and a
  rolled-back transaction leaves the key free for the next try.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, Table, func, literal, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession


async def claim(session: AsyncSession, query: Select[Any], *, of: Any = None) -> Sequence[Any]:
    """Run `query` (give it its own ORDER BY and LIMIT) with `FOR UPDATE SKIP LOCKED` and answer its rows.

    `of`: the table(s) or entity to lock when the query joins others (PostgreSQL locks every joined table's rows
    otherwise). Claimed ORM entities answer as entities (`select(Model)`), other queries as rows.
    """
    locked = query.with_for_update(skip_locked=True, of=of)
    result = await session.execute(locked)
    if len(query.column_descriptions) == 1 and query.column_descriptions[0].get("entity") is not None:
        entity = query.column_descriptions[0]["entity"]
        if query.column_descriptions[0].get("type") is entity:
            return list(result.scalars().all())
    return list(result.all())


async def try_exclusive(session: AsyncSession, name: str) -> bool:
    """Whether this transaction now holds the advisory lock named `name` (held until it ends); never waits."""
    got = await session.scalar(select(func.pg_try_advisory_xact_lock(func.hashtextextended(literal(name), 0))))
    return bool(got)


async def claim_once(session: AsyncSession, table: Table | Any, values: Mapping[str, Any]) -> bool:
    """Insert `values` into `table` (a Table or an ORM class) unless a row with the same unique key exists;
    True when this call inserted it. Waits for a concurrent uncommitted insert of the same key, then answers
    False if that one committed (PostgreSQL's ON CONFLICT semantics)."""
    target = table if isinstance(table, Table) else table.__table__
    statement = insert(target).values(dict(values)).on_conflict_do_nothing().returning(literal(1))
    return (await session.execute(statement)).first() is not None
