"""SQL that loads the facts of one case or of every case a caller sees, in a fixed number of queries."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Select,
    String,
    Subquery,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.cases.models import Case
from app.cases.repository import visible_to
from app.compliance.models import ComplianceCount, ComplianceItem, ComplianceSnapshot
from app.core.db import session_raw_connection
from app.organizations.models import OrganizationKind
from app.poortwachter.snapshot import RULES_VERSION


@dataclass(slots=True)
class CaseRows:
    """One case's stored facts, as rows."""

    id: uuid.UUID
    bureau_id: uuid.UUID
    external_ref: str | None
    absence_periods: list[dict[str, Any]]
    leave_periods: list[dict[str, Any]]
    closed_on: date | None
    # Rows (mappings by column name) of the statements below.
    milestones: list[Mapping[str, Any]] = field(default_factory=list)
    tracks: list[Mapping[str, Any]] = field(default_factory=list)
    reports: list[Mapping[str, Any]] = field(default_factory=list)


async def load(
    session: AsyncSession,
    principal: Principal,
    *,
    case_id: uuid.UUID | None = None,
    employer_id: uuid.UUID | None = None,
    case_ids: list[uuid.UUID] | None = None,
) -> list[CaseRows]:
    """The facts of the caller's cases (one case, some, or all, optionally of one employer)."""
    where: list[ColumnElement[bool]] = [visible_to(principal)]
    if case_id is not None:
        where.append(Case.id == case_id)
    if employer_id is not None:
        where.append(Case.employer_id == employer_id)
    if case_ids is not None:
        where.append(Case.id.in_(case_ids))
    return await _load(session, where)


async def load_for_snapshots(session: AsyncSession, case_ids: list[uuid.UUID]) -> list[CaseRows]:
    """The facts of these cases, whoever's they are, with the cases locked (in id order, so no deadlocks):
    concurrent changes of one case then recompute its snapshot one after the other, each from every
    committed fact (see app/compliance/snapshots.py)."""
    return await _load(session, [Case.id.in_(case_ids)], lock=True)


_CASE_COLUMNS = (Case.id, Case.bureau_id, Case.external_ref, Case.absence_periods, Case.leave_periods, Case.closed_on)

# The facts: plain statements on the session's own connection, in its transaction. They run after every write of
# a fact (the snapshot refresh) and for every compliance read; the ORM's execution machinery cost more per
# statement than these index lookups (docs/performance.md). The tenant key leads each table's index (and is the
# distribution key on Citus, docs/scaling.md).
# A voided milestone is no fact: the rules never see it.
# Recording order: among facts of one day, the rules take the first recorded as evidence and the last recorded
# verlenging or loonsanctie as the one that counts.
_MILESTONES = """
    SELECT case_id, id, type, occurred_on, until, percentage, obligation, new_due_on,
           geen_benutbare_mogelijkheden, casemanager, hersteld, uitkering, werk FROM milestones
    WHERE bureau_id = ANY($1::uuid[]) AND case_id = ANY($2::uuid[]) AND voided_at IS NULL
    ORDER BY created_at, id
"""
_TRACKS = """
    SELECT case_id, id, spoor, started_on, ended_on FROM tracks
    WHERE bureau_id = ANY($1::uuid[]) AND case_id = ANY($2::uuid[])
    ORDER BY created_at, id
"""
_REPORTS = """
    SELECT case_id, id, track_id, period, submitted_on FROM progress_reports
    WHERE bureau_id = ANY($1::uuid[]) AND case_id = ANY($2::uuid[]) AND submitted_on IS NOT NULL
"""


async def _load(session: AsyncSession, where: list[ColumnElement[bool]], *, lock: bool = False) -> list[CaseRows]:
    """Four statements in all, however many cases."""
    query = select(*_CASE_COLUMNS).where(*where).order_by(Case.id)
    if lock:
        query = query.with_for_update(key_share=True)
    cases = {
        row.id: CaseRows(row.id, row.bureau_id, row.external_ref, row.absence_periods, row.leave_periods, row.closed_on)
        for row in await session.execute(query)
    }
    if not cases:
        return []
    bureaus = sorted({rows.bureau_id for rows in cases.values()})
    ids = list(cases)
    # The session has begun its transaction with the statement above: these run in it.
    connection = await session_raw_connection(session)
    for row in await connection.fetch(_MILESTONES, bureaus, ids):
        cases[row["case_id"]].milestones.append(row)
    for row in await connection.fetch(_TRACKS, bureaus, ids):
        cases[row["case_id"]].tracks.append(row)
    for row in await connection.fetch(_REPORTS, bureaus, ids):
        cases[row["case_id"]].reports.append(row)
    return list(cases.values())


@dataclass(frozen=True, slots=True)
class PortfolioQuery:
    """What the portfolio asks: the caller's cases (optionally one employer's) on a reference date."""

    principal: Principal
    as_of: date
    report_grace_days: int
    employer_id: uuid.UUID | None


