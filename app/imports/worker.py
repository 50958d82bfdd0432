"""The import worker: claims pending lines (FOR UPDATE SKIP LOCKED), creates their bundles, records each outcome.

The lines wait in the database: a restart (or a crash mid-batch, which rolls the batch back) resumes with the lines
still pending, and several processes share one import's lines without doing any twice. One transaction per batch
(a savepoint per bundle), with the compliance snapshots of the batch's cases refreshed once before its commit.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any, cast

import orjson
from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.auth.principal import Principal
from app.background import Job, JobContext, claim
from app.compliance.snapshots import refresh_changed
from app.core.db import commit, session_raw_connection
from app.imports import service
from app.imports.models import Import, ImportLine
from app.organizations.models import OrganizationKind

log = logging.getLogger("spoorwijzer.imports")

BATCH = 50  # bundles per transaction: large enough to amortise the commit and the snapshot refresh
_RECORD = (
    "UPDATE import_lines SET status = $3, result = $4::jsonb, payload = NULL WHERE import_id = $1 AND line_no = $2"
)


async def run_batch(
    sessionmaker: async_sessionmaker[AsyncSession], today: Callable[[], date], report_grace_days: int
) -> bool:
    """One batch of pending lines, oldest import first; True when there may be more."""
    async with sessionmaker() as session:
        pending = cast(
            "Select[Any]",  # claim() takes any select; its type parameter counts columns in SQLAlchemy 2.1
            select(ImportLine.import_id, ImportLine.line_no, ImportLine.payload)
            .where(ImportLine.status == "pending")
            .order_by(ImportLine.import_id, ImportLine.line_no)
            .limit(BATCH),
        )
        claimed = await claim(session, pending)
        if not claimed:
            await service.finish_done(session)
            await commit(session, [])
            return False
        jobs = {
            job.id: job
            for job in await session.scalars(select(Import).where(Import.id.in_({row.import_id for row in claimed})))
        }
        outcomes: list[tuple[uuid.UUID, int, str, str]] = []
        counts: dict[uuid.UUID, dict[str, int]] = defaultdict(lambda: {"created": 0, "existing": 0, "failed": 0})
        for row in claimed:
            job = jobs[row.import_id]
            principal = Principal(job.bureau_id, OrganizationKind.reintegratiebureau, job.key_id)
            status, result = await _one(session, principal, row.line_no, row.payload)
            outcomes.append((row.import_id, row.line_no, status, orjson.dumps(result).decode()))
            counts[row.import_id][status] += 1
        await (await session_raw_connection(session)).executemany(_RECORD, outcomes)
        for import_id, count in counts.items():
            await session.execute(
                update(Import)
                .where(Import.id == import_id)
                .values(
                    created=Import.created + count["created"],
                    existing=Import.existing + count["existing"],
                    failed=Import.failed + count["failed"],
                    status="running",
                    started_at=func.coalesce(Import.started_at, func.clock_timestamp()),
                )
            )
        await service.finish_done(session)
        await commit(session, [lambda s: refresh_changed(s, today(), report_grace_days)])
    return len(claimed) == BATCH


async def _one(session: AsyncSession, principal: Principal, line_no: int, payload: Any) -> tuple[str, dict[str, Any]]:
    try:
        async with session.begin_nested():
            bundle = service.unseal(payload)
            return await service.import_bundle(session, principal, bundle)
    except service.BundleProblem as problem:
        return "failed", problem.as_json()
    except Exception:
        # Not the bundle's fault (a bug, a lost connection): logged; the bundle is refused rather than retried for
        # ever. A lost connection fails the whole batch at its commit instead, and the lines stay pending.
        log.exception("import line %s failed unexpectedly", line_no)
        return "failed", {"status": 500, "field": None, "message": "The bundle could not be imported (internal error)."}


def job(report_grace_days: int, concurrency: int = 1) -> Job:
    """The import job: `concurrency` batches at once in this process (each on its own connection; SKIP LOCKED
    gives them different lines). A bundle's work is mostly round trips to PostgreSQL, so batches side by side
    keep both the process and the database busy (docs/performance.md)."""

    async def run(ctx: JobContext) -> bool:
        batches = [run_batch(ctx.sessionmaker, ctx.clock.today, report_grace_days) for _ in range(concurrency)]
        return any(await asyncio.gather(*batches))

    return Job(name="imports", run=run, interval=5.0, channel=service.CHANNEL)
