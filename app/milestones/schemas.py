"""Wire shapes of milestones: a union discriminated on `type` (design section 7, domain section 4 v2)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from app.core.schemas import DossierDate, InputModel, ReadModel, ShortText
from app.poortwachter.facts import (
    Agreement,
    MilestoneType,
    ObligationCode,
    Spoor2Reason,
    Uitkering,
    Werk,
)

SimpleType = Literal[
    "bijstellingsadvies",
    "actueel_oordeel",
    "casemanager",
    "voortgangsgesprek",
    "ziekmelding_uwv",
    "eerstejaarsevaluatie",
    "eindevaluatie",
    "reintegratieverslag",
    "wia_aanvraag",
    "wia_kennisgeving",
    "ziekmelding_uit_dienst",
    "reintegratieverslag_uit_dienst",
    "herstelmelding",
]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
CasemanagerName = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class _MilestoneBase(InputModel):
    occurred_on: DossierDate = Field(
        description="The day the fact happened; not before the first sick day, not after the day it is recorded"
    )
    note: ShortText | None = None


class SimpleMilestoneCreate(_MilestoneBase):
    """A dossier fact with a date only."""

    type: SimpleType


class ProbleemanalyseCreate(_MilestoneBase):
    """The bedrijfsarts' probleemanalyse (Regeling art. 2)."""

    type: Literal["probleemanalyse"]
    geen_benutbare_mogelijkheden: bool = Field(
        default=False,
        description="The oordeel finds no usable possibilities to return: no plan van aanpak is due (Regeling 4(1))",
    )


class PlanMilestoneCreate(_MilestoneBase):
    """A plan van aanpak or its bijstelling; naming the casemanager fulfils `casemanager` (Regeling 4(2)(c))."""

    type: Literal["plan_van_aanpak", "bijstelling_plan_van_aanpak"]
    casemanager: CasemanagerName | None = Field(default=None, description="The casemanager the plan designates")


class ExtensionMilestoneCreate(_MilestoneBase):
    """A decision that runs until a date: verlenging loondoorbetaling (WIA 24, `until` = E'), loonsanctie (WIA 25(9),
    its last day) or the end of the employment (`until` = T, its last day)."""

    type: Literal["verlenging_loondoorbetaling", "loonsanctie", "einde_dienstverband"]
    until: DossierDate = Field(
        description="Verlenging: the last day of the verlengde tijdvak; loonsanctie: its last day; "
        "einde_dienstverband: the last day of the employment"
    )


class WiaBeslissingCreate(_MilestoneBase):
    """UWV's WIA decision."""

    type: Literal["wia_beslissing"]
    percentage: int = Field(ge=0, le=100, description="Degree of incapacity (arbeidsongeschiktheid), percent")
    uitkering: Uitkering = Field(
        description="`geen` exactly below 35 percent; `iva` (volledig en duurzaam) only from 80; `wga` otherwise"
    )


class AfwijkingCreate(_MilestoneBase):
    """A reasoned deviation by werkgever and werknemer from a term of Regeling art. 2 or 4 (Regeling art. 5):
    it moves the due date of one occurrence to `new_due_on`."""

    type: Literal["afwijking"]
    obligation: ObligationCode = Field(
        description="One of the six Regeling art. 2 and 4 codes: probleemanalyse, plan_van_aanpak, casemanager, "
        "voortgangsgesprek, bijstelling_plan_van_aanpak, eerstejaarsevaluatie (any other: 422)"
    )
    reason: Reason
    new_due_on: DossierDate = Field(description="The new due date; on or after `occurred_on`")


class Spoor2NietIngezetCreate(_MilestoneBase):
    """The werkgever's documented decision not to start spoor 2 yet, until a re-check date."""

    type: Literal["spoor_2_niet_ingezet"]
    reason: Spoor2Reason
    until: DossierDate = Field(description="The re-check date; after `occurred_on`")


class GedeeltelijkeHervattingCreate(_MilestoneBase):
    """A partial return to work: it changes neither the sick-day clock nor any obligation."""

    type: Literal["gedeeltelijke_hervatting"]
    percentage: int = Field(ge=1, le=100, description="Share of the agreed hours worked, percent")
    hours_per_week: float = Field(ge=0.01, le=60, description="Hours worked per week, above 0 (two decimals are kept)")
    werk: Werk


class HerstelbeslissingCreate(_MilestoneBase):
    """UWV's decision on a herstelmelding (WIA 25(13))."""

    type: Literal["herstelbeslissing"]
    hersteld: bool = Field(description="True when UWV finds the shortcoming repaired")


class OordeelWerknemerCreate(_MilestoneBase):
    """The werknemer's opinion on the re-integratieverslag (Regeling 6(1)(l)), recorded on his behalf."""

    type: Literal["oordeel_werknemer"]
    agreement: Agreement


MilestoneCreate = Annotated[
    SimpleMilestoneCreate
    | ProbleemanalyseCreate
    | PlanMilestoneCreate
    | ExtensionMilestoneCreate
    | WiaBeslissingCreate
    | AfwijkingCreate
    | Spoor2NietIngezetCreate
    | GedeeltelijkeHervattingCreate
    | HerstelbeslissingCreate
    | OordeelWerknemerCreate,
    Field(discriminator="type"),
]


class MilestoneRead(ReadModel):
    id: uuid.UUID
    case_id: uuid.UUID
    type: MilestoneType
    occurred_on: date
    note: str | None
    until: date | None = Field(
        description="Set for verlenging_loondoorbetaling, loonsanctie, spoor_2_niet_ingezet, einde_dienstverband"
    )
    percentage: int | None = Field(description="Set for wia_beslissing and gedeeltelijke_hervatting")
    obligation: ObligationCode | None = Field(description="Set for afwijking")
    reason: str | None = Field(description="Set for afwijking and spoor_2_niet_ingezet")
    new_due_on: date | None = Field(
        description="Set for afwijking; null on an afwijking recorded under rules v1, which no longer counts"
    )
    geen_benutbare_mogelijkheden: bool | None = Field(description="Set for probleemanalyse")
    casemanager: str | None = Field(description="Set for plan_van_aanpak and bijstelling_plan_van_aanpak, if named")
    uitkering: Uitkering | None = Field(description="Set for wia_beslissing (null on a v1 decision of 80% or more)")
    hours_per_week: float | None = Field(description="Set for gedeeltelijke_hervatting")
    werk: Werk | None = Field(description="Set for gedeeltelijke_hervatting")
    hersteld: bool | None = Field(description="Set for herstelbeslissing")
    agreement: Agreement | None = Field(description="Set for oordeel_werknemer")
    recorded_by_organization_id: uuid.UUID
    created_at: datetime
    voided_at: datetime | None = Field(description="Set once voided: the rules no longer read it")
    voided_by: uuid.UUID | None = Field(description="The organization that voided it")
    void_reason: str | None


class MilestoneVoid(InputModel):
    reason: Reason = Field(description="Why the milestone is void, e.g. `recorded on the wrong case`")
