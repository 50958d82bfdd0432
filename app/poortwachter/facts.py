"""Value types of the rules core: the facts of one case in, obligations and compliance out."""

from dataclasses import dataclass
from datetime import date
from typing import Literal, get_args

# The vocabularies as Literal types (the API's schemas use them) and as tuples (the rules iterate them).
Party = Literal["werkgever", "werknemer", "bedrijfsarts", "reintegratiebureau", "uwv"]
PARTIES: tuple[str, ...] = get_args(Party)

Status = Literal["done", "waived", "overdue", "open", "upcoming", "suspended", "lapsed"]
STATUSES: tuple[str, ...] = get_args(Status)

ObligationCode = Literal[
    "probleemanalyse",
    "plan_van_aanpak",
    "casemanager",
    "voortgangsgesprek",
    "bijstelling_plan_van_aanpak",
    "ziekmelding_uwv",
    "eerstejaarsevaluatie",
    "start_spoor_2",
    "voortgangsrapportage",
    "actueel_oordeel",
    "eindevaluatie",
    "reintegratieverslag",
    "wia_kennisgeving",
    "wia_aanvraag",
    "ziekmelding_uit_dienst",
    "reintegratieverslag_uit_dienst",
    "beslissing_herstelmelding",
]
OBLIGATION_CODES: tuple[str, ...] = get_args(ObligationCode)

# Design section 3 / domain section 4, grouped by who records them.
BedrijfsartsMilestone = Literal["probleemanalyse", "bijstellingsadvies", "actueel_oordeel"]
WerkgeverWerknemerMilestone = Literal[
    "plan_van_aanpak",
    "casemanager",
    "voortgangsgesprek",
    "bijstelling_plan_van_aanpak",
    "ziekmelding_uwv",
    "eerstejaarsevaluatie",
    "eindevaluatie",
    "reintegratieverslag",
    "wia_aanvraag",
    "oordeel_werknemer",
    "afwijking",
    "spoor_2_niet_ingezet",
    "gedeeltelijke_hervatting",
    "einde_dienstverband",
    "ziekmelding_uit_dienst",
    "reintegratieverslag_uit_dienst",
    "herstelmelding",
]
UwvMilestone = Literal[
    "wia_kennisgeving", "verlenging_loondoorbetaling", "loonsanctie", "herstelbeslissing", "wia_beslissing"
]
MilestoneType = Literal[BedrijfsartsMilestone, WerkgeverWerknemerMilestone, UwvMilestone]
BEDRIJFSARTS_MILESTONES: tuple[str, ...] = get_args(BedrijfsartsMilestone)
WERKGEVER_WERKNEMER_MILESTONES: tuple[str, ...] = get_args(WerkgeverWerknemerMilestone)
UWV_MILESTONES: tuple[str, ...] = get_args(UwvMilestone)
MILESTONE_TYPES: tuple[str, ...] = BEDRIJFSARTS_MILESTONES + WERKGEVER_WERKNEMER_MILESTONES + UWV_MILESTONES

# Regeling art. 5 lets werkgever and werknemer move only the terms of Regeling art. 2 and 4 (domain 2a, v2).
AfwijkingCode = Literal[
    "probleemanalyse",
    "plan_van_aanpak",
    "casemanager",
    "voortgangsgesprek",
    "bijstelling_plan_van_aanpak",
    "eerstejaarsevaluatie",
]
AFWIJKING_CODES: tuple[str, ...] = get_args(AfwijkingCode)

Uitkering = Literal["geen", "wga", "iva"]
Spoor2Reason = Literal["terugkeer_eigen_werk", "geen_benutbare_mogelijkheden", "aow_binnen_jaar"]
Werk = Literal["eigen_werk", "aangepast_werk", "ander_werk"]
Agreement = Literal["eens", "deels_eens", "oneens"]
Phase = Literal["afgesloten", "hersteld", "uit_dienst", "wachttijd", "verlengd_tijdvak", "na_wachttijd"]
PHASES: tuple[str, ...] = get_args(Phase)


@dataclass(frozen=True, slots=True)
class Period:
    """An absence period; only the last one of a case may be open (``last_day`` None)."""

    first_day: date
    last_day: date | None


@dataclass(frozen=True, slots=True)
class Leave:
    """WAZO pregnancy or maternity leave inside an absence period: its days are not counted."""

    first_day: date
    last_day: date


@dataclass(frozen=True, slots=True)
class Milestone:
    """A dated fact of the dossier (domain section 4)."""

    type: str
    occurred_on: date
    id: str | None = None
    until: date | None = None
    percentage: int | None = None
    obligation: str | None = None
    new_due_on: date | None = None  # afwijking (v2); a v1 afwijking without it leaves the rules
    geen_benutbare_mogelijkheden: bool = False  # probleemanalyse
    casemanager: str | None = None  # plan_van_aanpak, bijstelling_plan_van_aanpak
    hersteld: bool | None = None  # herstelbeslissing
    uitkering: str | None = None  # wia_beslissing
    werk: str | None = None  # gedeeltelijke_hervatting


@dataclass(frozen=True, slots=True)
class Track:
    """A re-integration track (spoor 1, 2 or 3)."""

    id: str
    spoor: int
    started_on: date
    ended_on: date | None = None


@dataclass(frozen=True, slots=True)
class SubmittedReport:
    """A submitted monthly progress report; ``period`` is ``YYYY-MM``."""

    id: str
    track_id: str
    period: str
    submitted_on: date


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """Everything the rules need to know about one case."""

    absence_periods: tuple[Period, ...]
    leave_periods: tuple[Leave, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    tracks: tuple[Track, ...] = ()
    reports: tuple[SubmittedReport, ...] = ()
    closed_on: date | None = None


@dataclass(frozen=True, slots=True)
class Obligation:
    """One obligation of a case on the reference date (design section 7)."""

    code: str
    title: str
    parties: tuple[str, ...]
    legal_basis: str
    due_on: date
    window_opens_on: date | None
    status: str
    completed_on: date | None = None
    late_by_days: int | None = None
    waiting_for: str | None = None
    evidence_id: str | None = None
    period: str | None = None
    track_id: str | None = None
    overdue_by_days: int | None = None


@dataclass(frozen=True, slots=True)
class Compliance:
    """The compliance of one case on ``as_of``."""

    as_of: date
    first_sick_day: date
    sick_week: int | None
    wachttijd_end: date
    loondoorbetaling_end: date
    loonsanctie_risk: bool
    obligations: tuple[Obligation, ...]
    outstanding: dict[str, tuple[Obligation, ...]]
    phase: str = "wachttijd"
    verlenging_end: date | None = None
    wia_uitkering: str | None = None
