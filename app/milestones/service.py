"""Rules of milestones: who may record which fact, and what makes a fact valid."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession

from app import poortwachter
from app.audit.service import record_access, record_change
from app.auth.principal import Principal
from app.cases import service as cases
from app.cases.facts import absence_periods, leave_periods
from app.cases.models import Case
from app.core.errors import Code, Conflict, Forbidden, NotFound, Unprocessable
from app.core.pagination import Page, dated_key, paginate
from app.milestones import repository
from app.milestones.models import Milestone
from app.milestones.schemas import GedeeltelijkeHervattingCreate, MilestoneCreate, MilestoneRead, MilestoneVoid
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


def _fact(data: MilestoneCreate) -> poortwachter.Milestone:
    """The rules' view of a milestone to record."""
    fields = data.model_dump(exclude={"type", "occurred_on", "note", "reason", "agreement", "hours_per_week"})
    if isinstance(data, GedeeltelijkeHervattingCreate):
        return poortwachter.Milestone(
            type=data.type, occurred_on=data.occurred_on, percentage=data.percentage, werk=data.werk
        )
    return poortwachter.Milestone(type=data.type, occurred_on=data.occurred_on, **fields)


def to_fact(row: Milestone) -> poortwachter.Milestone:
    """A stored milestone as the rules see it."""
    return poortwachter.Milestone(
        type=row.type,
        occurred_on=row.occurred_on,
        id=str(row.id),
        until=row.until,
        percentage=row.percentage,
        obligation=row.obligation,
        new_due_on=row.new_due_on,
        geen_benutbare_mogelijkheden=bool(row.geen_benutbare_mogelijkheden),
        casemanager=row.casemanager,
        hersteld=row.hersteld,
        uitkering=row.uitkering,
        werk=row.werk,
    )


async def _validate(session: AsyncSession, case: Case, data: MilestoneCreate) -> None:
    periods = absence_periods(case.absence_periods)
    leaves = leave_periods(case.leave_periods)
    recorded = [
        to_fact(m) for m in await repository.list_for_case(session, case.bureau_id, case.id, include_voided=False)
    ]
    try:
        # Domain section 4 (v2): each rule answers a 422 that names it.
        poortwachter.check_milestone(
            _fact(data), poortwachter.SickClock(periods, leaves), periods, leaves, recorded, cases.today()
        )
    except poortwachter.CaseFactsError as exc:
        raise Unprocessable(str(exc), field=exc.field, rule=exc.rule) from None


def to_read(milestone: Milestone) -> MilestoneRead:
    return MilestoneRead.model_validate(milestone)


async def record(
    session: AsyncSession, principal: Principal, case_id: uuid.UUID, data: MilestoneCreate
) -> MilestoneRead:
    case = await cases.load_visible(session, principal, case_id)
    return await record_on(session, principal, case, data)


async def record_on(session: AsyncSession, principal: Principal, case: Case, data: MilestoneCreate) -> MilestoneRead:
    """Record a milestone on a case the caller sees (already loaded: a bulk import's new case)."""
    if not may_record(principal.kind, data.type):
        raise Forbidden(f"A {principal.kind.value} may not record a {data.type} milestone.")
    await _validate(session, case, data)
    return await add(session, principal, case, data)


def _columns(data: MilestoneCreate) -> dict[str, Any]:
    """The type's own fields as columns (the rest stay null)."""
    columns = data.model_dump(exclude={"type", "occurred_on", "note"})
    if "hours_per_week" in columns:
        columns["hours_per_week"] = Decimal(str(round(columns["hours_per_week"], 2)))
    return columns


async def add(session: AsyncSession, principal: Principal, case: Case, data: MilestoneCreate) -> MilestoneRead:
    """Store a validated milestone with its audit row and event (also used by the medical-status push)."""
    milestone = Milestone(
        id=uuid.uuid4(),
        case_id=case.id,
        bureau_id=case.bureau_id,
        type=data.type,
        occurred_on=data.occurred_on,
        note=data.note,
        **_columns(data),
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


async def void(
    session: AsyncSession, principal: Principal, milestone_id: uuid.UUID, data: MilestoneVoid
) -> MilestoneRead:
    """Void a milestone recorded by mistake: it stays readable, the rules stop reading it (nothing is deleted)."""
    found = await repository.get_visible(session, principal, milestone_id, for_update=True)
    if found is None:
        raise NotFound("No such milestone.")
    milestone, case = found
    if not may_record(principal.kind, milestone.type):
        raise Forbidden(f"A {principal.kind.value} may not void a {milestone.type} milestone.")
    if milestone.voided_at is not None:
        raise Conflict(
            f"The milestone was already voided at {milestone.voided_at.isoformat()}.", code=Code.milestone_voided
        )
    before = to_read(milestone)
    milestone.voided_at = func.clock_timestamp()
    milestone.voided_by_organization_id = principal.organization_id
    milestone.voided_by_key_id = principal.key_id
    milestone.void_reason = data.reason
    await session.flush()
    await session.refresh(milestone)
    read = to_read(milestone)
    # A milestone is a compliance fact: this also refreshes the case's snapshot before the commit.
    record_change(
        session,
        principal,
        action="voided",
        entity_type="milestone",
        entity_id=milestone.id,
        case=cases.parties(case),
        before=before.model_dump(mode="json"),
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
