"""The retention run: anonymise closed cases past their term, delete log rows past theirs.

Batches with short transactions: each takes up to `retention_batch_size` expired cases with FOR NO KEY UPDATE
SKIP LOCKED, anonymises them and commits, so a request never waits long on a case and two runners never take the
same case; the cases others held meanwhile are then waited for, so none is left for the next day.
`spoorwijzer retention run [--dry-run]` runs it by hand; the service runs it daily (app/retention/schedule.py).
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.db import commit, insert_at_commit
from app.core.metrics import RETENTION
from app.core.settings import Settings
from app.retention.anonymise import anonymise_case

_EXPIRED = """
FROM cases WHERE status = 'closed' AND anonymised_at IS NULL AND closed_on <= :cutoff
"""
_OLD_LOG_ROWS = """
SELECT l.ctid FROM {table} l JOIN cases c ON c.id = l.case_id AND c.bureau_id = l.bureau_id
WHERE c.anonymised_at IS NOT NULL AND l.at < CAST(:log_cutoff AS date)
"""

_FIELD = {"audit_log": "audit_rows_deleted", "access_log": "access_rows_deleted"}


@dataclass
class RetentionResult:
    as_of: date
    cutoff: date
    log_cutoff: date
    dry_run: bool
    anonymised: list[str] = field(default_factory=list)
    on_hold: list[str] = field(default_factory=list)
    audit_rows_deleted: int = 0
    access_rows_deleted: int = 0

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["anonymised_count"] = len(self.anonymised)
        data["on_hold_count"] = len(self.on_hold)
        return data

    def as_json_safe(self) -> dict[str, Any]:
        """The JSON types only (dates as text), for the retention_runs row."""
        loaded: dict[str, Any] = orjson.loads(orjson.dumps(self.as_json()))
        return loaded


def _audit(session: AsyncSession, bureau_id: uuid.UUID, case_id: uuid.UUID, retention_days: int) -> None:
    # No API key acted: the actor columns stay empty, the reason says which rule did it.
    after = orjson.dumps({"reason": "retention", "retention_days": retention_days}).decode()
    insert_at_commit(
        session,
        "audit_log",
        {
            "bureau_id": bureau_id,
            "case_id": case_id,
            "actor_organization_id": None,
            "actor_key_id": None,
            "action": "anonymised",
            "entity_type": "case",
            "entity_id": case_id,
            "before": None,
            "after": after,
        },
    )


async def _delete_old_log_rows(session: AsyncSession, table: str, log_cutoff: date, batch: int) -> int:
    result = await session.execute(
        text(f"DELETE FROM {table} WHERE ctid IN ({_OLD_LOG_ROWS.format(table=table)} LIMIT :n)"),
        {"log_cutoff": log_cutoff, "n": batch},
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def run_retention(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, as_of: date, *, dry_run: bool = False
) -> RetentionResult:
    cutoff = as_of - timedelta(days=settings.retention_days)
    log_cutoff = as_of - timedelta(days=settings.log_retention_days)
    result = RetentionResult(as_of=as_of, cutoff=cutoff, log_cutoff=log_cutoff, dry_run=dry_run)
    batch = settings.retention_batch_size
    params = {"cutoff": cutoff}
    async with sessionmaker() as session:
        held = await session.execute(text(f"SELECT id {_EXPIRED} AND legal_hold ORDER BY closed_on, id"), params)
        result.on_hold = [str(i) for i in held.scalars()]
        if dry_run:
            due = await session.execute(text(f"SELECT id {_EXPIRED} AND NOT legal_hold ORDER BY closed_on, id"), params)
            result.anonymised = [str(i) for i in due.scalars()]
            for table in ("audit_log", "access_log"):
                count = await session.execute(
                    text(f"SELECT count(*) FROM ({_OLD_LOG_ROWS.format(table=table)}) x"), {"log_cutoff": log_cutoff}
                )
                setattr(result, _FIELD[table], int(count.scalar_one()))
            await session.rollback()
            return result
        await session.rollback()
    # First the cases nobody holds (SKIP LOCKED); then wait for the ones others hold (a request, a snapshot refresh
    # or another runner): skipping those would end the day's run with them still due. After the wait PostgreSQL
    # re-checks the row, so a case another runner anonymised meanwhile (or put on hold) is passed over.
    # NO KEY UPDATE: the anonymisation changes no key, so the KEY SHARE locks of foreign-key checks do not block it.
    lock = "FOR NO KEY UPDATE SKIP LOCKED"
    while True:
        async with sessionmaker() as session:
            rows = await session.execute(
                text(f"SELECT id, bureau_id {_EXPIRED} AND NOT legal_hold ORDER BY closed_on, id LIMIT :n {lock}"),
                {**params, "n": batch},
            )
            cases = rows.all()
            if not cases:
                await session.rollback()
                if lock == "FOR NO KEY UPDATE":
                    break
                lock = "FOR NO KEY UPDATE"
                continue
            for case_id, bureau_id in cases:
                await anonymise_case(session, bureau_id, case_id)
                _audit(session, bureau_id, case_id, settings.retention_days)
                result.anonymised.append(str(case_id))
            await commit(session, [])
        RETENTION.labels("anonymised").inc(len(cases))
    for table in ("audit_log", "access_log"):
        while True:
            async with sessionmaker() as session:
                deleted = await _delete_old_log_rows(session, table, log_cutoff, batch)
                await commit(session, [])
            setattr(result, _FIELD[table], getattr(result, _FIELD[table]) + deleted)
            RETENTION.labels(f"{table}_deleted").inc(deleted)
            if deleted < batch:
                break
    RETENTION.labels("on_hold").inc(len(result.on_hold))
    return result