def _selected_cases(query: PortfolioQuery) -> list[ColumnElement[bool]]:
    where = [visible_to(query.principal)]
    if query.employer_id is not None:
        where.append(Case.employer_id == query.employer_id)
    return where


def _valid_snapshot(query: PortfolioQuery) -> ColumnElement[bool]:
    return valid_snapshot(query.as_of, query.report_grace_days)


def valid_snapshot(as_of: date, report_grace_days: int) -> ColumnElement[bool]:
    """The stored history answers exactly for this reference date (see app/poortwachter/snapshot.py); its
    items answer for it when also item_valid(as_of)."""
    return and_(
        ComplianceSnapshot.valid_until >= as_of,
        ComplianceSnapshot.rules_version == RULES_VERSION,
        ComplianceSnapshot.report_grace_days == report_grace_days,
    )


def item_valid(as_of: date) -> ColumnElement[bool]:
    """The item belongs to the version of its case's history that answers for `as_of`."""
    return and_(ComplianceItem.valid_from <= as_of, ComplianceItem.valid_to > as_of)


def item_status(as_of: date) -> ColumnElement[str]:
    """A stored item's status on `as_of`, as snapshot.status_on has it, from the item's own row (the case state
    of its version: recovery day, end of the pay; the case's closing)."""
    item = ComplianceItem
    return case(
        (item.final_status.is_not(None), item.final_status),
        (item.waived_through >= as_of, literal("waived")),
        (item.closed_on <= as_of, literal("lapsed")),
        (item.lapses_on <= as_of, literal("lapsed")),
        (and_(item.lapses_with_pay, item.pay_ends_on < as_of), literal("lapsed")),
        (item.recovered_on <= as_of, literal("suspended")),
        (item.overdue_after < as_of, literal("overdue")),
        (item.window_opens_on <= as_of, literal("open")),
        else_=literal("upcoming"),
    )


def whole_bureau(query: PortfolioQuery) -> uuid.UUID | None:
    """The bureau whose every case is selected (its own portfolio, unfiltered), else None."""
    if query.principal.kind is OrganizationKind.reintegratiebureau and query.employer_id is None:
        return query.principal.organization_id
    return None


def coverage_statement(query: PortfolioQuery) -> Select[int, int]:
    """The number of selected cases, and how many of them have a history valid on the reference date: for a
    bureau's whole portfolio two index-only range counts; else one pass over the selected cases."""
    snap = ComplianceSnapshot
    bureau = whole_bureau(query)
    if bureau is not None:
        cases = select(func.count()).select_from(Case).where(*_selected_cases(query)).scalar_subquery()
        covered = (
            select(func.count()).select_from(snap).where(snap.bureau_id == bureau, _valid_snapshot(query))
        ).scalar_subquery()
        return select(cases.label("cases"), covered.label("covered"))
    return (
        select(func.count().label("cases"), func.count(snap.case_id).label("covered"))
        .select_from(Case)
        .outerjoin(snap, and_(snap.case_id == Case.id, snap.bureau_id == Case.bureau_id, _valid_snapshot(query)))
        .where(*_selected_cases(query))
    )


async def coverage(session: AsyncSession, query: PortfolioQuery) -> tuple[int, int]:
    """(selected cases, of which covered by a history valid on the reference date), in one statement."""
    row = (await session.execute(coverage_statement(query))).one()
    return int(row.cases), int(row.covered)


def cases_without_snapshot_statement(query: PortfolioQuery) -> Select[Any]:
    snap = ComplianceSnapshot
    return (
        select(Case.id)
        .outerjoin(snap, and_(snap.case_id == Case.id, snap.bureau_id == Case.bureau_id, _valid_snapshot(query)))
        .where(*_selected_cases(query), snap.case_id.is_(None))
    )


async def cases_without_snapshot(session: AsyncSession, query: PortfolioQuery) -> list[uuid.UUID]:
    """The selected cases whose history is missing, of other rules or not valid on the reference date."""
    return list(await session.scalars(cases_without_snapshot_statement(query)))


def bureau_counts_statement(query: PortfolioQuery, bureau_id: uuid.UUID) -> Select[str, str, int]:
    c = ComplianceCount
    total = func.sum(c.n)
    return (
        select(c.status, c.code, total.label("n"))
        .where(
            c.bureau_id == bureau_id,
            c.rules_version == RULES_VERSION,
            c.report_grace_days == query.report_grace_days,
            c.on_date <= query.as_of,
        )
        .group_by(c.status, c.code)
        .having(total != 0)
    )


async def bureau_counts(session: AsyncSession, query: PortfolioQuery, bureau_id: uuid.UUID) -> list[Any]:
    """(status, code, count) on the reference date over every history of the bureau: one range sum over the
    status changes (compliance_counts), however many cases. Exact when every case is covered (coverage)."""
    return list(await session.execute(bureau_counts_statement(query, bureau_id)))


FINAL_STATUSES = frozenset({"done", "waived"})


