"""SQL for cases; every query carries the caller's visibility."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.cases.models import Case
from app.core.db import RawConnection
from app.core.logging import acting_user
from app.organizations.models import OrganizationKind


def visible_to(principal: Principal) -> ColumnElement[bool]:
    """The cases a caller sees (design section 2): its own as bureau, employer or arbodienst; with a partner key,
    only those of the bureau that issued the key."""
    if principal.kind is OrganizationKind.reintegratiebureau:
        own = Case.bureau_id == principal.organization_id
    elif principal.kind is OrganizationKind.werkgever:
        own = Case.employer_id == principal.organization_id
    else:
        own = Case.arbodienst_id == principal.organization_id
    if principal.partner_bureau_id is not None:
        return and_(own, Case.bureau_id == principal.partner_bureau_id)
    return own


async def get_visible(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, *, for_update: bool = False
) -> Case | None:
    query = select(Case).where(Case.id == case_id, visible_to(principal))
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def find_by_external_ref(session: AsyncSession, bureau_id: uuid.UUID, external_ref: str) -> Case | None:
    return await session.scalar(select(Case).where(Case.bureau_id == bureau_id, Case.external_ref == external_ref))


# The hot reads (design section 9): plain SQL on the raw pool's asyncpg connection, one statement each, the
# access-log rows of the BSN reads written by the same statement. Column names match the ORM model's.
_VISIBLE_COLUMN = {
    OrganizationKind.reintegratiebureau: "bureau_id",
    OrganizationKind.werkgever: "employer_id",
    OrganizationKind.arbodienst: "arbodienst_id",
}
_READ_COLUMNS = """id, bureau_id, employer_id, arbodienst_id, external_ref, employee_name, employee_date_of_birth,
employee_bsn_masked, absence_periods::text AS absence_periods, leave_periods::text AS leave_periods,
employer_is_wga_eigenrisicodrager, employer_case_manager, status, first_sick_day, closed_on, close_reason,
legal_hold, anonymised_at, version, created_at, updated_at"""
# Only these may be filtered on: the names go into the SQL text.
LIST_FILTERS = ("status", "employer_id", "arbodienst_id", "external_ref")


class _Params:
    """Positional parameters of one statement: `p(value)` keeps the value and answers its placeholder."""

    def __init__(self) -> None:
        self.values: list[Any] = []

    def __call__(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}"


def _log_reads(p: _Params, principal: Principal, path: str, rows: str, show_bsn: bool) -> str:
    """A CTE logging, in access_log, each of `rows` (NEN 7513: who read it, with which key, as which person):
    `bsn` where the answer shows its (masked) BSN, `case` otherwise."""
    what = "CASE WHEN employee_bsn_masked IS NOT NULL THEN 'bsn' ELSE 'case' END" if show_bsn else "'case'"
    return f""", logged AS (
    INSERT INTO access_log (bureau_id, case_id, actor_organization_id, actor_key_id, what, path, acting_user)
    SELECT bureau_id, id, {p(principal.organization_id)}, {p(principal.key_id)}, {what}, {p(path[:300])},
        {p(acting_user.get())}::varchar
    FROM {rows}
)"""


def _visible(p: _Params, principal: Principal) -> str:
    """`visible_to` in SQL text."""
    where = f"{_VISIBLE_COLUMN[principal.kind]} = {p(principal.organization_id)}"
    if principal.partner_bureau_id is not None:
        where += f" AND bureau_id = {p(principal.partner_bureau_id)}"
    return where


async def fetch_visible(
    connection: RawConnection, principal: Principal, case_id: uuid.UUID, *, log_read_at: str, show_bsn: bool
) -> Mapping[str, Any] | None:
    """One case (JSON columns as text) if the caller sees it; the read is logged in access_log with the path
    `log_read_at`, in the same statement."""
    p = _Params()
    where = f"{_visible(p, principal)} AND id = {p(case_id)}"
    log = _log_reads(p, principal, log_read_at, "c", show_bsn)
    query = f"WITH c AS (SELECT {_READ_COLUMNS} FROM cases WHERE {where}){log} SELECT * FROM c"
    return await connection.fetchrow(query, *p.values)


async def fetch_page(
    connection: RawConnection,
    principal: Principal,
    *,
    filters: dict[str, Any],
    updated_since: datetime | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
    log_reads_at: str,
    show_bsn: bool,
) -> list[Mapping[str, Any]]:
    """Up to `limit` + 1 visible cases in (created_at, id) order; the first `limit` are logged as read with the
    path `log_reads_at` (the extra row only tells whether there is a next page)."""
    p = _Params()
    where = [_visible(p, principal)]
    for column, value in filters.items():
        if value is not None:
            assert column in LIST_FILTERS
            where.append(f"{column} = {p(value)}")
    if updated_since is not None:
        where.append(f"updated_at >= {p(updated_since)}")
    if after is not None:
        where.append(f"(created_at, id) > ({p(after[0])}, {p(after[1])})")
    order = "ORDER BY created_at, id"
    query = f"WITH c AS (SELECT {_READ_COLUMNS} FROM cases WHERE {' AND '.join(where)} {order} LIMIT {p(limit + 1)})"
    answered = f"(SELECT * FROM c {order} LIMIT {p(limit)}) answered"
    query += _log_reads(p, principal, log_reads_at, answered, show_bsn)
    return await connection.fetch(f"{query} SELECT * FROM c {order}", *p.values)
