"""Keeping each case's compliance history current: recomputed in the transaction that changes its facts."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.compliance import repository
from app.compliance.facts import to_facts
from app.core.db import RawConnection, insert_rows, pop_changed_cases, session_raw_connection
from app.poortwachter import OBLIGATION_PARTIES
from app.poortwachter.engine import TraceItem
from app.poortwachter.obligations import SAMENTELLING_SUSPENSION_DAYS
from app.poortwachter.snapshot import (
    RULES_VERSION,
    HistoryRow,
    Version,
    history,
    listed_from,
    status_changes,
)

# How far ahead a snapshot answers; a reference date past it is evaluated directly (and correctly), only slower.
HORIZON = timedelta(days=3 * 365)

CountKey = tuple[uuid.UUID, int, int, date, str, str]  # compliance_counts' primary key


async def refresh_changed(session: AsyncSession, today: date, report_grace_days: int) -> None:
    """Before commit: recompute the snapshots of the cases this transaction changed."""
    changed = pop_changed_cases(session)
    if changed:
        await refresh(session, changed, today=today, report_grace_days=report_grace_days)


_STORED_SNAPSHOTS = """
    SELECT case_id, bureau_id, closed_on, rules_version, report_grace_days, version_starts, version_digests
    FROM compliance_snapshots WHERE bureau_id = ANY($2::uuid[]) AND case_id = ANY($1::uuid[])
"""
_STORED_ITEMS = """
    SELECT case_id, code, due_on, window_opens_on, overdue_after, completed_on, late_by_days, evidence_id,
           final_status, waiting_for, period, track_id, waived_through, lapses_with_pay, valid_from, valid_to,
           recovered_on, pay_ends_on
    FROM compliance_items WHERE bureau_id = ANY($2::uuid[]) AND case_id = ANY($1::uuid[])
