"""Pure rules of document references (shared/domain/reintegratieverslag.md 3.2): who supplies and signs each
kind, who may record and read it, and the upload findings against UWV's conditions for the werkgeversportaal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, get_args

DocumentKind = Literal[
    "probleemanalyse",
    "bijstellingsadvies",
    "actueel_oordeel",
    "plan_van_aanpak",
    "bijstelling_plan_van_aanpak",
    "eerstejaarsevaluatie",
    "eindevaluatie",
    "oordeel_werknemer",
    "arbeidsdeskundig_rapport",
]
DOCUMENT_KINDS: tuple[str, ...] = get_args(DocumentKind)
SignerParty = Literal["werkgever", "werknemer", "bedrijfsarts", "reintegratiebureau"]
SIGNER_PARTIES: tuple[str, ...] = get_args(SignerParty)
UploadFindingCode = Literal["unsigned", "bsn_not_confirmed", "format_not_accepted", "too_large"]

BEDRIJFSARTS_KINDS = ("probleemanalyse", "bijstellingsadvies", "actueel_oordeel")
WERKGEVER_KINDS = (
    "plan_van_aanpak",
    "bijstelling_plan_van_aanpak",
    "eerstejaarsevaluatie",
    "eindevaluatie",
    "oordeel_werknemer",
)
ARBEIDSDESKUNDIG = "arbeidsdeskundig_rapport"

SUPPLIERS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(BEDRIJFSARTS_KINDS, ("bedrijfsarts",)),
    **dict.fromkeys(WERKGEVER_KINDS, ("werkgever", "werknemer")),
    ARBEIDSDESKUNDIG: ("reintegratiebureau", "bedrijfsarts"),
}
# Regeling art. 4 lid 1: the plan van aanpak and what follows from it are made "in overeenstemming met de werknemer".
_REQUIRED_SIGNERS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(BEDRIJFSARTS_KINDS, ("bedrijfsarts",)),
    **dict.fromkeys(WERKGEVER_KINDS[:4], ("werkgever", "werknemer")),
    "oordeel_werknemer": ("werknemer",),
}
ACCEPTED_MEDIA_TYPES = (
    "application/pdf",
    "image/jpeg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)
MAX_UPLOAD_BYTES = 10_000_000  # choice: the strict reading of UWV's "10 MB"

# Organization kinds, as strings (app/organizations/models.py::OrganizationKind values).
BUREAU, WERKGEVER, ARBODIENST = "reintegratiebureau", "werkgever", "arbodienst"
_ARBODIENST_KINDS = frozenset((*BEDRIJFSARTS_KINDS, ARBEIDSDESKUNDIG))
_WERKGEVER_KINDS = frozenset(WERKGEVER_KINDS)


def may_record(organization_kind: str, kind: str, supplied_by: str) -> bool:
    """The bureau any kind; the werkgever what werkgever or werknemer supply; the arbodienst what it supplies as
    bedrijfsarts (an arbeidsdeskundig rapport only with itself as the supplier)."""
    if organization_kind == BUREAU:
        return True
    if organization_kind == WERKGEVER:
        return kind in _WERKGEVER_KINDS
    return kind in _ARBODIENST_KINDS and supplied_by == "bedrijfsarts"


def readable_kinds(organization_kind: str) -> frozenset[str] | None:
    """The kinds a caller reads; None: all of them."""
    return _ARBODIENST_KINDS if organization_kind == ARBODIENST else None


def required_signers(kind: str, supplied_by: str) -> tuple[str, ...]:
    return (supplied_by,) if kind == ARBEIDSDESKUNDIG else _REQUIRED_SIGNERS[kind]


@dataclass(frozen=True, slots=True)
class DocumentRef:
    """A document reference as the check sees it (no title: the check never needs one)."""

    id: str
    kind: str
    dated_on: date
    supplied_by: str
    signed_by: tuple[str, ...]
    bsn_on_document: bool
    media_type: str
    size_bytes: int
    milestone_id: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    ref: str | None = None


def upload_findings(doc: DocumentRef) -> tuple[Finding, ...]:
    """UWV's upload conditions, as the recording party declared the file: in this order."""
    found = [Finding("unsigned", s) for s in required_signers(doc.kind, doc.supplied_by) if s not in doc.signed_by]
    if not doc.bsn_on_document:
        found.append(Finding("bsn_not_confirmed"))
    if doc.media_type.lower() not in ACCEPTED_MEDIA_TYPES:
        found.append(Finding("format_not_accepted"))
    if doc.size_bytes > MAX_UPLOAD_BYTES:
        found.append(Finding("too_large"))
    return tuple(found)
