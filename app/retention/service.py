"""Legal hold, erasure and export of one case (bureau only): the AVG rights of the employee."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import func, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record_access, record_change
from app.auth.principal import Principal
from app.cases.models import Case
from app.cases.service import load_visible, parties
from app.core.crypto import decrypt
from app.core.errors import Conflict
from app.organizations.models import OrganizationKind
from app.retention.anonymise import anonymise_case
from app.retention.schemas import CaseExport, ErasureRead, ErasureRequest, LegalHoldChange, LegalHoldRead


def _hold(case: Case) -> LegalHoldRead:
    return LegalHoldRead(
        case_id=case.id, legal_hold=case.legal_hold, reason=case.legal_hold_reason, set_at=case.legal_hold_set_at
    )


async def _bureau_case(session: AsyncSession, principal: Principal, case_id: uuid.UUID, action: str) -> Case:
    case = await load_visible(session, principal, case_id, for_update=True)
    principal.require(OrganizationKind.reintegratiebureau, action=action)
    return case


async def get_legal_hold(session: AsyncSession, principal: Principal, case_id: uuid.UUID) -> LegalHoldRead:
    case = await load_visible(session, principal, case_id)
    principal.require(OrganizationKind.reintegratiebureau, action="read a legal hold")
    return _hold(case)


async def set_legal_hold(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, data: LegalHoldChange
) -> LegalHoldRead:
    case = await _bureau_case(session, principal, case_id, "set or clear a legal hold")
    if case.anonymised_at is not None and data.legal_hold:
        raise Conflict("The case is already anonymised: there is nothing left to hold.")
    before = {"legal_hold": case.legal_hold}
    case.legal_hold = data.legal_hold
    case.legal_hold_reason = data.reason if data.legal_hold else None
    case.legal_hold_set_at = func.clock_timestamp() if data.legal_hold else None
    case.version += 1
    case.updated_at = func.clock_timestamp()
    await session.flush()
    await session.refresh(case)
    record_change(
        session,
        principal,
        action="legal_hold_set" if data.legal_hold else "legal_hold_cleared",
        entity_type="case",
        entity_id=case.id,
        case=parties(case),
        before=before,
        after={"legal_hold": case.legal_hold, "reason": data.reason},
        employer_may_see=False,
        arbodienst_may_see=False,
    )
    return _hold(case)


async def erase(session: AsyncSession, principal: Principal, case_id: uuid.UUID, data: ErasureRequest) -> ErasureRead:
    case = await _bureau_case(session, principal, case_id, "erase a case")
    if case.legal_hold:
        raise Conflict(
            f"The case is on legal hold ({case.legal_hold_reason}); clear the hold before erasing it.",
            legal_hold=True,
            legal_hold_reason=case.legal_hold_reason,
        )
    rows = await anonymise_case(session, case.bureau_id, case.id)
    await session.refresh(case)
    assert case.anonymised_at is not None
    # Who erased, when and why; no personal data (the rows written before are blanked above).
    after = {"reason": data.reason, "anonymised_at": case.anonymised_at.isoformat()}
    record_change(
        session, principal, action="erased", entity_type="case", entity_id=case.id, case=parties(case), after=after
    )
    return ErasureRead(case_id=case.id, anonymised_at=case.anonymised_at, rows=rows)


# Of the rows of each table, the column that orders them in time (the first one present).
_TIME_COLUMNS = ("created_at", "at", "occurred_at", "pushed_at", "recorded_at", "computed_at")


async def export(session: AsyncSession, principal: Principal, case_id: uuid.UUID, path: str) -> CaseExport:
    case = await load_visible(session, principal, case_id)
    principal.require(OrganizationKind.reintegratiebureau, action="export a case")
    # The export reads every kind of personal data the access log knows (its `what` is a closed enum for
    # clients): one row each, with the export's path.
    for what in ("bsn", "medical_status", "audit_log"):
        record_access(session, principal, parties(case), what=what, path=path)
    row = (
        await session.execute(
            text("SELECT (to_jsonb(c) - 'employee_bsn_encrypted')::text FROM cases c WHERE bureau_id = :b AND id = :c"),
            {"b": case.bureau_id, "c": case.id},
        )
    ).scalar_one()
    case_json: dict[str, Any] = orjson.loads(row)
    case_json["employee_bsn"] = decrypt(case.employee_bsn_encrypted) if case.employee_bsn_encrypted else None
    columns = await session.execute(
        text(
            """
            SELECT table_name, array_agg(column_name::text ORDER BY ordinal_position)
            FROM information_schema.columns WHERE table_schema = current_schema()
            GROUP BY table_name
            HAVING 'case_id' = ANY(array_agg(column_name::text)) AND 'bureau_id' = ANY(array_agg(column_name::text))
            ORDER BY table_name
            """
        )
    )
    records: dict[str, list[dict[str, Any]]] = {}
    for table, names in columns.all():
        order = next((c for c in _TIME_COLUMNS if c in names), None)
        # A table without a time or id column (calendar_occurrences) is ordered by its rows' content: the outer
        # query cannot see the inner one's ctid.
        order_by = ", ".join(c for c in (order, "id" if "id" in names else None) if c) or "to_jsonb(t)::text"
        rows = await session.execute(
            text(
                f"SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY {order_by}), '[]')::text FROM "
                f"(SELECT * FROM {table} WHERE bureau_id = :b AND case_id = :c) t"
            ),
            {"b": case.bureau_id, "c": case.id},
        )
        records[table] = orjson.loads(rows.scalar_one())
    return CaseExport(exported_at=datetime.now(UTC), case=case_json, records=records)
