"""Keeping each case's compliance snapshot current: recomputed in the transaction that changes its facts."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.compliance import repository
from app.compliance.facts import to_facts
from app.core.db import insert_rows, pop_changed_cases, session_raw_connection
from app.poortwachter import OBLIGATION_PARTIES
from app.poortwachter.obligations import SAMENTELLING_SUSPENSION_DAYS
from app.poortwachter.snapshot import RULES_VERSION, listed_from, take_snapshot

# How far ahead a snapshot answers; a reference date past it is evaluated directly (and correctly), only slower.
HORIZON = timedelta(days=3 * 365)


async def refresh_changed(session: AsyncSession, today: date, report_grace_days: int) -> None:
    """Before commit: recompute the snapshots of the cases this transaction changed."""
    changed = pop_changed_cases(session)
    if changed:
        await refresh(session, changed, today=today, report_grace_days=report_grace_days)


async def refresh(session: AsyncSession, case_ids: Iterable[uuid.UUID], *, today: date, report_grace_days: int) -> int:
    """Replace the snapshots of these cases; answers how many were written."""
    ids = sorted(case_ids)
    # Concurrent writes to one case (two milestones, say) would each replace its snapshot from the facts they
    # see: the second insert collides with the first, or the snapshot misses a fact. The loader locks the cases,
    # so refreshes of a case run one after the other, each reading every committed fact.
    loaded = await repository.load_for_snapshots(session, ids)
    connection = await session_raw_connection(session)  # in the transaction the loader's lock began
    await connection.execute("DELETE FROM compliance_snapshots WHERE case_id = ANY($1::uuid[])", ids)
    snapshots: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    for rows in loaded:
        snapshot = take_snapshot(to_facts(rows), today + HORIZON, report_grace_days=report_grace_days)
        snapshots.append(
            {
                "case_id": rows.id,
                "bureau_id": rows.bureau_id,
                "facts_through": snapshot.facts_through,
                "valid_until": snapshot.valid_until,
                "recovered_on": snapshot.recovered_on,
                "lapses_on": snapshot.recovered_on + timedelta(days=SAMENTELLING_SUSPENSION_DAYS)
                if snapshot.recovered_on
                else None,
                "closed_on": snapshot.closed_on,
                "pay_ends_on": snapshot.pay_ends_on,
                "rules_version": RULES_VERSION,
                "report_grace_days": report_grace_days,
            }
        )
        items += [
            {
                "case_id": rows.id,
                "bureau_id": rows.bureau_id,
                "code": item.code,
                "parties": list(OBLIGATION_PARTIES[item.code]),
                "due_on": item.due_on,
                "window_opens_on": item.window_opens_on,
                "overdue_after": item.overdue_after,
                "listed_from": listed_from(item),
                "final_status": item.final_status,
                "waived_through": item.waived_through,
                "lapses_with_pay": item.lapses_with_pay,
                "completed_on": item.completed_on,
                "late_by_days": item.late_by_days,
                "evidence_id": item.evidence_id,
                "waiting_for": item.waiting_for,
                "period": item.period,
                "track_id": item.track_id,
            }
            for item in snapshot.items
        ]
    # A write's refresh (one case, a dozen items) goes as a prepared batch; a bulk refresh as COPY.
    await insert_rows(connection, "compliance_snapshots", snapshots)
    await insert_rows(connection, "compliance_items", items)
    return len(snapshots)


async def refresh_stale(
    session: AsyncSession,
    today: date,
    report_grace_days: int,
    *,
    everything: bool = False,
    batch: int = 500,
    after_batch: Callable[[], Awaitable[None]] | None = None,
) -> dict[str, int]:
    """Recompute missing or outdated snapshots (or all), in batches; answers how many were written.

    `after_batch` runs after each batch: the command commits there, so that a run over every case never holds
    the cases' locks, or a transaction that holds back the change feed, for longer than one batch.
    """
    written = 0
    for ids in await repository.cases_needing_snapshot(
        session, today, report_grace_days, RULES_VERSION, everything=everything, batch=batch
    ):
        written += await refresh(session, ids, today=today, report_grace_days=report_grace_days)
        if after_batch is not None:
            await after_batch()
    return {"refreshed": written}
