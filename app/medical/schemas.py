"""Wire shapes of the medical status: functional capacities only (domain section 5), never a diagnosis.

Every input model forbids unknown fields at every level, so a `diagnosis`, `symptoms`, `medication` or any
other field the API does not know is a 422 and nothing is stored.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from app.core.schemas import DossierDate, InputModel, Name, ReadModel, ShortText

LimitationLevel = Literal["geen_beperking", "beperkt", "sterk_beperkt", "niet_mogelijk"]
Prognosis = Literal["volledige_terugkeer", "gedeeltelijke_terugkeer", "geen_benutbare_mogelijkheden", "onbekend"]
AssessmentKind = Literal["probleemanalyse", "bijstelling", "actueel_oordeel"]
FunctionalNote = Annotated[str, StringConstraints(max_length=500)]

LEVEL_HELP = (
    "`geen_beperking`: no limitation (normal); `beperkt`: possible with limits; `sterk_beperkt`: possible only to "
    "a small extent; `niet_mogelijk`: not possible"
)
PROGNOSIS_HELP = (
    "`volledige_terugkeer`: full return to work expected; `gedeeltelijke_terugkeer`: partial return expected; "
    "`geen_benutbare_mogelijkheden`: no usable capacities (geen benutbare mogelijkheden); `onbekend`: not yet known"
)
KIND_HELP = (
    "The formal assessment this push carries, recorded as a milestone on `assessed_on`: `probleemanalyse`, "
    "`bijstelling` (bijstellingsadvies) or `actueel_oordeel`; null for a follow-up without a formal assessment"
)
DOMAIN_HELP = "Null or omitted: not assessed"


class Capacity(InputModel):
    """The employee's functional capacity in one domain of the Functionele Mogelijkheden Lijst."""

    level: LimitationLevel = Field(description=LEVEL_HELP)
    note: FunctionalNote | None = Field(
        default=None, description="What the employee can and cannot do, in functional terms only"
    )


class FunctionalCapacities(InputModel):
    """The six domains (rubrieken) of the Functionele Mogelijkheden Lijst."""

    persoonlijk_functioneren: Capacity | None = Field(default=None, description=DOMAIN_HELP)
    sociaal_functioneren: Capacity | None = Field(default=None, description=DOMAIN_HELP)
    fysieke_omgevingseisen: Capacity | None = Field(default=None, description=DOMAIN_HELP)
    dynamische_handelingen: Capacity | None = Field(default=None, description=DOMAIN_HELP)
    statische_houdingen: Capacity | None = Field(default=None, description=DOMAIN_HELP)
    werktijden: Capacity | None = Field(default=None, description=DOMAIN_HELP)


class MedicalStatusPut(InputModel):
    """The whole functional status after an assessment; each push replaces the current one (a new version)."""

    functional_capacities: FunctionalCapacities
    available_hours_per_week: float | None = Field(
        default=None,
        ge=0,
        le=60,
        multiple_of=0.5,
        allow_inf_nan=False,
        description="Hours per week the employee can work (0 to 60, in half hours); null: not assessed",
    )
    prognosis: Prognosis = Field(description=PROGNOSIS_HELP)
    expected_return_on: DossierDate | None = Field(
        default=None,
        description="Expected (partial) return date; only with a return prognosis, not before `assessed_on`",
    )
    adjustment_advice: ShortText | None = Field(
        default=None, description="Advice on adjustments of work or workplace, in functional terms"
    )
    assessed_on: DossierDate = Field(description="Date of the assessment; not before the first sick day, not future")
    assessment_kind: AssessmentKind | None = Field(default=None, description=KIND_HELP)
    bedrijfsarts_name: Name = Field(description="The bedrijfsarts responsible for the assessment")


class CapacityRead(ReadModel):
    level: LimitationLevel = Field(description=LEVEL_HELP)
    note: str | None


class FunctionalCapacitiesRead(ReadModel):
    persoonlijk_functioneren: CapacityRead | None = Field(description=DOMAIN_HELP)
    sociaal_functioneren: CapacityRead | None = Field(description=DOMAIN_HELP)
    fysieke_omgevingseisen: CapacityRead | None = Field(description=DOMAIN_HELP)
    dynamische_handelingen: CapacityRead | None = Field(description=DOMAIN_HELP)
    statische_houdingen: CapacityRead | None = Field(description=DOMAIN_HELP)
    werktijden: CapacityRead | None = Field(description=DOMAIN_HELP)


class MedicalStatusRead(ReadModel):
    id: uuid.UUID = Field(description="Id of this version")
    case_id: uuid.UUID
    version: int = Field(description="Also answered as the ETag")
    functional_capacities: FunctionalCapacitiesRead
    available_hours_per_week: float | None
    prognosis: Prognosis = Field(description=PROGNOSIS_HELP)
    expected_return_on: date | None
    adjustment_advice: str | None
    assessed_on: date
    assessment_kind: AssessmentKind | None = Field(description=KIND_HELP)
    bedrijfsarts_name: str
    milestone_id: uuid.UUID | None = Field(
        description="The milestone recording this assessment (by this push or an earlier one with the same kind "
        "and date); null without `assessment_kind`"
    )
    pushed_by_organization_id: uuid.UUID
    pushed_by_key_id: uuid.UUID
    pushed_at: datetime


# The pushed (functional) fields: the only part of a version that goes into the audit log, with its version.
PUSHED_FIELDS = frozenset(MedicalStatusPut.model_fields)
AUDIT_FIELDS = PUSHED_FIELDS | {"version"}
