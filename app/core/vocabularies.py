"""The API's vocabularies as named OpenAPI components, each value described.

The value lists stay where they are (Literal types in app/poortwachter and the schemas, enums in the models); this
module only names them and describes each value. The OpenAPI document then refers to the component wherever a field
carries exactly that list (app/core/openapi.py), so a generated client gets one type per vocabulary. A value added to
a Literal appears in the component by itself; tests/test_contract_docs.py fails until it is described here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal, get_args

from app.audit.schemas import AccessWhat, EventType
from app.auth.principal import Scope
from app.cases.schemas import CaseStatus, CloseReason
from app.core.errors import CATALOGUE, Code
from app.imports.schemas import ImportStatus, LineStatus
from app.medical.schemas import AssessmentKind, LimitationLevel, Prognosis
from app.organizations.models import OrganizationKind
from app.organizations.schemas import PartnerKind
from app.poortwachter.facts import (
    AfwijkingCode,
    Agreement,
    MilestoneType,
    ObligationCode,
    Party,
    Phase,
    Spoor2Reason,
    Status,
    Uitkering,
    Werk,
)
from app.poortwachter.obligations import OBLIGATION_LEGAL_BASIS, OBLIGATION_TITLES
from app.proposals.schemas import Channel, ProposalStatus
from app.reintegratieverslag.check import EvidenceType, PartFindingCode, PartKey, PartStatus
from app.reintegratieverslag.documents import DocumentKind, SignerParty, UploadFindingCode
from app.reports.schemas import BelastbaarheidSource, GoalStatus, ReportStatus
from app.tracks.schemas import Spoor, TrackStatus
from app.webhooks.schemas import DeliveryStatus


@dataclass(frozen=True)
class Vocabulary:
    name: str
    values: tuple[Any, ...]
    description: str
    meanings: dict[Any, str]
    # Open vocabularies grow in minor versions: a field carrying one accepts any string too, so a client generated
    # before a value was added still reads the answer (docs/versioning.md).
    open: bool = False


def _values(kind: Any) -> tuple[Any, ...]:
    if isinstance(kind, type) and issubclass(kind, Enum):
        return tuple(member.value for member in kind)
    return tuple(get_args(kind))


def _flatten(kind: Any) -> tuple[Any, ...]:
    """A Literal of Literals (MilestoneType) as its values."""
    out: list[Any] = []
    for value in _values(kind):
        out.extend(_flatten(value) if getattr(value, "__origin__", None) is Literal else [value])
    return tuple(out)


OBLIGATION_MEANINGS = {code: f"{title} ({OBLIGATION_LEGAL_BASIS[code]})" for code, title in OBLIGATION_TITLES.items()}

VOCABULARIES: list[Vocabulary] = [
    Vocabulary(
        "ObligationCode",
        _flatten(ObligationCode),
        "A Poortwachter obligation (docs/poortwachter.md, section 2)",
        OBLIGATION_MEANINGS,
    ),
    Vocabulary(
        "AfwijkingCode",
        _flatten(AfwijkingCode),
        "An obligation whose term werkgever and werknemer may move with an afwijking (Regeling procesgang art. 5)",
        OBLIGATION_MEANINGS,
    ),
    Vocabulary(
        "ObligationStatus",
        _flatten(Status),
        "Where an obligation stands on `as_of` (docs/poortwachter.md, section 4.1; the first that applies wins)",
        {
            "done": "Fulfilled by a fact dated on or before `as_of`",
            "waived": "Not done, but an `afwijking` milestone names this obligation (gemotiveerd afwijken)",
            "overdue": "Not done and past its due date",
            "open": "Not done, its window has opened, not yet due",
            "upcoming": "Not done, its window has not opened yet (`waiting_for` names a missing predecessor)",
            "suspended": "Not done; the employee recovered less than 28 days ago",
            "lapsed": "Not done; the case is closed, or the employee recovered 28 or more days ago",
        },
    ),
    Vocabulary(
        "Party",
        _flatten(Party),
        "Who is accountable for an obligation",
        {
            "werkgever": "The employer",
            "werknemer": "The employee",
            "bedrijfsarts": "The company doctor (of the arbodienst)",
            "reintegratiebureau": "The re-integration bureau",
            "uwv": "UWV, the employee insurance agency",
        },
    ),
    Vocabulary(
        "MilestoneType",
        _flatten(MilestoneType),
        "A dated fact of a dossier (docs/poortwachter.md, section 3)",
        {
            "probleemanalyse": "The bedrijfsarts' problem analysis (by week 6)",
            "bijstellingsadvies": "The bedrijfsarts' advice to revise the plan of action",
            "actueel_oordeel": "The bedrijfsarts' current assessment for the re-integratieverslag",
            "plan_van_aanpak": "The plan of action agreed by employer and employee (by week 8)",
            "casemanager": "The employer named a case manager",
            "voortgangsgesprek": "A progress meeting of employer and employee",
            "bijstelling_plan_van_aanpak": "The plan of action was revised",
            "ziekmelding_uwv": "The employer reported the sickness to UWV (42nd week)",
            "eerstejaarsevaluatie": "The first-year evaluation",
            "eindevaluatie": "The final evaluation",
            "reintegratieverslag": "The re-integration report for the WIA application",
            "wia_aanvraag": "The employee applied for WIA",
            "afwijking": "A reasoned decision not to meet an obligation (`obligation`, `reason`)",
            "wia_kennisgeving": "UWV's notice that the WIA application is due",
            "verlenging_loondoorbetaling": "Extended continued pay (WIA 24); `until` is the new end of the wachttijd",
            "loonsanctie": "A wage sanction by UWV (WIA 25(9)); `until` is its last day",
            "wia_beslissing": "UWV's WIA decision: `percentage` (degree of incapacity) and `uitkering`",
            "oordeel_werknemer": "The employee's view on the re-integratieverslag (`agreement`)",
            "spoor_2_niet_ingezet": "A reasoned decision not to start spoor 2 yet (`reason`, re-check by `until`)",
            "gedeeltelijke_hervatting": "Partial return to work (`percentage`, `hours_per_week`, `werk`)",
            "einde_dienstverband": "The employment ends (`until`, T); the case goes on as ziek uit dienst",
            "ziekmelding_uit_dienst": "The sickness was reported to UWV at the end of the employment",
            "reintegratieverslag_uit_dienst": "The re-integration report at the end of the employment",
            "herstelmelding": "The employer reported recovery to UWV during a loonsanctie",
            "herstelbeslissing": "UWV's decision on a herstelmelding (`hersteld`)",
        },
    ),
    Vocabulary(
        "ProposalStatus",
        _flatten(ProposalStatus),
        "Where a candidate proposal stands; it moves forward only, `hired`, `rejected` and `withdrawn` are final",
        {
            "proposed": "The candidate was proposed to the employer",
            "interview": "The employer invited the candidate for an interview",
            "trial_placement": "A trial placement (proefplaatsing) started",
            "detachering": "The candidate works there on secondment",
            "hired": "The employer hired the candidate (final)",
            "rejected": "The employer declined (final; needs a reason)",
            "withdrawn": "The candidate or bureau withdrew (final; needs a reason)",
        },
    ),
    Vocabulary(
        "Channel",
        _flatten(Channel),
        "How a candidate reached a prospective employer",
        {
            "vacature": "A published vacancy",
            "open_sollicitatie": "An open application",
            "netwerk": "The bureau's or candidate's network",
            "bemiddeling": "Placement through an agency",
        },
    ),
    Vocabulary(
        "EventType",
        _flatten(EventType),
        "`<entity_type>.<action>` of a change-feed event; new types may be added in a minor version: ignore the "
        "ones you do not know",
        {
            "organization.created": "An organization was registered",
            "case.created": "A case was opened",
            "case.updated": "A case was changed",
            "case.closed": "A case was closed",
            "milestone.recorded": "A milestone was recorded",
            "track.started": "A track started",
            "track.updated": "A track was changed",
            "track.ended": "A track ended",
            "progress_report.created": "A progress report was drafted",
            "progress_report.updated": "A draft progress report was changed",
            "progress_report.submitted": "A progress report was submitted",
            "candidate_proposal.created": "A candidate proposal was recorded",
            "candidate_proposal.updated": "A candidate proposal's details were corrected",
            "candidate_proposal.status_changed": "A candidate proposal moved to another status",
            "medical_status.created": "The arbodienst pushed the case's first medical status",
            "medical_status.updated": "The arbodienst pushed a new medical status",
            "case.legal_hold_set": "The bureau put the case on legal hold",
            "case.legal_hold_cleared": "The bureau cleared the case's legal hold",
            "case.erased": "The case was erased (anonymised)",
            "case.phase_changed": "The case's phase changed (deadline scheduler)",
            "document.created": "A document reference was added to the case",
            "obligation.due_soon": "An obligation falls due soon (deadline scheduler)",
            "obligation.overdue": "An obligation became overdue (deadline scheduler)",
            "milestone.voided": "A milestone recorded by mistake was voided",
            "track.deleted": "A track started by mistake was deleted",
            "progress_report.deleted": "A draft progress report was deleted",
            "organization.updated": "An organization's name or contact details changed",
            "api_key.created": "A bureau issued a partner key",
            "api_key.revoked": "A partner key was revoked",
        },
        open=True,
    ),
    Vocabulary(
        "ProblemCode",
        _values(Code),
        "Stable machine code of a problem; the catalogue docs/errors.md gives each one's meaning and fix. New codes "
        "may be added in a minor version: treat an unknown one by its HTTP status",
        {code.value: f"see {CATALOGUE}#{code.value}" for code in Code},
        open=True,
    ),
    Vocabulary(
        "Uitkering",
        _flatten(Uitkering),
        "The benefit of a WIA decision",
        {"geen": "No benefit", "wga": "WGA (partly or temporarily unfit)", "iva": "IVA (fully and permanently unfit)"},
    ),
    Vocabulary(
        "Spoor2Reason",
        _flatten(Spoor2Reason),
        "Why spoor 2 is not started yet",
        {
            "terugkeer_eigen_werk": "A return to the own work is expected",
            "geen_benutbare_mogelijkheden": "No usable capacity (geen benutbare mogelijkheden)",
            "aow_binnen_jaar": "The employee reaches AOW age within a year",
        },
    ),
    Vocabulary(
        "Werk",
        _flatten(Werk),
        "What work a partial return is in",
        {"eigen_werk": "The own work", "aangepast_werk": "Adapted work", "ander_werk": "Other work"},
    ),
    Vocabulary(
        "Agreement",
        _flatten(Agreement),
        "Whether the employee agrees with the re-integratieverslag",
        {"eens": "Agrees", "deels_eens": "Partly agrees", "oneens": "Disagrees"},
    ),
    Vocabulary(
        "Phase",
        _flatten(Phase),
        "The phase of a case on `as_of` (docs/poortwachter.md; the first that applies)",
        {
            "afgesloten": "Closed, or 28 days past recovery",
            "hersteld": "On a recovery day",
            "uit_dienst": "After the end of the employment (T)",
            "wachttijd": "In the wachttijd (up to E)",
            "verlengd_tijdvak": "In an extended period (after E, up to L)",
            "na_wachttijd": "After the wachttijd (after L)",
        },
    ),
    Vocabulary(
        "RivPart",
        _flatten(PartKey),
        "A part of the re-integratieverslag (docs/reintegratieverslag.md)",
        {
            "ziekmelding_en_gegevens": "The sickness report and the case's data",
            "probleemanalyse": "The probleemanalyse",
            "plan_van_aanpak": "The plan van aanpak",
            "bijstellingen": "The bijstellingen of the plan van aanpak",
            "eerstejaarsevaluatie": "The eerstejaarsevaluatie",
            "actueel_oordeel": "The bedrijfsarts' actueel oordeel",
            "eindevaluatie": "The eindevaluatie",
            "oordeel_werknemer": "The employee's view",
            "arbeidsdeskundig_rapport": "The labour expert's report",
            "spoor_2_overzicht": "The overview of spoor 2",
        },
    ),
    Vocabulary(
        "RivPartStatus",
        _flatten(PartStatus),
        "Where a part of the re-integratieverslag stands",
        {
            "not_required": "Not required for this case",
            "missing": "Missing",
            "incomplete": "Present but incomplete",
            "stale": "Present but out of date",
            "present": "Present and complete",
        },
    ),
    Vocabulary(
        "RivFindingCode",
        _flatten(PartFindingCode),
        "Why a part of the re-integratieverslag is not complete (docs/reintegratieverslag.md)",
        {
            "bsn_unknown": "The employee's BSN is not known",
            "arbodienst_unknown": "The case has no arbodienst",
            "advice_without_bijstelling": "An advice to revise the plan was not followed by a bijstelling",
            "older_than_max_age": "The document is older than allowed",
            "before_actueel_oordeel": "Dated before the actueel oordeel",
            "before_eindevaluatie": "Dated before the eindevaluatie",
            "report_overdue": "A progress report is overdue",
            "obligation_overdue": "The part's obligation is overdue",
            "document_missing": "No document reference for the part",
        },
    ),
    Vocabulary(
        "EvidenceType",
        _flatten(EvidenceType),
        "What a part of the re-integratieverslag rests on",
        {
            "case": "The case",
            "milestone": "A milestone",
            "medical_status": "The medical status",
            "track": "A track",
            "progress_report": "A progress report",
            "document": "A document reference",
        },
    ),
    Vocabulary(
        "DocumentKind",
        _flatten(DocumentKind),
        "What a document reference is",
        {
            "probleemanalyse": "The probleemanalyse",
            "bijstellingsadvies": "The bedrijfsarts' advice to revise the plan",
            "actueel_oordeel": "The bedrijfsarts' actueel oordeel",
            "plan_van_aanpak": "The plan van aanpak",
            "bijstelling_plan_van_aanpak": "A bijstelling of the plan van aanpak",
            "eerstejaarsevaluatie": "The eerstejaarsevaluatie",
            "eindevaluatie": "The eindevaluatie",
            "oordeel_werknemer": "The employee's view",
            "arbeidsdeskundig_rapport": "The labour expert's report",
        },
    ),
    Vocabulary(
        "SignerParty",
        _flatten(SignerParty),
        "Who supplied or signed a document",
        {
            "werkgever": "The employer",
            "werknemer": "The employee",
            "bedrijfsarts": "The company doctor",
            "reintegratiebureau": "The re-integration bureau",
        },
    ),
    Vocabulary(
        "UploadFindingCode",
        _flatten(UploadFindingCode),
        "Why a document would not be accepted by UWV as it is",
        {
            "unsigned": "Not signed by every party that must sign it",
            "bsn_not_confirmed": "The BSN on the document is not confirmed",
            "format_not_accepted": "A file format UWV does not accept",
            "too_large": "The file is too large for UWV",
        },
    ),
    Vocabulary(
        "DeliveryStatus",
        _flatten(DeliveryStatus),
        "Where a webhook delivery stands (docs/webhooks.md)",
        {"pending": "Not delivered yet; retried", "delivered": "Delivered (2xx)", "failed": "Given up"},
    ),
    Vocabulary(
        "DisabledReason",
        ("manual", "failing"),
        "Why a webhook endpoint is disabled",
        {"manual": "Disabled by the bureau", "failing": "Disabled after failing for 5 days"},
    ),
    Vocabulary(
        "ExportSpoor",
        (1, 2),
        "The spoor of a track in the re-integratieverslag export",
        {1: "Spoor 1: work with the own employer", 2: "Spoor 2: work with another employer"},
    ),
    Vocabulary(
        "KeyScope",
        _flatten(Scope),
        "What an API key may do",
        {"read": "Read only: every write answers 403 key_read_only", "write": "Read and write"},
    ),
    Vocabulary(
        "ImportStatus",
        _flatten(ImportStatus),
        "Where a bulk import stands",
        {"queued": "Waiting to start", "running": "Lines are being processed", "done": "Every line is processed"},
    ),
    Vocabulary(
        "ImportLineStatus",
        _flatten(LineStatus),
        "What became of one line (bundle) of an import",
        {
            "pending": "Not processed yet",
            "created": "The bundle was created",
            "existing": "A case with this external_ref existed already: nothing was created",
            "failed": "Refused; the line's problem says why",
        },
    ),
    Vocabulary(
        "OrganizationKind",
        _values(OrganizationKind),
        "The kind of an organization",
        {
            "reintegratiebureau": "A re-integration bureau: owns cases, tracks, reports and proposals",
            "werkgever": "An employer (werkgever)",
            "arbodienst": "An occupational health service; pushes the medical status",
        },
    ),
    Vocabulary(
        "PartnerKind",
        _flatten(PartnerKind),
        "The kind of organization a bureau registers",
        {"werkgever": "An employer (werkgever)", "arbodienst": "An occupational health service (arbodienst)"},
    ),
    Vocabulary(
        "CaseStatus",
        _flatten(CaseStatus),
        "Whether a case is still open",
        {"open": "The case is open", "closed": "The case was closed (`closed_on`, `close_reason`); it is read-only"},
    ),
    Vocabulary(
        "CloseReason",
        _flatten(CloseReason),
        "Why a case was closed",
        {
            "hersteld": "The employee recovered",
            "plaatsing": "The employee was placed in work",
            "wia": "The employee entered the WIA",
            "uit_dienst": "The employment ended",
            "overleden": "The employee died",
            "anders": "Another reason",
        },
    ),
    Vocabulary(
        "Spoor",
        _flatten(Spoor),
        "The track of re-integration",
        {
            1: "Spoor 1: work with the own employer",
            2: "Spoor 2: work with another employer",
            3: "Spoor 3: WGA-eigenrisicodrager after a WIA decision of 35 to 80 percent",
        },
    ),
    Vocabulary(
        "TrackStatus",
        _flatten(TrackStatus),
        "Whether a track runs",
        {"active": "The track runs", "ended": "The track ended (`ended_on`); it is read-only"},
    ),
    Vocabulary(
        "ReportStatus",
        _flatten(ReportStatus),
        "Whether a progress report was submitted",
        {
            "draft": "Being written; only the bureau sees it",
            "submitted": "Submitted; read-only and visible to the employer",
        },
    ),
    Vocabulary(
        "GoalStatus",
        _flatten(GoalStatus),
        "Progress on one goal of a report",
        {
            "not_started": "Not started",
            "on_track": "On track",
            "behind": "Behind schedule",
            "achieved": "Achieved",
            "not_achievable": "Not achievable",
        },
    ),
    Vocabulary(
        "BelastbaarheidSource",
        _flatten(BelastbaarheidSource),
        "Who assessed the employee's capacity (belastbaarheid)",
        {
            "bedrijfsarts": "The company doctor",
            "arbeidsdeskundige": "A labour expert",
            "verzekeringsarts": "UWV's insurance doctor",
            "anders": "Someone else",
        },
    ),
    Vocabulary(
        "LimitationLevel",
        _flatten(LimitationLevel),
        "How far a functional capacity is limited",
        {
            "geen_beperking": "No limitation (normal)",
            "beperkt": "Possible with limits",
            "sterk_beperkt": "Possible only to a small extent",
            "niet_mogelijk": "Not possible",
        },
    ),
    Vocabulary(
        "Prognosis",
        _flatten(Prognosis),
        "The bedrijfsarts' prognosis",
        {
            "volledige_terugkeer": "Full return to work expected",
            "gedeeltelijke_terugkeer": "Partial return to work expected",
            "geen_benutbare_mogelijkheden": "No usable capacity (geen benutbare mogelijkheden)",
            "onbekend": "Not known yet",
        },
    ),
    Vocabulary(
        "AssessmentKind",
        _flatten(AssessmentKind),
        "Which assessment a medical-status push is; it also records the matching milestone",
        {
            "probleemanalyse": "The problem analysis",
            "bijstelling": "An advice to revise the plan of action (records `bijstellingsadvies`)",
            "actueel_oordeel": "The current assessment for the re-integratieverslag",
        },
    ),
    Vocabulary(
        "AccessWhat",
        _flatten(AccessWhat),
        "What personal data a read touched",
        {
            "case": "A case without a BSN recorded (its employee's name and date of birth)",
            "bsn": "A case with its (masked) BSN; also in the answer to a create, update or close",
            "medical_status": "The medical status",
            "progress_report": "A progress report (JSON or PDF; a list of them counts once)",
            "milestone": "Milestones with a note or a WIA percentage",
            "audit_log": "The case's audit log",
            "calendar_feed": "A calendar feed that shows the employee's name",
        },
    ),
]


def component(vocabulary: Vocabulary) -> dict[str, Any]:
    """The OpenAPI schema of a vocabulary: the values, each one's meaning in the description and in
    `x-enum-descriptions` (which some generators turn into doc comments)."""
    values = list(vocabulary.values)
    table = "\n".join(f"- `{value}`: {vocabulary.meanings.get(value, '')}" for value in values)
    return {
        "type": "integer" if all(isinstance(v, int) for v in values) else "string",
        "enum": values,
        "title": vocabulary.name,
        "description": f"{vocabulary.description}.\n\n{table}",
        "x-enum-descriptions": [vocabulary.meanings.get(value, "") for value in values],
    }