def _stored_items(
    query: PortfolioQuery, statuses: set[str] | frozenset[str] = FINAL_STATUSES, *, alone: uuid.UUID | None = None
) -> Subquery:
    """Stored items valid on the reference date with their status on it, as snapshot.status_on has it (from the
    case state of the item's version: recovery day, end of the pay; closing is the case's)."""
    as_of = query.as_of
    item, snap = ComplianceItem, ComplianceSnapshot
    status = item_status(as_of)
    where = [item_valid(as_of)]
    if alone is None:
        where += [*_selected_cases(query), _valid_snapshot(query)]
    if not statuses & FINAL_STATUSES:
        where.append(item.final_status.is_(None))  # the outstanding ones: the partial index of pending items
    where.append(or_(item.listed_from.is_(None), item.listed_from <= as_of))
    if query.principal.kind is OrganizationKind.reintegratiebureau:
        where.append(item.bureau_id == query.principal.organization_id)  # lets the (bureau_id, due_on) index work
    columns = [
        item.case_id,
        item.code,
        item.parties,
        item.due_on,
        item.window_opens_on,
        item.completed_on,
        item.late_by_days,
        item.evidence_id,
        item.waiting_for,
        item.period,
        item.track_id,
        item.overdue_after,
        status.label("status"),
    ]
    if alone is not None:
        # Every case of the bureau has a history valid on as_of (coverage): its items alone, no join.
        return select(*columns).where(*where).subquery("stored")
    return (
        select(
            *columns,
            Case.external_ref,
        )
        .join(Case, and_(Case.id == item.case_id, Case.bureau_id == item.bureau_id))
        .join(snap, and_(snap.case_id == Case.id, snap.bureau_id == Case.bureau_id))
        .where(*where)
        .subquery("stored")
    )


def _order_key(stored: Subquery) -> tuple[ColumnElement[Any], ...]:
    # Byte order ("C") so that SQL and Python (the directly evaluated cases) sort alike.
    return (
        stored.c.due_on,
        cast(stored.c.case_id, Text).collate("C"),
        stored.c.code.collate("C"),
        func.coalesce(stored.c.period, "").collate("C"),
        func.coalesce(stored.c.track_id, "").collate("C"),
    )


def stored_rows_statement(
    query: PortfolioQuery,
    *,
    statuses: set[str],
    parties: set[str] | None,
    due_before: date | None,
    after: tuple[date, str, str, str, str] | None,
    limit: int,
    covered: bool = False,
) -> Select[Any]:
    """The page. When every case of a bureau's whole portfolio is `covered` the items are filtered and ordered
    alone (the planner walks the pending items' (bureau_id, due_on) index and stops after the page: with the
    joins inside it sometimes drove from every case instead), and the page's rows get their case afterwards."""
    bureau = whole_bureau(query) if covered else None
    stored = _stored_items(query, statuses, alone=bureau)
    key = _order_key(stored)
    select_rows = select(stored).where(stored.c.status.in_(statuses))
    if parties:
        select_rows = select_rows.where(stored.c.parties.overlap(cast(sorted(parties), ARRAY(String))))
    if due_before is not None:
        select_rows = select_rows.where(stored.c.due_on < due_before)
    if after is not None:
        select_rows = select_rows.where(tuple_(*key) > tuple_(*after))
    select_rows = select_rows.order_by(*key).limit(limit)
    if bureau is None:
        return select_rows
    page = select_rows.subquery("page")
    return (
        select(page, Case.external_ref)
        .join(Case, and_(Case.id == page.c.case_id, Case.bureau_id == bureau))
        .order_by(*_order_key(page))
    )


async def stored_rows(session: AsyncSession, query: PortfolioQuery, **filters: Any) -> list[Any]:
    """The page's stored rows: `filters` as stored_rows_statement takes them."""
    return list(await session.execute(stored_rows_statement(query, **filters)))


def stored_counts_statement(query: PortfolioQuery) -> Select[Any]:
    stored = _stored_items(query)
    return select(stored.c.status, stored.c.code, func.count().label("n")).group_by(stored.c.status, stored.c.code)


async def stored_counts(session: AsyncSession, query: PortfolioQuery) -> list[Any]:
    """(status, code, count) over every stored item of the selected cases (one employer's, say)."""
    return list(await session.execute(stored_counts_statement(query)))


async def cases_needing_snapshot(
    session: AsyncSession, today: date, report_grace_days: int, rules_version: int, *, everything: bool, batch: int
) -> list[list[uuid.UUID]]:
    """Ids of cases without a current snapshot (or all cases), in batches."""
    query = select(Case.id).order_by(Case.id)
    if not everything:
        current = and_(
            ComplianceSnapshot.case_id == Case.id,
            ComplianceSnapshot.rules_version == rules_version,
            ComplianceSnapshot.report_grace_days == report_grace_days,
            ComplianceSnapshot.valid_until > today,
        )
        query = query.outerjoin(ComplianceSnapshot, current).where(ComplianceSnapshot.case_id.is_(None))
    ids = list(await session.scalars(query))
    return [ids[i : i + batch] for i in range(0, len(ids), batch)]
