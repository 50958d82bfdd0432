"""Rules of cases: who may do what, period validation, BSN handling, versions and audit."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app import poortwachter
from app.audit.service import CaseParties, record_access, record_change
from app.auth.principal import Principal
from app.cases import repository
from app.cases.models import Case
from app.cases.schemas import (
    AbsencePeriod,
    CaseClose,
    CaseCreate,
    CaseRead,
    CaseStatus,
    CaseUpdate,
    EmployeeRead,
    LeavePeriod,
)
from app.core.crypto import encrypt, mask_bsn
from app.core.db import RawConnection
from app.core.errors import Code, Conflict, NotFound, Unprocessable
from app.core.etag import check_version
from app.core.pagination import created_key, encode_cursor
from app.milestones import repository as milestones
from app.organizations import repository as organizations
from app.organizations.models import OrganizationKind

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def today() -> date:
    """The date in the Netherlands: the legal deadlines are Dutch calendar days."""
    return datetime.now(AMSTERDAM).date()


def parties(case: Case) -> CaseParties:
    return CaseParties(
        case_id=case.id,
        bureau_id=case.bureau_id,
        employer_id=case.employer_id,
        arbodienst_id=case.arbodienst_id,
    )


def shows_bsn(principal: Principal | None) -> bool:
    """Whether case reads show the (masked) BSN; None: the full read shape, for the audit log."""
    # The arbodienst has no use for the BSN, so it does not even see the masked form.
    return principal is None or principal.kind is not OrganizationKind.arbodienst


def to_read(case: Case, principal: Principal | None) -> CaseRead:
    """The case as `principal` may see it (None: the full read shape, for the audit log)."""
    masked = case.employee_bsn_masked if shows_bsn(principal) else None
    return CaseRead(
        id=case.id,
        bureau_id=case.bureau_id,
        employer_id=case.employer_id,
        arbodienst_id=case.arbodienst_id,
        external_ref=case.external_ref,
        employee=EmployeeRead(name=case.employee_name, date_of_birth=case.employee_date_of_birth, bsn_masked=masked),
        absence_periods=case.absence_periods,
        leave_periods=case.leave_periods,
        employer_is_wga_eigenrisicodrager=case.employer_is_wga_eigenrisicodrager,
        employer_case_manager=case.employer_case_manager,
        status=case.status,
        first_sick_day=case.first_sick_day,
        closed_on=case.closed_on,
        close_reason=case.close_reason,
        legal_hold=case.legal_hold,
        anonymised_at=case.anonymised_at,
        version=case.version,
        created_at=case.created_at,
        updated_at=case.updated_at,
    )


def _audit_shape(case: Case) -> dict[str, Any]:
    return to_read(case, None).model_dump(mode="json")


async def load_visible(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, *, for_update: bool = False
) -> Case:
    """The case if the caller sees it; 404 otherwise, exactly as for a case that does not exist."""
    case = await repository.get_visible(session, principal, case_id, for_update=for_update)
    if case is None:
        raise NotFound("No such case.")
    return case


def _validated_periods(
    absence: list[AbsencePeriod], leave: list[LeavePeriod]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], date]:
    periods = tuple(poortwachter.Period(p.first_day, p.last_day) for p in absence)
    leaves = tuple(poortwachter.Leave(p.first_day, p.last_day) for p in leave)
    try:
        poortwachter.check_absence_periods(periods)
        poortwachter.check_leave_periods(periods, leaves)
    except poortwachter.CaseFactsError as exc:
        # The rules name fields as `absence_periods[1]`; our problems use dotted paths.
        field = exc.field.replace("[", ".").rstrip("]")
        raise Unprocessable(str(exc), field=field) from None
    return (
        [p.model_dump(mode="json") for p in absence],
        [p.model_dump(mode="json") for p in leave],
        periods[0].first_day,
    )


async def _check_party(
    session: AsyncSession, principal: Principal, org_id: uuid.UUID, kind: OrganizationKind, field: str
) -> None:
    # Remembered for the transaction: a bulk import names the same employer on thousands of cases.
    checked: set[tuple[uuid.UUID, uuid.UUID, OrganizationKind]] = session.info.setdefault("checked_parties", set())
    if (principal.organization_id, org_id, kind) in checked:
        return
    org = await organizations.get_visible(session, principal.organization_id, org_id)
    if org is None or org.kind is not kind:
        raise Unprocessable(f"{field} must be a {kind.value} you registered (POST /v1/organizations).", field=field)
    checked.add((principal.organization_id, org_id, kind))


async def _check_external_ref_free(
    session: AsyncSession, bureau_id: uuid.UUID, external_ref: str | None, case_id: uuid.UUID | None = None
) -> None:
    if external_ref is None:
        return
    existing = await repository.find_by_external_ref(session, bureau_id, external_ref)
    if existing is not None and existing.id != case_id:
        raise Conflict(
            f"external_ref {external_ref!r} is already used by case {existing.id}.",
            code=Code.external_ref_taken,
            existing_id=str(existing.id),
        )


async def _flush_unique(session: AsyncSession, bureau_id: uuid.UUID, external_ref: str | None) -> None:
    """Flush; a concurrent insert of the same external_ref turns into the same 409 as the pre-check."""
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        await _check_external_ref_free(session, bureau_id, external_ref)
        raise


async def create(session: AsyncSession, principal: Principal, data: CaseCreate) -> CaseRead:
    """Create a case; its answer shows the case (and masked BSN): a read, logged as such."""
    return _answered(session, principal, await add(session, principal, data))


async def add(session: AsyncSession, principal: Principal, data: CaseCreate) -> Case:
    """Create a case; answers the row (a bulk import records the case's facts on it)."""
    principal.require(OrganizationKind.reintegratiebureau, action="create cases")
    await _check_party(session, principal, data.employer_id, OrganizationKind.werkgever, "employer_id")
    if data.arbodienst_id is not None:
        await _check_party(session, principal, data.arbodienst_id, OrganizationKind.arbodienst, "arbodienst_id")
    await _check_external_ref_free(session, principal.organization_id, data.external_ref)
    absence, leave, first_day = _validated_periods(data.absence_periods, data.leave_periods)
    bsn = data.employee.bsn
    case = Case(
        id=uuid.uuid4(),
        bureau_id=principal.organization_id,
        employer_id=data.employer_id,
        arbodienst_id=data.arbodienst_id,
        external_ref=data.external_ref,
        employee_name=data.employee.name,
        employee_date_of_birth=data.employee.date_of_birth,
        employee_bsn_encrypted=encrypt(bsn) if bsn else None,
        employee_bsn_masked=mask_bsn(bsn) if bsn else None,
        absence_periods=absence,
        leave_periods=leave,
        first_sick_day=first_day,
        employer_is_wga_eigenrisicodrager=data.employer_is_wga_eigenrisicodrager,
        employer_case_manager=data.employer_case_manager,
        status="open",
        version=1,
    )
    session.add(case)
    # The INSERT's RETURNING brings the server defaults (created_at, updated_at): no read back.
    await _flush_unique(session, principal.organization_id, data.external_ref)
    # The employer and arbodienst may look up the bureau that handles their case.
    await organizations.link(session, data.employer_id, principal.organization_id)
    if data.arbodienst_id is not None:
        await organizations.link(session, data.arbodienst_id, principal.organization_id)
    record_change(
        session,
        principal,
        action="created",
        entity_type="case",
        entity_id=case.id,
        case=parties(case),
        after=_audit_shape(case),
    )
    return case


# The hot reads, as JSON bytes straight from the raw connection's rows (design section 9): the CaseRead shape
# that `to_read` gives (tests/test_case_reads.py holds them to it) at a fraction of the cost. The connection is
# taken only around the one statement each read needs; the JSON is built after its release.
Connect = Callable[[], AbstractAsyncContextManager[RawConnection]]
_JSON_OPTIONS = orjson.OPT_UTC_Z  # pydantic writes UTC timestamps with `Z`


def _uuid(value: uuid.UUID | None) -> str | None:
    # asyncpg's UUID is a subclass that orjson does not serialise natively.
    return None if value is None else str(value)


def _read_json(row: Mapping[str, Any], show_bsn: bool) -> dict[str, Any]:
    """The CaseRead shape of a row of repository.fetch_*; JSON columns arrive as text and pass through."""
    return {
        "id": str(row["id"]),
        "bureau_id": str(row["bureau_id"]),
        "employer_id": str(row["employer_id"]),
        "arbodienst_id": _uuid(row["arbodienst_id"]),
        "external_ref": row["external_ref"],
        "employee": {
            "name": row["employee_name"],
            "date_of_birth": row["employee_date_of_birth"],
            "bsn_masked": row["employee_bsn_masked"] if show_bsn else None,
        },
        "absence_periods": orjson.Fragment(row["absence_periods"]),
        "leave_periods": orjson.Fragment(row["leave_periods"]),
        "employer_is_wga_eigenrisicodrager": row["employer_is_wga_eigenrisicodrager"],
        "employer_case_manager": row["employer_case_manager"],
        "status": row["status"],
        "first_sick_day": row["first_sick_day"],
        "closed_on": row["closed_on"],
        "close_reason": row["close_reason"],
        "legal_hold": row["legal_hold"],
        "anonymised_at": row["anonymised_at"],
        "version": row["version"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


async def get_json(connect: Connect, principal: Principal, case_id: uuid.UUID, path: str) -> tuple[bytes, int]:
    """One case as JSON, and its version; the read is logged (NEN 7513) with `path`."""
    show_bsn = shows_bsn(principal)
    async with connect() as connection:
        row = await repository.fetch_visible(connection, principal, case_id, log_read_at=path, show_bsn=show_bsn)
    if row is None:
        raise NotFound("No such case.")
    return orjson.dumps(_read_json(row, show_bsn), option=_JSON_OPTIONS), row["version"]


async def list_json(
    connect: Connect,
    principal: Principal,
    *,
    status: CaseStatus | None,
    employer_id: uuid.UUID | None,
    arbodienst_id: uuid.UUID | None,
    external_ref: str | None,
    updated_since: datetime | None,
    cursor: str | None,
    limit: int,
    path: str,
) -> bytes:
    """A page of the caller's cases as JSON (Page[CaseRead]); each answered case is logged as read."""
    after = created_key(cursor)
    show_bsn = shows_bsn(principal)
    async with connect() as connection:
        rows = await repository.fetch_page(
            connection,
            principal,
            filters={
                "status": status,
                "employer_id": employer_id,
                "arbodienst_id": arbodienst_id,
                "external_ref": external_ref,
            },
            updated_since=updated_since,
            after=after,
            limit=limit,
            log_reads_at=path,
            show_bsn=show_bsn,
        )
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if more and rows else None
    page = {
        "items": [_read_json(row, show_bsn) for row in rows],
        "next_cursor": encode_cursor(last["created_at"].isoformat(), last["id"]) if last else None,
    }
    return orjson.dumps(page, option=_JSON_OPTIONS)


async def update(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, expected_version: int, data: CaseUpdate
) -> CaseRead:
    case = await load_visible(session, principal, case_id, for_update=True)
    principal.require(OrganizationKind.reintegratiebureau, action="change a case")
    check_version(expected_version, case.version)
    if case.status == "closed":
        raise Conflict("The case is closed; it can no longer be changed.", code=Code.case_closed)
    if case.anonymised_at is not None:  # erased (app/retention): its personal data must not come back
        raise Conflict("The case is anonymised; it can no longer be changed.", code=Code.case_anonymised)
    before = _audit_shape(case)
    changes = data.model_fields_set
    for required in ("employer_id", "absence_periods", "leave_periods", "employer_is_wga_eigenrisicodrager"):
        if required in changes and getattr(data, required) is None:
            raise Unprocessable(f"{required} cannot be null.", field=required)
    if "employer_id" in changes and data.employer_id != case.employer_id:
        assert data.employer_id is not None
        await _check_party(session, principal, data.employer_id, OrganizationKind.werkgever, "employer_id")
        case.employer_id = data.employer_id
        await organizations.link(session, data.employer_id, principal.organization_id)
    if "arbodienst_id" in changes and data.arbodienst_id != case.arbodienst_id:
        if data.arbodienst_id is not None:
            await _check_party(session, principal, data.arbodienst_id, OrganizationKind.arbodienst, "arbodienst_id")
            await organizations.link(session, data.arbodienst_id, principal.organization_id)
        case.arbodienst_id = data.arbodienst_id
    if "external_ref" in changes and data.external_ref != case.external_ref:
        await _check_external_ref_free(session, case.bureau_id, data.external_ref, case.id)
        case.external_ref = data.external_ref
    if "absence_periods" in changes or "leave_periods" in changes:
        absence = data.absence_periods if "absence_periods" in changes else None
        leave = data.leave_periods if "leave_periods" in changes else None
        current_absence = [AbsencePeriod.model_validate(p) for p in case.absence_periods]
        current_leave = [LeavePeriod.model_validate(p) for p in case.leave_periods]
        case.absence_periods, case.leave_periods, case.first_sick_day = _validated_periods(
            absence or current_absence, leave if leave is not None else current_leave
        )
        earliest = await milestones.earliest_dated_fact(session, case.bureau_id, case.id)
        if earliest is not None and earliest < case.first_sick_day:
            raise Unprocessable(
                f"The first sick day would fall after a recorded milestone or track start ({earliest}).",
                field="absence_periods",
            )
    if data.employee is not None:
        employee = data.employee.model_fields_set
        for required in ("name", "date_of_birth"):
            if required in employee and getattr(data.employee, required) is None:
                raise Unprocessable(f"employee.{required} cannot be null.", field=f"employee.{required}")
        if data.employee.name is not None:
            case.employee_name = data.employee.name
        if data.employee.date_of_birth is not None:
            case.employee_date_of_birth = data.employee.date_of_birth
        if "bsn" in employee:
            bsn = data.employee.bsn
            case.employee_bsn_encrypted = encrypt(bsn) if bsn else None
            case.employee_bsn_masked = mask_bsn(bsn) if bsn else None
    if data.employer_is_wga_eigenrisicodrager is not None:
        case.employer_is_wga_eigenrisicodrager = data.employer_is_wga_eigenrisicodrager
    if "employer_case_manager" in changes:
        case.employer_case_manager = data.employer_case_manager
    return await _save(session, principal, case, before, action="updated")


async def close(session: AsyncSession, principal: Principal, case_id: uuid.UUID, data: CaseClose) -> CaseRead:
    case = await load_visible(session, principal, case_id, for_update=True)
    principal.require(OrganizationKind.reintegratiebureau, action="close a case")
    if case.status == "closed":
        raise Conflict(f"The case was already closed on {case.closed_on}.", code=Code.case_closed)
    if data.closed_on < case.first_sick_day:
        raise Unprocessable("closed_on is before the first sick day.", field="closed_on")
    before = _audit_shape(case)
    case.status, case.closed_on, case.close_reason = "closed", data.closed_on, data.reason
    return await _save(session, principal, case, before, action="closed")


async def _save(
    session: AsyncSession, principal: Principal, case: Case, before: dict[str, Any], *, action: str
) -> CaseRead:
    case.version += 1
    case.updated_at = func.clock_timestamp()
    await _flush_unique(session, case.bureau_id, case.external_ref)
    await session.refresh(case)
    record_change(
        session,
        principal,
        action=action,
        entity_type="case",
        entity_id=case.id,
        case=parties(case),
        before=before,
        after=_audit_shape(case),
    )
    return _answered(session, principal, case)


def log_replayed_answer(session: AsyncSession, principal: Principal, answer: dict[str, Any]) -> None:
    """A replayed create (Idempotency-Key) shows the case again, masked BSN included: logged like the first answer."""
    employee = answer.get("employee") or {}
    record_access(
        session,
        principal,
        CaseParties(
            case_id=uuid.UUID(answer["id"]),
            bureau_id=uuid.UUID(answer["bureau_id"]),
            employer_id=uuid.UUID(answer["employer_id"]),
            arbodienst_id=uuid.UUID(answer["arbodienst_id"]) if answer.get("arbodienst_id") else None,
        ),
        what="bsn" if employee.get("bsn_masked") else "case",
    )


def _answered(session: AsyncSession, principal: Principal, case: Case) -> CaseRead:
    """The case as answered to a write: a read of its personal data too, logged as such."""
    read = to_read(case, principal)
    record_access(session, principal, parties(case), what="bsn" if read.employee.bsn_masked else "case")
    return read
