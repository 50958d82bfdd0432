"""Rules of the medical status: only the case's arbodienst pushes, versions guard against lost updates, an
assessment becomes its milestone in the same transaction, and every read is logged (NEN 7513)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record_access, record_change
from app.auth.principal import Principal
from app.cases import service as cases
from app.cases.models import Case
from app.core.errors import (
    Conflict,
    Forbidden,
    InvalidCursor,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    Unprocessable,
)
from app.core.etag import check_version, require_version
from app.core.pagination import Page, decode_cursor, paginate
from app.medical import repository
from app.medical.models import RETURN_PROGNOSES, MedicalStatusVersion
from app.medical.schemas import (
    AUDIT_FIELDS,
    PUSHED_FIELDS,
    AssessmentKind,
    FunctionalCapacitiesRead,
    MedicalStatusPut,
    MedicalStatusRead,
)
from app.milestones import repository as milestones_repository
from app.milestones import service as milestones
from app.milestones.schemas import MilestoneCreate, ProbleemanalyseCreate, SimpleMilestoneCreate
from app.organizations.models import OrganizationKind

# The milestone each kind of assessment records (domain section 4: the bedrijfsarts facts).
ASSESSMENT_MILESTONE: dict[AssessmentKind, str] = {
    "probleemanalyse": "probleemanalyse",
    "bijstelling": "bijstellingsadvies",
    "actueel_oordeel": "actueel_oordeel",
}


class Pushed(NamedTuple):
    status: MedicalStatusRead
    created: bool  # the case's first medical status


def to_read(row: MedicalStatusVersion) -> MedicalStatusRead:
    hours = row.available_hours_per_week
    return MedicalStatusRead(
        id=row.id,
        case_id=row.case_id,
        version=row.version,
        functional_capacities=FunctionalCapacitiesRead.model_validate(row.functional_capacities),
        available_hours_per_week=float(hours) if hours is not None else None,
        prognosis=row.prognosis,
        expected_return_on=row.expected_return_on,
        adjustment_advice=row.adjustment_advice,
        assessed_on=row.assessed_on,
        assessment_kind=row.assessment_kind,
        bedrijfsarts_name=row.bedrijfsarts_name,
        milestone_id=row.milestone_id,
        pushed_by_organization_id=row.pushed_by_organization_id,
        pushed_by_key_id=row.pushed_by_key_id,
        pushed_at=row.pushed_at,
    )


def _audit_shape(row: MedicalStatusVersion | None) -> dict[str, Any] | None:
    """The functional fields and the version, nothing else (no one's keys, no free-form extras)."""
    return to_read(row).model_dump(mode="json", include=set(AUDIT_FIELDS)) if row is not None else None


def _check_preconditions(current: MedicalStatusVersion | None, if_match: str | None, if_none_match: str | None) -> None:
    """First push: no If-Match (or `If-None-Match: *`); every later push: If-Match with the current ETag."""
    if if_none_match is not None and if_none_match.strip() != "*":
        raise Unprocessable("If-None-Match accepts only `*`.", field="If-None-Match", location="header")
    if if_match is not None:
        expected = require_version(if_match)
        if current is None:
            raise PreconditionFailed(
                "This case has no medical status yet: push the first one without If-Match (or with If-None-Match: *)."
            )
        check_version(expected, current.version)
    if current is None:
        return
    if if_none_match is not None:
        raise PreconditionFailed(
            f"This case already has a medical status (version {current.version}); send If-Match with its ETag.",
            current_version=current.version,
        )
    if if_match is None:
        raise PreconditionRequired(
            f"This case already has a medical status (version {current.version}); send If-Match with its ETag."
        )


def _validate(case: Case, data: MedicalStatusPut) -> None:
    if data.assessed_on < case.first_sick_day:
        raise Unprocessable(f"assessed_on is before the first sick day ({case.first_sick_day}).", field="assessed_on")
    if data.assessed_on > cases.today():
        raise Unprocessable("assessed_on is in the future; push an assessment once it took place.", field="assessed_on")
    if data.expected_return_on is not None:
        if data.prognosis not in RETURN_PROGNOSES:
            raise Unprocessable(
                f"expected_return_on is only given with a prognosis of {' or '.join(RETURN_PROGNOSES)}.",
                field="expected_return_on",
            )
        if data.expected_return_on < data.assessed_on:
            raise Unprocessable("expected_return_on is before assessed_on.", field="expected_return_on")
    hours = data.available_hours_per_week
    if data.prognosis == "geen_benutbare_mogelijkheden" and hours is not None and hours > 0:
        raise Unprocessable(
            "With geen_benutbare_mogelijkheden there are no available hours (0 or null).",
            field="available_hours_per_week",
        )


async def _assessment_milestone(
    session: AsyncSession, principal: Principal, case: Case, data: MedicalStatusPut
) -> uuid.UUID | None:
    """The milestone of the pushed assessment: the one already recorded for that kind and date, or a new one."""
    if data.assessment_kind is None:
        return None
    milestone_type = ASSESSMENT_MILESTONE[data.assessment_kind]
    recorded = await milestones_repository.list_for_case(
        session, case.bureau_id, case.id, type=milestone_type, include_voided=False
    )
    for milestone in recorded:
        if milestone.occurred_on == data.assessed_on:
            return milestone.id
    note = "Pushed with the medical status"
    fact: MilestoneCreate
    if milestone_type == "probleemanalyse":
        # The pushed prognosis is the oordeel of Regeling 4(1): no usable possibilities means no plan van aanpak.
        fact = ProbleemanalyseCreate(
            type="probleemanalyse",
            occurred_on=data.assessed_on,
            note=note,
            geen_benutbare_mogelijkheden=data.prognosis == "geen_benutbare_mogelijkheden",
        )
    else:
        fact = SimpleMilestoneCreate.model_validate(
            {"type": milestone_type, "occurred_on": data.assessed_on, "note": note}
        )
    new = await milestones.add(session, principal, case, fact)
    return new.id


async def push(
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    data: MedicalStatusPut,
    *,
    if_match: str | None,
    if_none_match: str | None,
) -> Pushed:
    # The case row lock serializes pushes on one case, so two first pushes cannot both see "no status yet".
    case = await cases.load_visible(session, principal, case_id, for_update=True)
    if principal.kind is not OrganizationKind.arbodienst:
        raise Forbidden("Only the case's arbodienst pushes the medical status.")
    current = await repository.current(session, case.bureau_id, case.id)
    _check_preconditions(current, if_match, if_none_match)
    if case.status == "closed":
        raise Conflict("The case is closed; its medical status can no longer change.")
    _validate(case, data)
    pushed = data.model_dump(mode="json")
    if current is not None and to_read(current).model_dump(mode="json", include=set(PUSHED_FIELDS)) == pushed:
        return Pushed(to_read(current), created=False)  # PUT is idempotent: the same status is no new version
    row = MedicalStatusVersion(
        id=uuid.uuid4(),
        case_id=case.id,
        bureau_id=case.bureau_id,
        version=current.version + 1 if current else 1,
        functional_capacities=pushed["functional_capacities"],
        available_hours_per_week=(
            Decimal(str(data.available_hours_per_week)) if data.available_hours_per_week is not None else None
        ),
        prognosis=data.prognosis,
        expected_return_on=data.expected_return_on,
        adjustment_advice=data.adjustment_advice,
        assessed_on=data.assessed_on,
        assessment_kind=data.assessment_kind,
        bedrijfsarts_name=data.bedrijfsarts_name,
        milestone_id=await _assessment_milestone(session, principal, case, data),
        pushed_by_organization_id=principal.organization_id,
        pushed_by_key_id=principal.key_id,
    )
    session.add(row)
    await session.flush()
    await session.refresh(row)
    record_change(
        session,
        principal,
        action="created" if current is None else "updated",
        entity_type="medical_status",
        entity_id=row.id,
        case=cases.parties(case),
        before=_audit_shape(current),
        after=_audit_shape(row),
        # Functional information only: the employer may know it (domain section 5), the arbodienst wrote it.
        employer_may_see=True,
        arbodienst_may_see=True,
    )
    return Pushed(to_read(row), created=current is None)


async def get(session: AsyncSession, principal: Principal, case_id: uuid.UUID, *, path: str) -> MedicalStatusRead:
    case = await cases.load_visible(session, principal, case_id)
    current = await repository.current(session, case.bureau_id, case.id)
    if current is None:
        raise NotFound("This case has no medical status yet.")
    record_access(session, principal, cases.parties(case), what="medical_status", path=path)
    return to_read(current)


async def history(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, *, path: str, cursor: str | None, limit: int
) -> Page[MedicalStatusRead]:
    case = await cases.load_visible(session, principal, case_id)
    key = decode_cursor(cursor, 1)
    if key is not None and not (key[0].isdigit() and len(key[0]) <= 12):
        raise InvalidCursor()
    after = int(key[0]) if key else None
    rows = await repository.history(session, case.bureau_id, case.id, after=after, limit=limit + 1)
    record_access(session, principal, cases.parties(case), what="medical_status", path=path)
    return paginate(rows, limit, lambda r: (r.version,), to_read)
