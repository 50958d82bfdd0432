"""SQL that loads the facts of one case or of every case a caller sees, in a fixed number of queries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal
from app.cases.models import Case
from app.cases.repository import visible_to
from app.milestones.models import Milestone
from app.reports.models import ProgressReport
from app.tracks.models import Track


@dataclass(slots=True)
class CaseRows:
    """One case's stored facts, as rows."""

    id: uuid.UUID
    external_ref: str | None
    absence_periods: list[dict[str, Any]]
    leave_periods: list[dict[str, Any]]
    closed_on: date | None
    milestones: list[Any] = field(default_factory=list)
    tracks: list[Any] = field(default_factory=list)
    reports: list[Any] = field(default_factory=list)


async def load(
    session: AsyncSession,
    principal: Principal,
    *,
    case_id: uuid.UUID | None = None,
    employer_id: uuid.UUID | None = None,
) -> list[CaseRows]:
    """The facts of the caller's cases (one case, or all, optionally of one employer): four queries in all."""
    where: list[ColumnElement[bool]] = [visible_to(principal)]
    if case_id is not None:
        where.append(Case.id == case_id)
    if employer_id is not None:
        where.append(Case.employer_id == employer_id)
    selected = select(Case.id).where(*where)

    case_rows = await session.execute(
        select(Case.id, Case.external_ref, Case.absence_periods, Case.leave_periods, Case.closed_on)
        .where(*where)
        .order_by(Case.id)
    )
    cases = {
        row.id: CaseRows(row.id, row.external_ref, row.absence_periods, row.leave_periods, row.closed_on)
        for row in case_rows
    }
    if not cases:
        return []

    # The facts join on the same visibility predicate instead of shipping thousands of ids back and forth.
    milestones = await session.execute(
        select(
            Milestone.case_id,
            Milestone.id,
            Milestone.type,
            Milestone.occurred_on,
            Milestone.until,
            Milestone.percentage,
            Milestone.obligation,
        ).where(Milestone.case_id.in_(selected))
    )
    for row in milestones:
        cases[row.case_id].milestones.append(row)
    tracks = await session.execute(
        select(Track.case_id, Track.id, Track.spoor, Track.started_on, Track.ended_on).where(
            Track.case_id.in_(selected)
        )
    )
    for track in tracks:
        cases[track.case_id].tracks.append(track)
    reports = await session.execute(
        select(
            ProgressReport.case_id,
            ProgressReport.id,
            ProgressReport.track_id,
            ProgressReport.period,
            ProgressReport.submitted_on,
        ).where(ProgressReport.case_id.in_(selected), ProgressReport.submitted_on.is_not(None))
    )
    for report in reports:
        cases[report.case_id].reports.append(report)
    return list(cases.values())
