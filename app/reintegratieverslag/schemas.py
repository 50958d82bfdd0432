"""Wire shapes of the re-integratieverslag check, portfolio and export (shared/domain/reintegratieverslag.md)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from app.core.schemas import ReadModel
from app.documents.schemas import UploadFinding
from app.poortwachter.facts import Status
from app.reintegratieverslag.check import EvidenceType, PartFindingCode, PartKey, PartStatus
from app.reintegratieverslag.documents import DocumentKind, SignerParty


class PartFinding(ReadModel):
    code: PartFindingCode
    ref: str | None = Field(description="What the finding names (a milestone id, `<track_id>/<YYYY-MM>`), or null")


Day = date  # the evidence's field is named `date`


class EvidenceRead(ReadModel):
    type: EvidenceType
    id: str
    date: Day = Field(description="D, occurred_on, assessed_on, started_on, submitted_on or dated_on")
    detail: str | None = Field(description="Milestone type, spoor_1/spoor_2, report period or document kind")


class PartDocumentRead(ReadModel):
    id: uuid.UUID
    milestone_id: uuid.UUID | None
    kind: DocumentKind
    dated_on: date
    findings: list[UploadFinding]


class PartRead(ReadModel):
    part: PartKey
    title: str
    legal_basis: str
    supplied_by: list[SignerParty]
    status: PartStatus
    findings: list[PartFinding]
    evidence: list[EvidenceRead]
    documents: list[PartDocumentRead] = Field(description="The counting references of what the part needs")
    documents_ok: bool | None = Field(
        description="Every needed reference exists without upload findings; null for parts 1 and 10 and for "
        "missing and not_required parts"
    )
    action_by: list[SignerParty] = Field(description="The parties that must act; empty when nothing is to be done")
    due_on: date
    obligation: str | None = Field(description="The compliance obligation whose lateness the compliance answer shows")


class RivObligation(ReadModel):
    status: Status
    due_on: date
    completed_on: date | None
    evidence_id: uuid.UUID | None


class RivObligations(ReadModel):
    reintegratieverslag: RivObligation
    wia_aanvraag: RivObligation


class ReintegratieverslagCheck(ReadModel):
    """The administrative completeness of the RIV as the API sees it. `complete: true` means only that the API
    sees no administrative gap: it never predicts UWV's inhoudelijke toets or the absence of a loonsanctie."""

    case_id: uuid.UUID
    as_of: date
    first_sick_day: date
    sick_week: int | None
    wachttijd_end: date = Field(description="E")
    verlenging_end: date | None = Field(description="E' after a verlenging; null without one")
    due_on: date = Field(description="The RIV's due date (E' - 91, WIA art. 25 lid 3)")
    aanvraag_due_on: date = Field(description="The WIA-aanvraag's due date")
    reference_date: date = Field(description="r: the date at which the RIV must describe the situation")
    complete: bool
    blocking: list[PartKey]
    upload_ready: bool
    obligations: RivObligations
    parts: list[PartRead]


class BlockingPart(ReadModel):
    part: PartKey
    status: PartStatus
    action_by: list[SignerParty]


class RivPortfolioRow(ReadModel):
    case_id: uuid.UUID
    external_ref: str | None
    sick_week: int | None
    due_on: date
    aanvraag_due_on: date
    days_left: int = Field(description="due_on - as_of; negative when late")
    complete: bool
    upload_ready: bool
    blocking: list[BlockingPart]


class RivPortfolioCounts(ReadModel):
    cases: int
    complete: int
    incomplete: int


class RivPortfolioPage(ReadModel):
    items: list[RivPortfolioRow]
    next_cursor: str | None
    counts: RivPortfolioCounts = Field(
        description="Over the selected cases (view, employer_id, E', status, within_days), ignoring party, "
        "include_complete and paging"
    )


class ExportEmployee(ReadModel):
    name: str
    date_of_birth: date | None = Field(description="Null once the case is anonymised (AVG erasure)")
    bsn_masked: str | None


class ExportOrganization(ReadModel):
    name: str


class ExportEmployer(ReadModel):
    name: str
    kvk: str | None


class ExportDocument(ReadModel):
    id: uuid.UUID
    milestone_id: uuid.UUID | None
    kind: DocumentKind
    title: str
    dated_on: date
    supplied_by: SignerParty
    signed_by: list[SignerParty]
    media_type: str
    size_bytes: int
    sha256: str
    findings: list[UploadFinding]


class ExportReport(ReadModel):
    period: str
    submitted_on: date


class ExportProposal(ReadModel):
    company: str
    place: str
    vacancy: str
    proposed_on: date
    channel: str
    status: str
    status_date: date


class ExportTrack(ReadModel):
    id: uuid.UUID
    spoor: Literal[1, 2]
    started_on: date
    ended_on: date | None
    end_reason: str | None
    coach: str | None
    reports: list[ExportReport]
    proposals: list[ExportProposal]


class ReintegratieverslagExport(ReintegratieverslagCheck):
    """The dossier summary: the check plus who is who, every counting document reference in full, and the
    spoor 1 and 2 tracks. The BSN only masked (the PDF cover overview is the one answer with the full BSN)."""

    employee: ExportEmployee
    employer: ExportEmployer
    arbodienst: ExportOrganization | None
    bureau: ExportOrganization
    documents: list[ExportDocument]
    tracks: list[ExportTrack]
    generated_at: datetime
    rules_version: int