"""
# Sorted keys: concurrent refreshes of one bureau lock the rows they share in one order (no deadlock).
_ADD_COUNTS = """
    INSERT INTO compliance_counts AS c (bureau_id, rules_version, report_grace_days, on_date, code, status, n)
    SELECT * FROM unnest($1::uuid[], $2::int[], $3::int[], $4::date[], $5::text[], $6::text[], $7::bigint[])
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (bureau_id, rules_version, report_grace_days, on_date, code, status) DO UPDATE SET n = c.n + EXCLUDED.n
"""


def _stored_versions(row: Any) -> list[Version]:
    return [Version(s, d) for s, d in zip(row["version_starts"], row["version_digests"], strict=True)]


def _stored_row(row: Any) -> HistoryRow:
    item = TraceItem(
        row["code"],
        row["due_on"],
        row["window_opens_on"],
        row["overdue_after"],
        row["completed_on"],
        row["late_by_days"],
        row["evidence_id"],
        row["final_status"],
        row["waiting_for"],
        row["period"],
        row["track_id"],
        row["waived_through"],
        row["lapses_with_pay"],
    )
    return HistoryRow(item, row["valid_from"], row["valid_to"], row["recovered_on"], row["pay_ends_on"])


async def refresh(session: AsyncSession, case_ids: Iterable[uuid.UUID], *, today: date, report_grace_days: int) -> int:
    """Replace the histories of these cases (and their share of the counts); answers how many were written."""
    ids = sorted(case_ids)
    # Concurrent writes to one case (two milestones, say) would each replace its snapshot from the facts they
    # see: the second insert collides with the first, or the snapshot misses a fact. The loader locks the cases,
    # so refreshes of a case run one after the other, each reading every committed fact.
    loaded = await repository.load_for_snapshots(session, ids)
    connection = await session_raw_connection(session)  # in the transaction the loader's lock began
    bureaus = sorted({rows.bureau_id for rows in loaded})  # the tenant key leads the indexes
    old_rows: dict[uuid.UUID, list[HistoryRow]] = {}
    for row in await connection.fetch(_STORED_ITEMS, ids, bureaus):
        old_rows.setdefault(row["case_id"], []).append(_stored_row(row))
    # Each history's share of the counts, old and new: rows both have (most of them, after a write) cancel out
    # and are not counted at all.
    shares: Counter[tuple[tuple[uuid.UUID, int, int], date | None, HistoryRow]] = Counter()
    old: dict[uuid.UUID, tuple[list[Version], int, int]] = {}
    for row in await connection.fetch(_STORED_SNAPSHOTS, ids, bureaus):
        old[row["case_id"]] = (_stored_versions(row), row["rules_version"], row["report_grace_days"])
        key = (row["bureau_id"], row["rules_version"], row["report_grace_days"])
        for history_row in old_rows.get(row["case_id"], []):
            shares[(key, row["closed_on"], history_row)] -= 1
    await connection.execute("DELETE FROM compliance_snapshots WHERE case_id = ANY($1::uuid[])", ids)

    snapshots: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    for rows in loaded:
        stored = old.get(rows.id)
        reusable = (
            (stored[0], old_rows.get(rows.id, []))
            if stored is not None and stored[1] == RULES_VERSION and stored[2] == report_grace_days
            else None
        )
        snapshot, versions, history_rows = history(
            to_facts(rows), today + HORIZON, report_grace_days=report_grace_days, stored=reusable
        )
        for history_row in history_rows:
            shares[((rows.bureau_id, RULES_VERSION, report_grace_days), snapshot.closed_on, history_row)] += 1
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
                "wachttijd_end": snapshot.wachttijd_end,
                "employment_end": snapshot.employment_end,
                "period_started_on": snapshot.period_started_on,
                "rules_version": RULES_VERSION,
                "report_grace_days": report_grace_days,
                "version_starts": [v.starts_on for v in versions],
                "version_digests": [v.digest for v in versions],
            }
        )
        items += [
            {
                "case_id": rows.id,
                "bureau_id": rows.bureau_id,
                "code": row.item.code,
                "parties": list(OBLIGATION_PARTIES[row.item.code]),
                "due_on": row.item.due_on,
                "window_opens_on": row.item.window_opens_on,
                "overdue_after": row.item.overdue_after,
                "listed_from": listed_from(row.item),
                "final_status": row.item.final_status,
                "waived_through": row.item.waived_through,
                "lapses_with_pay": row.item.lapses_with_pay,
                "completed_on": row.item.completed_on,
                "late_by_days": row.item.late_by_days,
                "evidence_id": row.item.evidence_id,
                "waiting_for": row.item.waiting_for,
                "period": row.item.period,
                "track_id": row.item.track_id,
                "valid_from": row.valid_from,
                "valid_to": row.valid_to,
                "recovered_on": row.recovered_on,
                "lapses_on": row.recovered_on + timedelta(days=SAMENTELLING_SUSPENSION_DAYS)
                if row.recovered_on
                else None,
                "pay_ends_on": row.pay_ends_on,
                "closed_on": snapshot.closed_on,
            }
            for row in history_rows
        ]
    # A write's refresh (one case, a few dozen rows) goes as a prepared batch; a bulk refresh as COPY.
    await insert_rows(connection, "compliance_snapshots", snapshots)
    await insert_rows(connection, "compliance_items", items)
    counts: Counter[CountKey] = Counter()
    for (key, closed_on, history_row), sign in shares.items():
        if sign:
            for day, status, delta in status_changes(history_row, closed_on):
                counts[(*key, day, history_row.item.code, status)] += sign * delta
    await _add_counts(connection, counts)
    return len(snapshots)


async def _add_counts(connection: RawConnection, counts: Counter[CountKey]) -> None:
    changed = sorted((key, n) for key, n in counts.items() if n)
    if not changed:
        return
    columns: list[list[Any]] = [[], [], [], [], [], [], []]
    for key, n in changed:
        for column, value in zip(columns, (*key, n), strict=True):
            column.append(value)
    await connection.execute(_ADD_COUNTS, *columns)


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
