"""Wire shapes of compliance (design section 7)."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import Field

from app.core.schemas import ReadModel
from app.poortwachter.facts import ObligationCode, Party, Status


class ObligationRead(ReadModel):
    code: ObligationCode
    title: str = Field(description="Dutch title, e.g. `Plan van aanpak`")
    parties: list[Party] = Field(description="Every party that must act, the accountable one first")
    legal_basis: str
    due_on: date = Field(description="The exact legal deadline")
    window_opens_on: date | None = Field(description="From when the step can be taken")
    status: Status
    completed_on: date | None = Field(description="When it was done (status `done`)")
    late_by_days: int | None = Field(description="Days late when done (0: on time); null otherwise")
    waiting_for: ObligationCode | None = Field(description="The missing step this one waits for (`upcoming`)")
    evidence_id: uuid.UUID | None = Field(description="The milestone, track or report that fulfilled it")
    period: str | None = Field(description="`YYYY-MM` of a monthly voortgangsrapportage")
    track_id: uuid.UUID | None = Field(description="The track of a voortgangsrapportage")


class Outstanding(ReadModel):
    """Open and overdue obligations, per party that must act."""

    werkgever: list[ObligationRead]
    werknemer: list[ObligationRead]
    bedrijfsarts: list[ObligationRead]
    reintegratiebureau: list[ObligationRead]
    uwv: list[ObligationRead]


class CaseCompliance(ReadModel):
    case_id: uuid.UUID
    as_of: date
    first_sick_day: date
    sick_week: int | None = Field(
        description="Week of the sickness on `as_of`; null before the first sick day, after recovery or closing"
    )
    wachttijd_end: date = Field(description="End of the 104-week wachttijd, extended by a verlenging")
    loondoorbetaling_end: date = Field(description="End of the wage obligation, extended by a loonsanctie")
    loonsanctie_risk: bool = Field(description="True when an overdue obligation names the werkgever")
    obligations: list[ObligationRead]
    outstanding: Outstanding


class PortfolioRow(ObligationRead):
    case_id: uuid.UUID
    external_ref: str | None


class PortfolioCounts(ReadModel):
    by_status: dict[Status, int] = Field(description="Obligations per status over the selected cases")
    by_party: dict[Party, dict[Status, int]] = Field(description="Per party, obligations per status")


class PortfolioPage(ReadModel):
    items: list[PortfolioRow]
    next_cursor: str | None
    counts: PortfolioCounts
    cases: int = Field(description="Number of cases evaluated")
