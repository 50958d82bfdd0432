"""The worked examples A-K of domain section 7 (v2) as data: the facts, and every date and status the document
gives for them. tests/poortwachter/test_examples.py runs them through the pure rules, tests/test_examples_v2.py
through the HTTP API. Expectations are copied from the document, never computed by the engine."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from app.poortwachter.obligations import OBLIGATION_PARTIES

W91 = ("actueel_oordeel", "eindevaluatie", "reintegratieverslag")
EVERY_PARTY = ("werkgever", "werknemer", "bedrijfsarts", "reintegratiebureau", "uwv")


@dataclass(frozen=True)
class Fact:
    type: str
    on: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TrackFact:
    key: str
    spoor: int
    started_on: str
    ended_on: str | None = None


@dataclass(frozen=True)
class Item:
    """One expected obligation: `None` for a field the document does not give."""

    due_on: str
    status: str
    late_by_days: int | None = None  # for done items: 0 unless given
    overdue_by_days: int | None = None
    window_opens_on: str | None = None
    completed_on: str | None = None
    waiting_for: str | None = None


@dataclass(frozen=True)
class Check:
    as_of: str
    top: dict[str, Any]
    items: dict[str, Item]
    outstanding: dict[str, list[str]] | None = None  # derived from the items when not given


@dataclass(frozen=True)
class Example:
    name: str
    periods: tuple[tuple[str, str | None], ...]
    facts: tuple[Fact, ...]
    checks: tuple[Check, ...]
    tracks: tuple[TrackFact, ...] = ()
    reports: tuple[tuple[str, str, str], ...] = ()  # (track key, period, submitted_on)
    wga_eigenrisicodrager: bool = False

    def without(self, *types: str) -> Example:
        return replace(self, facts=tuple(f for f in self.facts if f.type not in types))

    def plus(self, *facts: Fact) -> Example:
        return replace(self, facts=(*self.facts, *facts))


def every(first: str, step: int, last: str, kind: str = "voortgangsgesprek") -> tuple[Fact, ...]:
    """Facts of one kind from `first` every `step` days through `last` (which must be hit exactly)."""
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    assert (end - start).days % step == 0, (first, step, last)
    return tuple(Fact(kind, (start + timedelta(days=i)).isoformat()) for i in range(0, (end - start).days + 1, step))


def every_back(last: str, step: int, after: str) -> tuple[Fact, ...]:
    """Voortgangsgesprekken every `step` days up to `last`, the first one after `after`."""
    end, floor = date.fromisoformat(last), date.fromisoformat(after)
    days = []
    day = end
    while day > floor:
        days.append(day)
        day -= timedelta(days=step)
    return tuple(Fact("voortgangsgesprek", d.isoformat()) for d in reversed(days))


def months(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def report_due(period: str) -> str:
    year, month = int(period[:4]), int(period[5:7])
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return (nxt + timedelta(days=13)).isoformat()  # month end + 14


def sent_on_the_10th(track: str, first: str, last: str) -> tuple[tuple[str, str, str], ...]:
    return tuple((track, p, report_due(p)[:8] + "10") for p in months(first, last))


def done_reports(track: str, first: str, last: str) -> dict[str, Item]:
    return {
        f"voortgangsrapportage:{track}:{p}": Item(report_due(p), "done", completed_on=report_due(p)[:8] + "10")
        for p in months(first, last)
    }


def same(status: str, dues: dict[str, str], **extra: Any) -> dict[str, Item]:
    return {code: Item(due, status, **extra) for code, due in dues.items()}


def w91(due: str, status: str, **extra: Any) -> dict[str, Item]:
    return {code: Item(due, status, **extra) for code in W91}


def derived_outstanding(items: dict[str, Item]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {party: [] for party in EVERY_PARTY}
    for key, item in items.items():
        if item.status in ("open", "overdue"):
            code = key.split(":")[0].split("#")[0]
            for party in OBLIGATION_PARTIES[code]:
                out[party].append(code)
    return {party: sorted(codes) for party, codes in out.items()}


# --- A -----------------------------------------------------------------------------------------------------------
A_UPCOMING = {
    "ziekmelding_uwv": "2025-10-27",
    "eerstejaarsevaluatie": "2026-01-04",
    "wia_kennisgeving": "2026-09-20",
    "wia_aanvraag": "2026-10-18",
}
A = Example(
    "A",
    (("2025-01-06", None),),
    (Fact("probleemanalyse", "2025-02-12"),),
    (
        Check(
            "2025-03-03",
            {
                "wachttijd_end": "2027-01-03",
                "verlenging_end": None,
                "loondoorbetaling_end": "2027-01-03",
                "phase": "wachttijd",
                "sick_week": 9,
                "loonsanctie_risk": True,
            },
            {
                "probleemanalyse": Item(
                    "2025-02-16", "done", 0, window_opens_on="2025-01-06", completed_on="2025-02-12"
                ),
                "plan_van_aanpak": Item("2025-02-26", "overdue", overdue_by_days=5, window_opens_on="2025-02-12"),
                "casemanager": Item("2025-02-26", "overdue", overdue_by_days=5, window_opens_on="2025-02-12"),
                "voortgangsgesprek": Item("2025-04-09", "upcoming", waiting_for="plan_van_aanpak"),
                **same("upcoming", A_UPCOMING),
                "start_spoor_2": Item("2026-02-15", "upcoming", window_opens_on="2026-01-05"),
                **w91("2026-10-04", "upcoming", window_opens_on="2026-08-31"),
            },
            {
                "werkgever": ["casemanager", "plan_van_aanpak"],
                "werknemer": ["plan_van_aanpak"],
                "bedrijfsarts": [],
                "reintegratiebureau": [],
                "uwv": [],
            },
        ),
    ),
)

# --- B -----------------------------------------------------------------------------------------------------------
B = Example(
    "B",
    (("2023-03-01", None),),
    (
        Fact("probleemanalyse", "2023-04-20"),
        Fact("plan_van_aanpak", "2023-05-02"),
        Fact("casemanager", "2023-05-02"),
        *(Fact("voortgangsgesprek", d) for d in ("2023-06-12", "2023-07-20", "2023-08-31", "2023-10-10")),
        *(Fact("voortgangsgesprek", d) for d in ("2023-11-20", "2024-01-02")),
        Fact("bijstellingsadvies", "2023-10-02"),
        Fact("bijstelling_plan_van_aanpak", "2023-10-10"),
        Fact("ziekmelding_uwv", "2023-12-18"),
    ),
    (
        Check(
            "2024-02-28",
            {"wachttijd_end": "2025-02-25", "sick_week": 53, "phase": "wachttijd", "loonsanctie_risk": True},
            {
                "probleemanalyse": Item("2023-04-11", "done", 9),
                "plan_van_aanpak": Item("2023-05-04", "done", 0),
                "casemanager": Item("2023-05-04", "done", 0),
                "bijstelling_plan_van_aanpak#0": Item("2023-10-16", "done", 0),
                "ziekmelding_uwv": Item("2023-12-20", "done", 0),
                "voortgangsgesprek": Item("2024-02-13", "overdue", overdue_by_days=15),
                "eerstejaarsevaluatie": Item("2024-02-27", "overdue", overdue_by_days=1),
                "start_spoor_2": Item("2024-04-09", "open", window_opens_on="2024-02-28"),
                "wia_kennisgeving": Item("2024-11-12", "upcoming"),
                **w91("2024-11-26", "upcoming"),
                "wia_aanvraag": Item("2024-12-10", "upcoming"),
            },
        ),
    ),
)

# --- C -----------------------------------------------------------------------------------------------------------
C_UPCOMING = {
    "ziekmelding_uwv": "2026-01-12",
    "eerstejaarsevaluatie": "2026-03-22",
    "start_spoor_2": "2026-05-03",
    "wia_kennisgeving": "2026-12-06",
    "wia_aanvraag": "2027-01-03",
}
C_ITEMS = {
    "probleemanalyse": Item("2025-05-04", "overdue", overdue_by_days=2),
    "plan_van_aanpak": Item("2025-05-18", "upcoming", waiting_for="probleemanalyse"),
    "casemanager": Item("2025-05-18", "upcoming", waiting_for="probleemanalyse"),
    "voortgangsgesprek": Item("2025-06-29", "upcoming", waiting_for="plan_van_aanpak"),
    **same("upcoming", C_UPCOMING),
    **w91("2026-12-20", "upcoming"),
}
C = Example(
    "C",
    (("2025-03-03", "2025-03-30"), ("2025-04-21", None)),
    (),
    (
        Check(
            "2025-05-06",
            {"sick_week": 7, "phase": "wachttijd", "wachttijd_end": "2027-03-21", "loonsanctie_risk": True},
            C_ITEMS,
            {
                "werkgever": ["probleemanalyse"],
                "werknemer": [],
                "bedrijfsarts": ["probleemanalyse"],
                "reintegratiebureau": [],
                "uwv": [],
            },
        ),
        *(
            Check(
                day,
                {"sick_week": None, "phase": "hersteld", "loonsanctie_risk": False},
                {key: Item(item.due_on, "suspended") for key, item in C_ITEMS.items()},
            )
            for day in ("2025-03-31", "2025-04-10", "2025-04-20")
        ),
    ),
)

# --- D -----------------------------------------------------------------------------------------------------------
D = Example(
    "D",
    (("2024-01-15", None),),
    (
        Fact("probleemanalyse", "2024-02-20"),
        Fact("plan_van_aanpak", "2024-03-01"),
        Fact("casemanager", "2024-03-01"),
        *every_back("2025-09-26", 42, "2024-03-01"),
        Fact("ziekmelding_uwv", "2024-11-01"),
        Fact("eerstejaarsevaluatie", "2025-01-06"),
        Fact("spoor_2_niet_ingezet", "2025-01-06", {"reason": "terugkeer_eigen_werk", "until": "2025-04-06"}),
        Fact("spoor_2_niet_ingezet", "2025-04-01", {"reason": "terugkeer_eigen_werk", "until": "2025-07-06"}),
        Fact("spoor_2_niet_ingezet", "2025-07-01", {"reason": "terugkeer_eigen_werk", "until": "2025-10-05"}),
        Fact("spoor_2_niet_ingezet", "2025-09-30", {"reason": "terugkeer_eigen_werk", "until": "2026-01-04"}),
        Fact("wia_kennisgeving", "2025-09-22"),
        Fact("verlenging_loondoorbetaling", "2025-10-20", {"until": "2026-04-12"}),
    ),
    (
        Check(
            "2025-11-10",
            {
                "sick_week": 96,
                "wachttijd_end": "2026-01-11",
                "verlenging_end": "2026-04-12",
                "loondoorbetaling_end": "2026-04-12",
                "phase": "wachttijd",
                "loonsanctie_risk": True,
            },
            {
                "probleemanalyse": Item("2024-02-25", "done", 0),
                "plan_van_aanpak": Item("2024-03-05", "done", 0),
                "casemanager": Item("2024-03-05", "done", 0),
                "ziekmelding_uwv": Item("2024-11-04", "done", 0),
                "eerstejaarsevaluatie": Item("2025-01-12", "done", 0),
                "wia_kennisgeving": Item("2025-09-28", "done", 0),
                "start_spoor_2": Item("2026-02-15", "waived"),
                **w91("2026-01-11", "upcoming", window_opens_on="2025-12-08"),
                "wia_aanvraag": Item("2026-01-25", "open"),
                "voortgangsgesprek": Item("2025-11-07", "overdue", overdue_by_days=3),
            },
        ),
    ),
)

# --- E -----------------------------------------------------------------------------------------------------------
E_UPCOMING = {
    "ziekmelding_uwv": "2025-11-24",
    "eerstejaarsevaluatie": "2026-02-01",
    "start_spoor_2": "2026-03-15",
    "wia_kennisgeving": "2026-10-18",
    "wia_aanvraag": "2026-11-15",
}
E_FACTS = (
    Fact("probleemanalyse", "2025-03-10"),
    Fact("plan_van_aanpak", "2025-03-20", {"casemanager": "M. Jansen"}),
    Fact("gedeeltelijke_hervatting", "2025-04-14", {"percentage": 50, "hours_per_week": 18, "werk": "eigen_werk"}),
    Fact("voortgangsgesprek", "2025-04-28"),
    Fact("gedeeltelijke_hervatting", "2025-06-02", {"percentage": 100, "hours_per_week": 36, "werk": "aangepast_werk"}),
    Fact("voortgangsgesprek", "2025-06-06"),
)
E_DONE = {
    "probleemanalyse": Item("2025-03-16", "done", 0),
    "plan_van_aanpak": Item("2025-03-24", "done", 0),
    "casemanager": Item("2025-03-24", "done", 0, completed_on="2025-03-20"),
}
E_OPEN = {
    "voortgangsgesprek": Item("2025-07-18", "open"),
    **same("upcoming", E_UPCOMING),
    **w91("2026-11-01", "upcoming"),
}
E = Example(
    "E",
    (("2025-02-03", None),),
    E_FACTS,
    (
        Check(
            "2025-07-01",
            {"sick_week": 22, "phase": "wachttijd", "wachttijd_end": "2027-01-31", "loonsanctie_risk": False},
            {**E_DONE, **E_OPEN},
            {
                "werkgever": ["voortgangsgesprek"],
                "werknemer": ["voortgangsgesprek"],
                "bedrijfsarts": [],
                "reintegratiebureau": [],
                "uwv": [],
            },
        ),
    ),
)
E_RECOVERED = Example(
    "E-recovered",
    (("2025-02-03", "2025-07-13"),),
    E_FACTS,
    (
        Check(
            "2025-07-21",
            {"sick_week": None, "phase": "hersteld", "loonsanctie_risk": False},
            {**E_DONE, **{k: Item(v.due_on, "suspended") for k, v in E_OPEN.items()}},
        ),
        Check(
            "2025-08-10",
            {"phase": "hersteld"},
            {**E_DONE, **{k: Item(v.due_on, "suspended") for k, v in E_OPEN.items()}},
        ),
        Check(
            "2025-08-11",
            {"sick_week": None, "phase": "afgesloten", "loonsanctie_risk": False},
            {**E_DONE, **{k: Item(v.due_on, "lapsed") for k, v in E_OPEN.items()}},
        ),
    ),
)

# --- F -----------------------------------------------------------------------------------------------------------
F_FACTS = (
    Fact("probleemanalyse", "2023-02-13"),
    Fact("plan_van_aanpak", "2023-02-23", {"casemanager": "M. Jansen"}),
    *every("2023-04-04", 40, "2024-11-24"),
    Fact("ziekmelding_uwv", "2023-10-27"),
    Fact("eerstejaarsevaluatie", "2023-12-28"),
    Fact("wia_kennisgeving", "2024-09-15"),
    Fact("actueel_oordeel", "2024-09-20"),
    Fact("eindevaluatie", "2024-09-27"),
    Fact("reintegratieverslag", "2024-09-27"),
    Fact("wia_aanvraag", "2024-10-10"),
    Fact("wia_beslissing", "2024-12-16", {"percentage": 55, "uitkering": "wga"}),
)
F_ITEMS = {
    "probleemanalyse": Item("2023-02-19", "done", 0),
    "plan_van_aanpak": Item("2023-02-27", "done", 0),
    "casemanager": Item("2023-02-27", "done", 0),
    "ziekmelding_uwv": Item("2023-10-30", "done", 0),
    "eerstejaarsevaluatie": Item("2024-01-07", "done", 0),
    "start_spoor_2": Item("2024-02-08", "done", 0, completed_on="2024-01-29"),
    **done_reports("s2", "2024-01", "2024-12"),
    "wia_kennisgeving": Item("2024-09-22", "done", 0),
    **w91("2024-10-06", "done", late_by_days=0),
    "wia_aanvraag": Item("2024-10-20", "done", 0),
    "voortgangsgesprek": Item("2025-01-05", "lapsed"),
}
F_TOP = {
    "phase": "na_wachttijd",
    "wachttijd_end": "2025-01-05",
    "loondoorbetaling_end": "2025-01-05",
    "sick_week": 111,
    "loonsanctie_risk": False,
}
NOTHING = {party: [] for party in EVERY_PARTY}
F = Example(
    "F",
    (("2023-01-09", None),),
    F_FACTS,
    (
        Check(
            "2025-02-20",
            {**F_TOP, "wia_uitkering": "wga"},
            {
                **F_ITEMS,
                **done_reports("s3", "2025-01", "2025-01"),
                "voortgangsrapportage:s3:2025-02": Item("2025-03-14", "upcoming"),
            },
            NOTHING,
        ),
    ),
    tracks=(TrackFact("s2", 2, "2024-01-29", "2024-12-31"), TrackFact("s3", 3, "2025-01-06")),
    reports=(*sent_on_the_10th("s2", "2024-01", "2024-12"), ("s3", "2025-01", "2025-02-10")),
    wga_eigenrisicodrager=True,
)
F_GEEN = Example(
    "F-geen",
    (("2023-01-09", None),),
    (
        *tuple(f for f in F_FACTS if f.type != "wia_beslissing"),
        Fact("wia_beslissing", "2024-12-16", {"percentage": 20, "uitkering": "geen"}),
    ),
    (Check("2025-02-20", {**F_TOP, "wia_uitkering": "geen"}, F_ITEMS, NOTHING),),
    tracks=(TrackFact("s2", 2, "2024-01-29", "2024-12-31"),),
    reports=sent_on_the_10th("s2", "2024-01", "2024-12"),
    wga_eigenrisicodrager=True,
)

# --- G -----------------------------------------------------------------------------------------------------------
G = Example(
    "G",
    (("2025-01-06", None),),
    (
        Fact("probleemanalyse", "2025-02-12"),
        Fact(
            "afwijking",
            "2025-02-24",
            {"obligation": "plan_van_aanpak", "reason": "ziekenhuisopname", "new_due_on": "2025-03-21"},
        ),
        Fact("plan_van_aanpak", "2025-03-19", {"casemanager": "M. Jansen"}),
        Fact("voortgangsgesprek", "2025-04-28"),
        Fact("bijstellingsadvies", "2025-05-05"),
        Fact(
            "afwijking",
            "2025-05-20",
            {"obligation": "voortgangsgesprek", "reason": "klinische revalidatie", "new_due_on": "2025-07-31"},
        ),
        Fact("bijstellingsadvies", "2025-06-02"),
        Fact(
            "afwijking",
            "2025-06-10",
            {"obligation": "bijstelling_plan_van_aanpak", "reason": "advies van 2 juni", "new_due_on": "2025-07-15"},
        ),
    ),
    (
        Check(
            "2025-06-20",
            {"sick_week": 24, "phase": "wachttijd", "wachttijd_end": "2027-01-03", "loonsanctie_risk": True},
            {
                "probleemanalyse": Item("2025-02-16", "done", 0),
                "plan_van_aanpak": Item("2025-03-21", "done", 0),
                "casemanager": Item("2025-03-21", "done", 0),
                "voortgangsgesprek": Item("2025-07-31", "open"),
                "bijstelling_plan_van_aanpak#0": Item("2025-05-19", "overdue", overdue_by_days=32),
                "bijstelling_plan_van_aanpak#1": Item("2025-07-15", "open"),
                **same("upcoming", A_UPCOMING),
                "start_spoor_2": Item("2026-02-15", "upcoming"),
                **w91("2026-10-04", "upcoming"),
            },
        ),
    ),
)

# --- H -----------------------------------------------------------------------------------------------------------
H_LATER = {
    "ziekmelding_uwv": "2025-12-22",
    "eerstejaarsevaluatie": "2026-03-01",
    "start_spoor_2": "2026-04-12",
    "wia_kennisgeving": "2026-11-15",
    "actueel_oordeel": "2026-11-29",
    "eindevaluatie": "2026-11-29",
    "reintegratieverslag": "2026-11-29",
    "wia_aanvraag": "2026-12-13",
}
H_DONE = {
    "probleemanalyse": Item("2025-04-13", "done", 0),
    "plan_van_aanpak": Item("2025-04-21", "done", 0),
    "casemanager": Item("2025-04-21", "done", 0),
}
H = Example(
    "H",
    (("2025-03-03", None),),
    (
        Fact("probleemanalyse", "2025-04-07"),
        Fact("plan_van_aanpak", "2025-04-17", {"casemanager": "M. Jansen"}),
        Fact("voortgangsgesprek", "2025-05-27"),
        Fact("einde_dienstverband", "2025-07-01", {"until": "2025-08-31"}),
        Fact("voortgangsgesprek", "2025-07-07"),
        Fact("voortgangsgesprek", "2025-08-15"),
        Fact("ziekmelding_uit_dienst", "2025-08-28"),
    ),
    (
        Check(
            "2025-08-20",
            {
                "sick_week": 25,
                "phase": "wachttijd",
                "wachttijd_end": "2027-02-28",
                "loondoorbetaling_end": "2025-08-31",
                "loonsanctie_risk": False,
            },
            {
                **H_DONE,
                "ziekmelding_uit_dienst": Item("2025-08-29", "open", window_opens_on="2025-07-01"),
                "reintegratieverslag_uit_dienst": Item("2025-08-29", "open", window_opens_on="2025-07-01"),
                "voortgangsgesprek": Item("2025-09-26", "open"),
                **same("upcoming", H_LATER),
            },
            {
                "werkgever": sorted(["voortgangsgesprek", "ziekmelding_uit_dienst", "reintegratieverslag_uit_dienst"]),
                "werknemer": ["voortgangsgesprek"],
                "bedrijfsarts": [],
                "reintegratiebureau": [],
                "uwv": [],
            },
        ),
        Check(
            "2025-09-10",
            {"phase": "uit_dienst", "sick_week": 28, "loondoorbetaling_end": "2025-08-31", "loonsanctie_risk": False},
            {
                **H_DONE,
                "ziekmelding_uit_dienst": Item("2025-08-29", "done", 0),
                "reintegratieverslag_uit_dienst": Item("2025-08-29", "overdue", overdue_by_days=12),
                "voortgangsgesprek": Item("2025-09-26", "lapsed"),
                **same("lapsed", H_LATER),
            },
            {
                "werkgever": ["reintegratieverslag_uit_dienst"],
                "werknemer": [],
                "bedrijfsarts": [],
                "reintegratiebureau": [],
                "uwv": [],
            },
        ),
    ),
)

# --- I -----------------------------------------------------------------------------------------------------------
I_FACTS = (
    Fact("probleemanalyse", "2023-06-12"),
    Fact("plan_van_aanpak", "2023-06-22"),
    Fact("casemanager", "2023-06-22"),
    *every("2023-08-03", 42, "2025-08-28"),
    Fact("ziekmelding_uwv", "2024-02-26"),
    Fact("eerstejaarsevaluatie", "2024-04-29"),
    Fact("actueel_oordeel", "2025-01-13"),
    Fact("wia_kennisgeving", "2025-01-13"),
    Fact("eindevaluatie", "2025-01-20"),
    Fact("reintegratieverslag", "2025-01-20"),
    Fact("wia_aanvraag", "2025-02-10"),
    Fact("loonsanctie", "2025-03-20", {"until": "2026-05-03"}),
    Fact("herstelmelding", "2025-09-01"),
)
I_DONE = {
    "probleemanalyse": Item("2023-06-18", "done", 0),
    "plan_van_aanpak": Item("2023-06-26", "done", 0),
    "casemanager": Item("2023-06-26", "done", 0),
    "ziekmelding_uwv": Item("2024-02-26", "done", 0),
    "eerstejaarsevaluatie": Item("2024-05-05", "done", 0),
    "start_spoor_2": Item("2024-06-10", "done", 357, completed_on="2025-06-02"),
    "wia_kennisgeving": Item("2025-01-19", "done", 0),
    **w91("2025-02-02", "done", late_by_days=0),
    "wia_aanvraag": Item("2025-02-16", "done", 0),
    "voortgangsgesprek": Item("2025-10-09", "open"),
}
I_TRACKS = (TrackFact("s2", 2, "2025-06-02"),)
I_REPORTS = (("s2", "2025-06", "2025-07-02"), ("s2", "2025-07", "2025-08-01"), ("s2", "2025-08", "2025-09-01"))
I_REPORTS_DONE = {
    "voortgangsrapportage:s2:2025-06": Item("2025-07-14", "done", 0, completed_on="2025-07-02"),
    "voortgangsrapportage:s2:2025-07": Item("2025-08-14", "done", 0, completed_on="2025-08-01"),
    "voortgangsrapportage:s2:2025-08": Item("2025-09-14", "done", 0, completed_on="2025-09-01"),
}
I_OCTOBER = {
    **I_DONE,
    **I_REPORTS_DONE,
    "voortgangsrapportage:s2:2025-09": Item("2025-10-14", "done", 0, completed_on="2025-10-02"),
    "voortgangsrapportage:s2:2025-10": Item("2025-11-14", "upcoming"),
}
I = Example(  # noqa: E741 - the example's letter
    "I",
    (("2023-05-08", None),),
    (*I_FACTS, Fact("herstelbeslissing", "2025-09-29", {"hersteld": True})),
    (
        Check(
            "2025-09-10",
            {
                "sick_week": 123,
                "phase": "verlengd_tijdvak",
                "wachttijd_end": "2025-05-04",
                "loondoorbetaling_end": "2026-05-03",
                "loonsanctie_risk": True,
            },
            {
                **I_DONE,
                **I_REPORTS_DONE,
                "voortgangsrapportage:s2:2025-09": Item("2025-10-14", "upcoming"),
                "beslissing_herstelmelding#0": Item("2025-09-22", "open", window_opens_on="2025-09-01"),
            },
            {
                "werkgever": ["voortgangsgesprek"],
                "werknemer": ["voortgangsgesprek"],
                "bedrijfsarts": [],
                "reintegratiebureau": [],
                "uwv": ["beslissing_herstelmelding"],
            },
        ),
        Check(
            "2025-10-06",
            {
                "sick_week": 127,
                "phase": "verlengd_tijdvak",
                "loondoorbetaling_end": "2025-11-03",
                "loonsanctie_risk": False,
            },
            {**I_OCTOBER, "beslissing_herstelmelding#0": Item("2025-09-22", "done", 7, completed_on="2025-09-29")},
        ),
    ),
    tracks=I_TRACKS,
    reports=(*I_REPORTS, ("s2", "2025-09", "2025-10-02")),
)
I_IN_TIME = Example(
    "I-in-time",
    I.periods,
    (*I_FACTS, Fact("herstelbeslissing", "2025-09-15", {"hersteld": True})),
    (Check("2025-10-06", {"loondoorbetaling_end": "2025-10-27", "loonsanctie_risk": False}, {}),),
    tracks=I_TRACKS,
    reports=I.reports,
)
I_LATE_DECISION = Example(
    "I-late-decision",
    I.periods,
    (
        *(
            Fact("loonsanctie", "2025-04-03", {"until": "2026-04-22"}) if f.type == "loonsanctie" else f
            for f in I_FACTS
        ),
        Fact("herstelbeslissing", "2025-09-15", {"hersteld": True}),
    ),
    (
        Check("2025-09-10", {"loondoorbetaling_end": "2026-04-22", "loonsanctie_risk": True}, {}),
        Check("2025-09-25", {"loondoorbetaling_end": "2025-10-16", "loonsanctie_risk": False}, {}),
    ),
    tracks=I_TRACKS,
    reports=I.reports,
)
I_UIT_DIENST = Example(
    "I-uit-dienst",
    I.periods,
    (*I.facts, Fact("einde_dienstverband", "2025-10-01", {"until": "2025-10-31"})),
    (
        Check(
            "2025-10-06",
            {"loondoorbetaling_end": "2025-10-31", "phase": "verlengd_tijdvak", "loonsanctie_risk": False},
            {**I_OCTOBER, "beslissing_herstelmelding#0": Item("2025-09-22", "done", 7)},
        ),
    ),
    tracks=I_TRACKS,
    reports=I.reports,
)

# --- J -----------------------------------------------------------------------------------------------------------
J_BEFORE_NOTICE = (
    Fact("probleemanalyse", "2024-04-10"),
    Fact("plan_van_aanpak", "2024-04-22", {"casemanager": "M. Jansen"}),
    *every("2024-06-01", 40, "2026-01-22"),
    Fact("ziekmelding_uwv", "2024-12-20"),
    Fact("eerstejaarsevaluatie", "2025-02-20"),
    Fact("actueel_oordeel", "2025-11-05"),
    Fact("eindevaluatie", "2025-11-20"),
    Fact("reintegratieverslag", "2025-11-20"),
)
J_DONE = {
    "probleemanalyse": Item("2024-04-14", "done", 0),
    "plan_van_aanpak": Item("2024-04-24", "done", 0),
    "casemanager": Item("2024-04-24", "done", 0),
    "ziekmelding_uwv": Item("2024-12-23", "done", 0),
    "eerstejaarsevaluatie": Item("2025-03-02", "done", 0),
    "start_spoor_2": Item("2025-04-03", "done", 0),
    **done_reports("s2", "2025-03", "2025-12"),
    **w91("2025-11-30", "done", late_by_days=0),
}
J_TRACKS = (TrackFact("s2", 2, "2025-03-17"),)
J_REPORTS = sent_on_the_10th("s2", "2025-03", "2025-12")
J = Example(
    "J",
    (("2024-03-04", None),),
    (*J_BEFORE_NOTICE, Fact("wia_kennisgeving", "2025-12-15"), Fact("wia_aanvraag", "2026-01-20")),
    (
        Check(
            "2026-01-25",
            {
                "sick_week": 99,
                "phase": "wachttijd",
                "wachttijd_end": "2026-03-01",
                "loondoorbetaling_end": "2026-04-07",
                "loonsanctie_risk": False,
            },
            {
                **J_DONE,
                "wia_kennisgeving": Item("2025-11-16", "done", 29, completed_on="2025-12-15"),
                "wia_aanvraag": Item("2026-01-12", "done", 8, completed_on="2026-01-20"),
                "voortgangsgesprek": Item("2026-03-05", "open"),
                "voortgangsrapportage:s2:2026-01": Item("2026-02-14", "upcoming"),
            },
        ),
    ),
    tracks=J_TRACKS,
    reports=J_REPORTS,
)
J_ON_A = replace(
    J,
    name="J-on-A",
    facts=(*J_BEFORE_NOTICE, Fact("wia_kennisgeving", "2025-12-15"), Fact("wia_aanvraag", "2026-01-12")),
    checks=(
        Check(
            "2026-01-25",
            {"loondoorbetaling_end": "2026-03-01"},
            {"wia_aanvraag": Item("2026-01-12", "done", 0)},
        ),
    ),
)
J_DAY_LATE = replace(
    J,
    name="J-day-late",
    facts=(*J_BEFORE_NOTICE, Fact("wia_kennisgeving", "2025-12-15"), Fact("wia_aanvraag", "2026-01-13")),
    checks=(
        Check(
            "2026-01-25",
            {"loondoorbetaling_end": "2026-03-31"},
            {"wia_aanvraag": Item("2026-01-12", "done", 1)},
        ),
    ),
)
J_NO_NOTICE = replace(
    J,
    name="J-no-notice",
    facts=(*J_BEFORE_NOTICE, Fact("wia_aanvraag", "2025-12-28")),
    checks=(
        Check(
            "2025-12-20",
            {"loondoorbetaling_end": "2026-03-01"},
            {
                "wia_aanvraag": Item("2025-12-14", "open"),
                "wia_kennisgeving": Item("2025-11-16", "overdue", overdue_by_days=34),
            },
        ),
        Check(
            "2025-12-30",
            {"loondoorbetaling_end": "2026-03-01"},
            {"wia_aanvraag": Item("2025-12-14", "done", 0, completed_on="2025-12-28")},
        ),
    ),
)
J_LATE_MELDING = replace(
    J,
    name="J-late-melding",
    facts=(*tuple(f for f in J_BEFORE_NOTICE if f.type != "ziekmelding_uwv"), Fact("ziekmelding_uwv", "2025-10-01")),
    checks=(
        Check(
            "2025-12-20",
            {"loondoorbetaling_end": "2026-03-07"},
            {"wia_aanvraag": Item("2025-12-14", "overdue", overdue_by_days=6)},
        ),
    ),
)

# --- K -----------------------------------------------------------------------------------------------------------
K_FACTS = (
    Fact("probleemanalyse", "2025-02-12"),
    Fact("plan_van_aanpak", "2025-02-20", {"casemanager": "M. Jansen"}),
    *every("2025-04-01", 40, "2026-11-22"),
    Fact("ziekmelding_uwv", "2025-10-20"),
    Fact("eerstejaarsevaluatie", "2025-12-22"),
    Fact("actueel_oordeel", "2026-09-01"),
    Fact("wia_kennisgeving", "2026-09-14"),
    Fact("eindevaluatie", "2026-09-20"),
    Fact("reintegratieverslag", "2026-09-20"),
)
K_DONE = {
    "probleemanalyse": Item("2025-02-16", "done", 0),
    "plan_van_aanpak": Item("2025-02-26", "done", 0),
    "casemanager": Item("2025-02-26", "done", 0),
    "ziekmelding_uwv": Item("2025-10-27", "done", 0),
    "eerstejaarsevaluatie": Item("2026-01-04", "done", 0),
    "start_spoor_2": Item("2026-02-02", "done", 0),
    **done_reports("s2", "2026-01", "2026-10"),
    **w91("2026-10-04", "done", late_by_days=0),
}
K_TRACKS = (TrackFact("s2", 2, "2026-01-26", "2026-10-30"),)
K_REPORTS = sent_on_the_10th("s2", "2026-01", "2026-10")
K = Example(
    "K",
    (("2025-01-06", None),),
    K_FACTS,
    (
        Check(
            "2027-01-20",
            {
                "sick_week": 107,
                "phase": "verlengd_tijdvak",
                "wachttijd_end": "2027-01-03",
                "loondoorbetaling_end": "2027-04-07",
                "loonsanctie_risk": True,
            },
            {
                **K_DONE,
                "wia_kennisgeving": Item("2026-09-20", "done", 0),
                "wia_aanvraag": Item("2026-10-18", "overdue", overdue_by_days=94),
                "voortgangsgesprek": Item("2027-01-03", "overdue", overdue_by_days=17),
            },
            {
                "werkgever": ["voortgangsgesprek"],
                "werknemer": ["voortgangsgesprek", "wia_aanvraag"],
                "bedrijfsarts": [],
                "reintegratiebureau": [],
                "uwv": [],
            },
        ),
        Check("2026-12-01", {"loondoorbetaling_end": "2027-02-16", "phase": "wachttijd"}, {}),
    ),
    tracks=K_TRACKS,
    reports=K_REPORTS,
)
K_APPLIED = replace(
    K,
    name="K-applied",
    facts=(*K_FACTS, Fact("wia_aanvraag", "2027-02-01")),
    checks=(
        Check(
            "2027-02-05",
            {"loondoorbetaling_end": "2027-04-19"},
            {"wia_aanvraag": Item("2026-10-18", "done", 106, completed_on="2027-02-01")},
        ),
    ),
)
K_NO_NOTICE = replace(
    K,
    name="K-no-notice",
    facts=tuple(f for f in K_FACTS if f.type != "wia_kennisgeving"),
    checks=(
        Check(
            "2027-01-20",
            {"phase": "na_wachttijd", "loondoorbetaling_end": "2027-01-03", "loonsanctie_risk": False},
            {
                **K_DONE,
                "wia_kennisgeving": Item("2026-09-20", "lapsed"),
                "wia_aanvraag": Item("2026-10-18", "lapsed"),
                "voortgangsgesprek": Item("2027-01-03", "lapsed"),
            },
            NOTHING,
        ),
    ),
)

EXAMPLES = (
    A,
    B,
    C,
    D,
    E,
    E_RECOVERED,
    F,
    F_GEEN,
    G,
    H,
    I,
    I_IN_TIME,
    I_LATE_DECISION,
    I_UIT_DIENST,
    J,
    J_ON_A,
    J_DAY_LATE,
    J_NO_NOTICE,
    J_LATE_MELDING,
    K,
    K_APPLIED,
    K_NO_NOTICE,
)

#: Examples whose checks list every obligation of the case (the others check the items they name).
COMPLETE = {
    "A",
    "B",
    "C",
    "D",
    "E",
    "E-recovered",
    "F",
    "F-geen",
    "G",
    "H",
    "I",
    "I-uit-dienst",
    "J",
    "K",
    "K-no-notice",
}


def keyed_items(obligations: list[dict[str, Any]], track_keys: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The answer's obligations (as JSON-like dicts) under the keys the examples use."""
    out: dict[str, dict[str, Any]] = {}
    seen: dict[str, int] = {}
    for ob in obligations:
        code = ob["code"]
        if ob["period"] is not None:
            key = f"{code}:{track_keys[str(ob['track_id'])]}:{ob['period']}"
        elif code in ("bijstelling_plan_van_aanpak", "beslissing_herstelmelding"):
            key = f"{code}#{seen.get(code, 0)}"
            seen[code] = seen.get(code, 0) + 1
        else:
            key = code
        assert key not in out, key
        out[key] = ob
    return out


