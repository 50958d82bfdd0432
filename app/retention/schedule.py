"""The background jobs of this package: the daily retention pass and the outstanding-obligations gauge."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import text, update

from app.background import Job, JobContext, claim_once
from app.core.db import commit
from app.core.metrics import JOB_LAST_SUCCESS, JOB_RUNS, OUTSTANDING_OBLIGATIONS
from app.poortwachter import OBLIGATION_PARTIES
from app.poortwachter.snapshot import RULES_VERSION
from app.retention.job import run_retention
from app.retention.models import RetentionRun


async def retention_pass(ctx: JobContext) -> bool:
    """Once a day, in one process of one replica (a row per day in retention_runs), the retention run. The claim
    commits at once and the run then works in short batches: a run cut short is completed by the next day's,
    which takes every expired case, not only that day's."""
    today = ctx.clock.today()
    async with ctx.sessionmaker() as session:
        claimed = await claim_once(session, RetentionRun, {"run_on": today})
        await commit(session, [])
    if not claimed:
        return False
    try:
        result = await run_retention(ctx.sessionmaker, ctx.settings, today)
    except Exception:
        JOB_RUNS.labels("retention", "failed").inc()
        raise
    async with ctx.sessionmaker() as session:
        await session.execute(
            update(RetentionRun)
            .where(RetentionRun.run_on == today)
            .values(finished_at=ctx.clock.now(), result=result.as_json_safe())
        )
        await commit(session, [])
    JOB_RUNS.labels("retention", "ok").inc()
    JOB_LAST_SUCCESS.labels("retention").set(time.time())
    return False


# Today's outstanding items over every bureau, from the status changes the compliance histories keep per bureau
# (app/compliance/models.py::ComplianceCount): one range sum, per status and code; the parties follow from the code.
_OUTSTANDING = """
SELECT status, code, sum(n) AS n FROM compliance_counts
WHERE rules_version = :rules AND report_grace_days = :grace AND on_date <= :today AND status IN ('open', 'overdue')
GROUP BY status, code HAVING sum(n) <> 0
"""
PARTIES = ("werkgever", "werknemer", "bedrijfsarts", "reintegratiebureau", "uwv")


async def outstanding_counts(ctx: JobContext) -> dict[tuple[str, str], int]:
    today = ctx.clock.today()
    async with ctx.sessionmaker() as session:
        rows = await session.execute(
            text(_OUTSTANDING),
            {"today": today, "rules": RULES_VERSION, "grace": ctx.settings.report_grace_days},
        )
        counts: dict[tuple[str, str], int] = {}
        for status, code, n in rows:
            for party in OBLIGATION_PARTIES[code]:
                counts[(status, party)] = counts.get((status, party), 0) + int(n)
        await session.rollback()
    return counts


async def obligations_gauge_pass(ctx: JobContext) -> bool:
    try:
        counts = await outstanding_counts(ctx)
    except Exception:
        JOB_RUNS.labels("obligations_gauge", "failed").inc()
        raise
    for status in ("open", "overdue"):
        for party in PARTIES:
            OUTSTANDING_OBLIGATIONS.labels(status, party).set(counts.get((status, party), 0))
    JOB_RUNS.labels("obligations_gauge", "ok").inc()
    JOB_LAST_SUCCESS.labels("obligations_gauge").set(time.time())
    return False


def jobs(settings: Any) -> list[Job]:
    found = [Job("obligations_gauge", obligations_gauge_pass, interval=60.0)]
    if settings.retention_enabled:
        found.append(Job("retention", retention_pass, interval=600.0))
    return found
