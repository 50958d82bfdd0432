"""Wire shapes of monthly progress reports: the typed content of domain section 6, never medical details."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from app.core.schemas import DossierDate, InputModel, Name, ReadModel
from app.proposals.schemas import ProposalSummary
from app.tracks.schemas import Spoor

Period = Annotated[
    str,
    StringConstraints(pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$"),
    Field(description="The reporting month, `YYYY-MM`", examples=["2025-07"]),
]
ReportStatus = Literal["draft", "submitted"]
GoalStatus = Literal["not_started", "on_track", "behind", "achieved", "not_achievable"]
BelastbaarheidSource = Literal["bedrijfsarts", "arbeidsdeskundige", "verzekeringsarts", "anders"]
Text1 = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
Text0 = Annotated[str, StringConstraints(max_length=4000)]
_MAX_ITEMS = 50


class GoalProgress(InputModel):
    goal: Text1 = Field(description="A goal of the plan van aanpak")
    status: GoalStatus
    deviation: Text1 | None = Field(default=None, description="How and why the month deviated from the plan")


class Belastbaarheid(InputModel):
    """What the employee can and cannot do, in functional terms only (no diagnosis, symptoms or treatment)."""

    description: Annotated[str, StringConstraints(min_length=1, max_length=4000)]
    hours_per_week: int | None = Field(default=None, ge=0, le=60, description="Workable hours per week")
    source: BelastbaarheidSource = Field(description="Who assessed it")
    assessed_on: DossierDate = Field(description="Date of the assessment; not in the future")


class Activity(InputModel):
    description: Text1
    on: DossierDate | None = Field(default=None, description="Day of the activity, within the reporting month")


class Bottleneck(InputModel):
    bottleneck: Text1
    measure: Text1 | None = Field(default=None, description="The measure proposed or taken")


class NextStep(InputModel):
    action: Text1
    due_on: DossierDate = Field(description="When it is to be done")
    responsible: Name | None = Field(default=None, description="Who acts, e.g. `werknemer` or `jobcoach`")


class _Content(InputModel):
    plan_progress: list[GoalProgress] | None = Field(
        default=None, max_length=_MAX_ITEMS, description="Progress per goal of the plan van aanpak"
    )
    belastbaarheid: Belastbaarheid | None = None
    activities: list[Activity] | None = Field(default=None, max_length=_MAX_ITEMS)
    houding_en_gedrag: Text0 | None = Field(
        default=None, description="Attitude and cooperation of the employee, stated factually"
    )
    bottlenecks: list[Bottleneck] | None = Field(default=None, max_length=_MAX_ITEMS)
    next_steps: list[NextStep] | None = Field(default=None, max_length=_MAX_ITEMS)
    employee_comments: Text0 | None = Field(default=None, description="The employee's own comments")


class ReportCreate(_Content):
    """A draft report for one month of the track; content may follow in PATCHes."""

    period: Period


class ReportUpdate(_Content):
    """Any subset of the content (a list or object replaces the stored one; `null` clears it). Drafts only."""

    period: Period | None = None


class ReportSubmit(InputModel):
    submitted_on: DossierDate | None = Field(
        default=None,
        description="Default today. An earlier date records a report already sent (back-office import); never a "
        "future date, never before the first day of the period.",
    )


class GoalProgressRead(ReadModel):
    goal: str
    status: GoalStatus
    deviation: str | None


class BelastbaarheidRead(ReadModel):
    description: str
    hours_per_week: int | None
    source: BelastbaarheidSource
    assessed_on: date


class ActivityRead(ReadModel):
    description: str
    on: date | None


class BottleneckRead(ReadModel):
    bottleneck: str
    measure: str | None


class NextStepRead(ReadModel):
    action: str
    due_on: date
    responsible: str | None


class ReportRead(ReadModel):
    id: uuid.UUID
    track_id: uuid.UUID
    case_id: uuid.UUID
    bureau_id: uuid.UUID
    spoor: Spoor
    period: str = Field(description="The reporting month, `YYYY-MM`")
    status: ReportStatus = Field(description="`draft` until submitted; a submitted report is immutable")
    submitted_on: date | None
    plan_progress: list[GoalProgressRead]
    belastbaarheid: BelastbaarheidRead | None
    activities: list[ActivityRead]
    houding_en_gedrag: str | None
    bottlenecks: list[BottleneckRead]
    next_steps: list[NextStepRead]
    employee_comments: str | None
    candidate_proposals: list[ProposalSummary] = Field(
        description="The track's proposals with proposed_on in the period; live while a draft, as sent once submitted"
    )
    version: int
    created_at: datetime
    updated_at: datetime
