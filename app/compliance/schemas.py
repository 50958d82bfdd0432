"""Wire shapes of compliance (design section 7)."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import Field

from app.core.schemas import ReadModel
from app.poortwachter.facts import ObligationCode, Party, Phase, Status, Uitkering


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
    overdue_by_days: int | None = Field(
        description="Days past the last allowed day when `overdue` (for ziekmelding_uwv: its grace day); null otherwise"
    )
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
        description="Week of the sickness on `as_of`; null before the first sick day, on a recovery day or closed"
    )
    phase: Phase = Field(
        description="`afgesloten` (closed, or 28 days after recovery), `hersteld` (a recovery day), `uit_dienst` "
        "(after the end of the employment), `wachttijd` (up to E), `verlengd_tijdvak` (after E, up to the end of the "
        "loondoorbetaling), `na_wachttijd` (after it)"
    )
    wachttijd_end: date = Field(description="E: the last day of the 104-week wachttijd (a verlenging does not move it)")
    verlenging_end: date | None = Field(description="E': the last day of the verlengde tijdvak; null without one")
    loondoorbetaling_end: date = Field(
        description="L: the end of the wage obligation (E', extended by a late or missing WIA-aanvraag or a "
        "loonsanctie, ended early by the end of the employment)"
    )
    wia_uitkering: Uitkering | None = Field(description="The latest known WIA decision's outcome; null without one")
    loonsanctie_risk: bool = Field(
        description="True when an overdue obligation is a loonsanctie ground, or a loonsanctie runs unrepaired"
    )
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
