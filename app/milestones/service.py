"""Rules of milestones: who may record which fact, and what makes a fact valid."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app import poortwachter
from app.audit.service import record_access, record_change
from app.auth.principal import Principal
from app.cases import service as cases
from app.cases.facts import sick_clock
from app.cases.models import Case
from app.core.errors import Forbidden, NotFound, Unprocessable
from app.core.pagination import Page, dated_key, paginate
from app.milestones import repository
from app.milestones.models import Milestone
from app.milestones.schemas import (
    AfwijkingCreate,
    ExtensionMilestoneCreate,
    MilestoneCreate,
    MilestoneRead,
    WiaBeslissingCreate,
)
from app.organizations.models import OrganizationKind
from app.poortwachter.facts import BEDRIJFSARTS_MILESTONES

# Domain section 4: the bureau records everything for its cases; bedrijfsarts facts come from the arbodienst,
# employer, employee and UWV facts from the employer.
_BUREAU = OrganizationKind.reintegratiebureau


def may_record(kind: OrganizationKind, milestone_type: str) -> bool:
    if kind is _BUREAU:
        return True
    if milestone_type in BEDRIJFSARTS_MILESTONES:
        return kind is OrganizationKind.arbodienst
    return kind is OrganizationKind.werkgever


def _validate(case: Case, data: MilestoneCreate) -> None:
    statutory_end = poortwachter.statutory_wachttijd_end(sick_clock(case.absence_periods, case.leave_periods))
    fact = poortwachter.Milestone(
        type=data.type,
        occurred_on=data.occurred_on,
        until=data.until if isinstance(data, ExtensionMilestoneCreate) else None,
        percentage=data.percentage if isinstance(data, WiaBeslissingCreate) else None,
        obligation=data.obligation if isinstance(data, AfwijkingCreate) else None,
    )
    try:
        # The rules' own checks: not before D, a loonsanctie at most 52 weeks past E, ...
        poortwachter.check_milestone(fact, case.first_sick_day, statutory_end)
    except poortwachter.CaseFactsError as exc:
        raise Unprocessable(str(exc), field=exc.field) from None
    if isinstance(data, ExtensionMilestoneCreate):
        if data.until <= data.occurred_on:
            raise Unprocessable("until must be after occurred_on.", field="until")
        # Both extend beyond the statutory wachttijd; an earlier end is a typing error, not a decision.
        if data.until <= statutory_end:
            raise Unprocessable(f"until must be after the end of the wachttijd ({statutory_end}).", field="until")


def to_read(milestone: Milestone) -> MilestoneRead:
    return MilestoneRead.model_validate(milestone)


async def record(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, data: MilestoneCreate
) -> MilestoneRead:
    case = await cases.load_visible(session, principal, case_id)
    if not may_record(principal.kind, data.type):
        raise Forbidden(f"A {principal.kind.value} may not record a {data.type} milestone.")
    _validate(case, data)
    return await add(session, principal, case, data)


async def add(session: AsyncSession, principal: Principal, case: Case, data: MilestoneCreate) -> MilestoneRead:
    """Store a validated milestone with its audit row and event (also used by the medical-status push)."""
    milestone = Milestone(
        id=uuid.uuid4(),
        case_id=case.id,
        bureau_id=case.bureau_id,
        type=data.type,
        occurred_on=data.occurred_on,
        note=data.note,
        until=data.until if isinstance(data, ExtensionMilestoneCreate) else None,
        percentage=data.percentage if isinstance(data, WiaBeslissingCreate) else None,
        obligation=data.obligation if isinstance(data, AfwijkingCreate) else None,
        reason=data.reason if isinstance(data, AfwijkingCreate) else None,
        recorded_by_organization_id=principal.organization_id,
        recorded_by_key_id=principal.key_id,
    )
    session.add(milestone)
    await session.flush()  # created_at comes back in the INSERT's RETURNING (eager defaults)
    read = to_read(milestone)
    record_change(
        session,
        principal,
        action="recorded",
        entity_type="milestone",
        entity_id=milestone.id,
        case=cases.parties(case),
        after=read.model_dump(mode="json"),
    )
    return read


async def list_page(
    session: AsyncSession,
    principal: Principal,
    case_id: uuid.UUID,
    *,
    type: str | None,
    cursor: str | None,
    limit: int,
) -> Page[MilestoneRead]:
    case = await cases.load_visible(session, principal, case_id)
    rows = await repository.list_for_case(
        session, case.bureau_id, case.id, type=type, after=dated_key(cursor), limit=limit + 1
    )
    page = paginate(rows, limit, lambda m: (m.occurred_on.isoformat(), m.id), to_read)
    _log_personal_reads(session, principal, case, page.items)
    return page


def _log_personal_reads(session: AsyncSession, principal: Principal, case: Case, read: list[MilestoneRead]) -> None:
    """A milestone with a note (free text about the employee) or a WIA percentage is personal data: its read is
    logged (NEN 7513); dates alone are not."""
    if any(m.note or m.percentage is not None for m in read):
        record_access(session, principal, cases.parties(case), what="milestone")


async def get(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, milestone_id: uuid.UUID
) -> MilestoneRead:
    case = await cases.load_visible(session, principal, case_id)
    milestone = await repository.get_for_case(session, case.bureau_id, case.id, milestone_id)
    if milestone is None:
        raise NotFound("No such milestone.")
    read = to_read(milestone)
    _log_personal_reads(session, principal, case, [read])
    return read
