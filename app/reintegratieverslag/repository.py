"""SQL of the RIV check: the facts the compliance loader does not read (medical-status versions, document
references), the cases whose RIV falls due in a range, and what the export shows."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson
from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.cases.models import Case
from app.compliance.models import ComplianceItem, ComplianceSnapshot
from app.compliance.repository import (
    _MILESTONES,
    _REPORTS,
    _TRACKS,
    CaseRows,
    PortfolioQuery,
    _selected_cases,
    _valid_snapshot,
    item_valid,
)
from app.core.db import session_raw_connection
from app.organizations.models import OrganizationKind

_MEDICAL = """
    SELECT case_id, id, milestone_id, assessed_on FROM medical_status_versions
    WHERE bureau_id = ANY($1::uuid[]) AND case_id = ANY($2::uuid[]) AND milestone_id IS NOT NULL
    ORDER BY version
"""
_DOCUMENTS = """
    SELECT case_id, id, kind, title, dated_on, supplied_by, signed_by, bsn_on_document, media_type, size_bytes,
           sha256, milestone_id, created_at
    FROM document_references
    WHERE bureau_id = ANY($1::uuid[]) AND case_id = ANY($2::uuid[])
    ORDER BY created_at, id
"""
_CASES = """
    SELECT id, bureau_id, external_ref, absence_periods::text AS absence_periods, leave_periods::text AS leave_periods,
           closed_on, employee_bsn_masked IS NOT NULL AS bsn_known, arbodienst_id
    FROM cases WHERE id = ANY($1::uuid[]) AND {visible} = $2
"""
_VISIBLE_COLUMN = {
    OrganizationKind.reintegratiebureau: "bureau_id",
    OrganizationKind.werkgever: "employer_id",
    OrganizationKind.arbodienst: "arbodienst_id",
}


@dataclass(slots=True)
class Loaded:
    """The facts of the caller's cases (as the compliance loader has them) and what the check reads beside them."""

    rows: list[CaseRows]
    cases: dict[uuid.UUID, Mapping[str, Any]]
    medical: dict[uuid.UUID, list[Mapping[str, Any]]]
    documents: dict[uuid.UUID, list[Mapping[str, Any]]]


async def load(session: AsyncSession, principal: Principal, case_ids: list[uuid.UUID]) -> Loaded:
    """Every fact of these cases that the caller sees, in six plain statements however many cases: the
    compliance loader's three (milestones, tracks, reports) and the check's own."""
    connection = await session_raw_connection(session)
    query = _CASES.format(visible=_VISIBLE_COLUMN[principal.kind])
    arguments: list[Any] = [case_ids, principal.organization_id]
    if principal.partner_bureau_id is not None:  # a partner key: only its issuing bureau's cases
        query += " AND bureau_id = $3"
        arguments.append(principal.partner_bureau_id)
    found = await connection.fetch(query, *arguments)
    cases = {row["id"]: row for row in sorted(found, key=lambda r: r["id"])}
    rows = {
        case_id: CaseRows(
            case_id,
            row["bureau_id"],
            row["external_ref"],
            orjson.loads(row["absence_periods"]),
            orjson.loads(row["leave_periods"]),
            row["closed_on"],
        )
        for case_id, row in cases.items()
    }
    if not rows:
        return Loaded([], {}, {}, {})
    bureaus = sorted({row["bureau_id"] for row in cases.values()})
    ids = list(rows)
    for statement, attribute in ((_MILESTONES, "milestones"), (_TRACKS, "tracks"), (_REPORTS, "reports")):
        for fact in await connection.fetch(statement, bureaus, ids):
            getattr(rows[fact["case_id"]], attribute).append(fact)
    medical: dict[uuid.UUID, list[Mapping[str, Any]]] = {case_id: [] for case_id in ids}
    for row in await connection.fetch(_MEDICAL, bureaus, ids):
        medical[row["case_id"]].append(row)
    documents: dict[uuid.UUID, list[Mapping[str, Any]]] = {case_id: [] for case_id in ids}
    for row in await connection.fetch(_DOCUMENTS, bureaus, ids):
        documents[row["case_id"]].append(row)
    return Loaded(list(rows.values()), cases, medical, documents)


async def cases_due_between(session: AsyncSession, query: PortfolioQuery, first: date, last: date) -> list[uuid.UUID]:
    """The selected cases whose valid snapshot has the RIV due in [first, last]: the candidates of the portfolio
    (the check then decides each exactly)."""
    item, snap = ComplianceItem, ComplianceSnapshot
    rows = await session.scalars(
        select(item.case_id)
        .join(snap, and_(snap.case_id == item.case_id, snap.bureau_id == item.bureau_id))
        .join(Case, and_(Case.id == item.case_id, Case.bureau_id == item.bureau_id))
        .where(
            *_selected_cases(query),
            _valid_snapshot(query),
            item_valid(query.as_of),
            item.code == "reintegratieverslag",
            item.due_on >= first,
            item.due_on <= last,
        )
    )
    return list(rows)