def _text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def verify(
    example: Example,
    check: Check,
    top: dict[str, Any],
    obligations: list[dict[str, Any]],
    outstanding: dict[str, list[str]],
    track_keys: dict[str, str],
) -> None:
    where = f"example {example.name} on {check.as_of}"
    for name, expected in check.top.items():
        assert _text(top[name]) == expected, (where, name, _text(top[name]), expected)
    items = keyed_items(obligations, track_keys)
    complete = example.name in COMPLETE and bool(check.items)
    if complete:
        assert sorted(items) == sorted(check.items), (where, sorted(set(items) ^ set(check.items)))
    for key, item in check.items.items():
        assert key in items, (where, key)
        got = {k: _text(v) for k, v in items[key].items()}
        assert (got["due_on"], got["status"]) == (item.due_on, item.status), (where, key, got)
        if item.status == "done":
            assert got["late_by_days"] == (item.late_by_days or 0), (where, key, got)
            if item.completed_on is not None:
                assert got["completed_on"] == item.completed_on, (where, key, got)
        else:
            assert got["late_by_days"] is None and got["completed_on"] is None, (where, key, got)
        assert got["overdue_by_days"] == item.overdue_by_days, (where, key, got)
        if item.window_opens_on is not None:
            assert got["window_opens_on"] == item.window_opens_on, (where, key, got)
        if item.status == "upcoming" or item.waiting_for is not None:
            assert got["waiting_for"] == item.waiting_for, (where, key, got)
    if complete:
        wanted = check.outstanding if check.outstanding is not None else derived_outstanding(check.items)
        assert {party: sorted(codes) for party, codes in outstanding.items()} == wanted, where
