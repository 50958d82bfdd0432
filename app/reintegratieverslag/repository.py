"""SQL of the RIV check: the facts the compliance loader does not read (medical-status versions, document
references), the cases whose RIV falls due in a range, and what the export shows."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.cases.models import Case
from app.compliance.models import ComplianceItem, ComplianceSnapshot
from app.compliance.repository import PortfolioQuery, _selected_cases, _valid_snapshot
from app.core.db import session_raw_connection

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
    SELECT c.id, c.bureau_id, c.external_ref, c.employee_bsn_masked IS NOT NULL AS bsn_known, c.arbodienst_id
    FROM cases c WHERE c.bureau_id = ANY($1::uuid[]) AND c.id = ANY($2::uuid[])
"""


async def case_extras(
    session: AsyncSession, bureaus: list[uuid.UUID], case_ids: list[uuid.UUID]
) -> tuple[
    dict[uuid.UUID, Mapping[str, Any]],
    dict[uuid.UUID, list[Mapping[str, Any]]],
    dict[uuid.UUID, list[Mapping[str, Any]]],
]:
    """Per case: its row (BSN known, arbodienst), its medical-status versions and its document references."""
    connection = await session_raw_connection(session)
    cases = {row["id"]: row for row in await connection.fetch(_CASES, bureaus, case_ids)}
    medical: dict[uuid.UUID, list[Mapping[str, Any]]] = {case_id: [] for case_id in case_ids}
    for row in await connection.fetch(_MEDICAL, bureaus, case_ids):
        medical[row["case_id"]].append(row)
    documents: dict[uuid.UUID, list[Mapping[str, Any]]] = {case_id: [] for case_id in case_ids}
    for row in await connection.fetch(_DOCUMENTS, bureaus, case_ids):
        documents[row["case_id"]].append(row)
    return cases, medical, documents


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
            item.code == "reintegratieverslag",
            item.due_on >= first,
            item.due_on <= last,
        )
    )
    return list(rows)
