"""Wire shapes of milestones: a union discriminated on `type` (design section 7)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from app.core.schemas import DossierDate, InputModel, ReadModel, ShortText
from app.poortwachter.facts import MilestoneType, ObligationCode

SimpleType = Literal[
    "probleemanalyse",
    "bijstellingsadvies",
    "actueel_oordeel",
    "plan_van_aanpak",
    "casemanager",
    "voortgangsgesprek",
    "bijstelling_plan_van_aanpak",
    "ziekmelding_uwv",
    "eerstejaarsevaluatie",
    "eindevaluatie",
    "reintegratieverslag",
    "wia_aanvraag",
    "wia_kennisgeving",
]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class _MilestoneBase(InputModel):
    occurred_on: DossierDate = Field(description="The day the fact happened; not before the first sick day")
    note: ShortText | None = None


class SimpleMilestoneCreate(_MilestoneBase):
    """A dossier fact with a date only."""

    type: SimpleType


class ExtensionMilestoneCreate(_MilestoneBase):
    """A UWV decision that runs until a date: verlenging loondoorbetaling (WIA 24) or loonsanctie (WIA 25(9))."""

    type: Literal["verlenging_loondoorbetaling", "loonsanctie"]
    until: DossierDate = Field(description="Verlenging: the new end of the wachttijd; loonsanctie: its last day")


class WiaBeslissingCreate(_MilestoneBase):
    """UWV's WIA decision."""

    type: Literal["wia_beslissing"]
    percentage: int = Field(ge=0, le=100, description="Degree of incapacity (arbeidsongeschiktheid), percent")


class AfwijkingCreate(_MilestoneBase):
    """A reasoned decision not to meet an obligation (gemotiveerd afwijken, Regeling procesgang art. 5)."""

    type: Literal["afwijking"]
    obligation: ObligationCode
    reason: Reason


MilestoneCreate = Annotated[
    SimpleMilestoneCreate | ExtensionMilestoneCreate | WiaBeslissingCreate | AfwijkingCreate,
    Field(discriminator="type"),
]


class MilestoneRead(ReadModel):
    id: uuid.UUID
    case_id: uuid.UUID
    type: MilestoneType
    occurred_on: date
    note: str | None
    until: date | None = Field(description="Set for verlenging_loondoorbetaling and loonsanctie")
    percentage: int | None = Field(description="Set for wia_beslissing")
    obligation: ObligationCode | None = Field(description="Set for afwijking")
    reason: str | None = Field(description="Set for afwijking")
    recorded_by_organization_id: uuid.UUID
    created_at: datetime
    voided_at: datetime | None = Field(description="Set once voided: the rules no longer read it")
    voided_by: uuid.UUID | None = Field(description="The organization that voided it")
    void_reason: str | None


class MilestoneVoid(InputModel):
    reason: Reason = Field(description="Why the milestone is void, e.g. `recorded on the wrong case`")
