"""Value types of the rules core: the facts of one case in, obligations and compliance out."""

from dataclasses import dataclass
from datetime import date

PARTIES = ("werkgever", "werknemer", "bedrijfsarts", "reintegratiebureau", "uwv")

STATUSES = ("done", "waived", "overdue", "open", "upcoming", "suspended", "lapsed")

OBLIGATION_CODES = (
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
)

# Design section 3 / domain section 4, grouped by who records them.
BEDRIJFSARTS_MILESTONES = ("probleemanalyse", "bijstellingsadvies", "actueel_oordeel")
WERKGEVER_WERKNEMER_MILESTONES = (
    "plan_van_aanpak",
    "casemanager",
    "voortgangsgesprek",
    "bijstelling_plan_van_aanpak",
    "ziekmelding_uwv",
    "eerstejaarsevaluatie",
    "eindevaluatie",
    "reintegratieverslag",
    "wia_aanvraag",
    "afwijking",
)
UWV_MILESTONES = ("wia_kennisgeving", "verlenging_loondoorbetaling", "loonsanctie", "wia_beslissing")
MILESTONE_TYPES = BEDRIJFSARTS_MILESTONES + WERKGEVER_WERKNEMER_MILESTONES + UWV_MILESTONES


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
