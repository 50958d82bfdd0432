"""Wire shapes of document references (shared/domain/reintegratieverslag.md 3.2)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from app.core.schemas import DossierDate, InputModel, ReadModel
from app.reintegratieverslag.documents import DocumentKind, SignerParty, UploadFindingCode

Title = Annotated[str, StringConstraints(min_length=1, max_length=200)]
MediaType = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][\w.+-]*/[A-Za-z0-9][\w.+-]*$", max_length=100)]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class DocumentCreate(InputModel):
    """A reference to a file that the party who made it keeps: the file itself is never sent."""

    kind: DocumentKind
    title: Title = Field(description="Functional wording only, never a diagnosis (e.g. 'Actueel oordeel week 88')")
    dated_on: DossierDate = Field(description="The day the document was drawn up or signed")
    supplied_by: SignerParty = Field(description="The party that supplies the document (allowed per kind)")
    signed_by: list[SignerParty] = Field(
        max_length=4, description="Who signed it, as the recorder confirms (a set; may be empty)"
    )
    bsn_on_document: bool = Field(description="The recorder confirms the employee's BSN is on the document")
    media_type: MediaType = Field(description="`type/subtype`; any value is stored, the check judges it")
    size_bytes: int = Field(ge=1, le=2**31 - 1)
    sha256: Sha256 = Field(description="SHA-256 of the file the party keeps, 64 lowercase hex characters")
    milestone_id: uuid.UUID | None = Field(
        default=None,
        description="The milestone this document records (same case, type equal to `kind`); required for every "
        "kind except arbeidsdeskundig_rapport, where it must be null",
    )


class UploadFinding(ReadModel):
    code: UploadFindingCode
    ref: str | None = Field(description="For `unsigned`: the required signer that is missing")


class DocumentRead(ReadModel):
    id: uuid.UUID
    case_id: uuid.UUID
    kind: DocumentKind
    title: str
    dated_on: date
    supplied_by: SignerParty
    signed_by: list[SignerParty]
    bsn_on_document: bool
    media_type: str
    size_bytes: int
    sha256: str
    milestone_id: uuid.UUID | None
    findings: list[UploadFinding] = Field(
        description="UWV's upload conditions not met, as the recording party declared the file"
    )
    recorded_by_organization_id: uuid.UUID
    created_at: datetime
