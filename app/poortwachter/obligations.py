"""The obligation table of domain section 2: who, on what legal basis, due and opening when."""

from datetime import date, timedelta

from app.poortwachter.clock import SickClock
from app.poortwachter.workdays import first_working_day_on_or_after

OBLIGATION_TITLES: dict[str, str] = {
    "probleemanalyse": "Probleemanalyse",
    "plan_van_aanpak": "Plan van aanpak",
    "casemanager": "Aanwijzing casemanager",
    "voortgangsgesprek": "Voortgangsgesprek",
    "bijstelling_plan_van_aanpak": "Bijstelling plan van aanpak",
    "ziekmelding_uwv": "Ziekmelding bij UWV (42e-weeksmelding)",
    "eerstejaarsevaluatie": "Eerstejaarsevaluatie",
    "start_spoor_2": "Start re-integratie tweede spoor",
    "voortgangsrapportage": "Maandelijkse voortgangsrapportage",
    "actueel_oordeel": "Actueel oordeel bedrijfsarts",
    "eindevaluatie": "Eindevaluatie",
    "reintegratieverslag": "Re-integratieverslag",
    "wia_kennisgeving": "Kennisgeving WIA-aanvraag (UWV)",
    "wia_aanvraag": "Aanvraag WIA-uitkering",
    "ziekmelding_uit_dienst": "Ziekmelding bij einde dienstverband (ziek uit dienst)",
    "reintegratieverslag_uit_dienst": "Re-integratieverslag bij einde dienstverband",
    "beslissing_herstelmelding": "Beslissing UWV op herstelmelding",
}

_REGELING = "Regeling procesgang eerste en tweede ziektejaar"

# Domain section 2 (v2): the exact strings the API returns.
OBLIGATION_LEGAL_BASIS: dict[str, str] = {
    "probleemanalyse": f"{_REGELING} art. 2 lid 2 en 3",
    "plan_van_aanpak": f"Wet WIA art. 25 lid 2; BW 7:658a lid 3; {_REGELING} art. 4 lid 1 en 3",
    "casemanager": f"{_REGELING} art. 4 lid 2 onder c",
    "voortgangsgesprek": f"{_REGELING} art. 4 lid 2 onder b; Werkwijzer Poortwachter (ritme 6 weken)",
    "bijstelling_plan_van_aanpak": f"{_REGELING} art. 4 lid 4 en 5",
    "ziekmelding_uwv": "Ziektewet art. 38 lid 1",
    "eerstejaarsevaluatie": f"{_REGELING} art. 4 lid 2 onder b; art. 6 lid 1 onder h",
    "start_spoor_2": "BW 7:658a lid 1; Werkwijzer Poortwachter (praktijk)",
    "voortgangsrapportage": "Opdracht werkgever aan re-integratiebedrijf; "
    "Beleidsregels beoordelingskader poortwachter § 6",
    "actueel_oordeel": f"{_REGELING} art. 6 lid 1 onder i tot en met k; Wet WIA art. 25 lid 3 en 5",
    "eindevaluatie": f"Wet WIA art. 25 lid 3, 4 en 8; {_REGELING} art. 6 lid 1 onder h",
    "reintegratieverslag": f"Wet WIA art. 25 lid 3, 4 en 8; {_REGELING} art. 6",
    "wia_kennisgeving": "Wet WIA art. 64 lid 2",
    "wia_aanvraag": "Wet WIA art. 64 lid 3 en 6; BW 7:629 lid 3 onder f en lid 11 onder a",
    "ziekmelding_uit_dienst": "Ziektewet art. 38 lid 2",
    "reintegratieverslag_uit_dienst": f"Ziektewet art. 38 lid 2; {_REGELING} art. 6 lid 2",
    "beslissing_herstelmelding": "Wet WIA art. 25 lid 13; Algemene termijnenwet art. 1",
}

# Every party that must act or answers for the item, the one that carries it out first (v2).
OBLIGATION_PARTIES: dict[str, tuple[str, ...]] = {
    "probleemanalyse": ("bedrijfsarts", "werkgever"),
    "plan_van_aanpak": ("werkgever", "werknemer"),
    "casemanager": ("werkgever",),
    "voortgangsgesprek": ("werkgever", "werknemer"),
    "bijstelling_plan_van_aanpak": ("werkgever", "werknemer"),
    "ziekmelding_uwv": ("werkgever",),
    "eerstejaarsevaluatie": ("werkgever", "werknemer"),
    "start_spoor_2": ("werkgever", "reintegratiebureau"),
    "voortgangsrapportage": ("reintegratiebureau", "werkgever"),
    "actueel_oordeel": ("bedrijfsarts", "werkgever"),
    "eindevaluatie": ("werkgever", "werknemer"),
    "reintegratieverslag": ("werkgever",),
    "wia_kennisgeving": ("uwv",),
    "wia_aanvraag": ("werknemer",),
    "ziekmelding_uit_dienst": ("werkgever",),
    "reintegratieverslag_uit_dienst": ("werkgever",),
    "beslissing_herstelmelding": ("uwv",),
}

# Loonsanctie grounds (WIA 25(9), domain section 2): an overdue one makes loonsanctie_risk true.
LOONSANCTIE_GROUNDS: frozenset[str] = frozenset(
    {
        "probleemanalyse",
        "plan_van_aanpak",
        "voortgangsgesprek",
        "bijstelling_plan_van_aanpak",
        "eerstejaarsevaluatie",
        "start_spoor_2",
        "actueel_oordeel",
        "eindevaluatie",
        "reintegratieverslag",
    }
)

# Offsets on the sick-day clock (counted-day indexes, 0-based) and in days.
PROBLEEMANALYSE_DUE = 41  # end of week 6
PLAN_VAN_AANPAK_AFTER = 14
VOORTGANGSGESPREK_AFTER = 42
BIJSTELLING_AFTER = 14
ZIEKMELDING_WINDOW = 287
ZIEKMELDING_DUE = 294  # the day after week 42 (domain table: sickday(294), example A)
EERSTEJAARSEVALUATIE_WINDOW = 315
EERSTEJAARSEVALUATIE_DUE = 363  # end of week 52
START_SPOOR_2_AFTER = 42
EINDFASE_WINDOW = 602
EINDFASE_BEFORE_END = 91  # calendar days before E'
WIA_WINDOW = 616
WIA_KENNISGEVING_DUE = 622  # end of week 89
WIA_AANVRAAG_BEFORE_END = 77  # calendar days before E', WIA 64(3): eleven weeks
SAMENTELLING_SUSPENSION_DAYS = 28


def due_probleemanalyse(clock: SickClock) -> date:
    """Uiterlijk in week 6."""
    return clock.sickday(PROBLEEMANALYSE_DUE)


def window_ziekmelding_uwv(clock: SickClock) -> date:
    return clock.sickday(ZIEKMELDING_WINDOW)


def due_ziekmelding_uwv(clock: SickClock) -> date:
    """The 42e-weeksmelding: sickday(294), the day after week 42 (exact; weekends and holidays do not move it)."""
    return clock.sickday(ZIEKMELDING_DUE)


def ziekmelding_overdue_after(due_on: date) -> date:
    """The 42e-weeksmelding is overdue only after the first working day on or after its due date."""
    return first_working_day_on_or_after(due_on)


def window_eerstejaarsevaluatie(clock: SickClock) -> date:
    return clock.sickday(EERSTEJAARSEVALUATIE_WINDOW)


def due_eerstejaarsevaluatie(clock: SickClock) -> date:
    """Uiterlijk in week 52."""
    return clock.sickday(EERSTEJAARSEVALUATIE_DUE)


def due_start_spoor_2(clock: SickClock, eerstejaarsevaluatie_on: date | None) -> date:
    """v2: 42 counted days after the earlier of the eerstejaarsevaluatie and sickday(363); never projected."""
    index = EERSTEJAARSEVALUATIE_DUE
    if eerstejaarsevaluatie_on is not None:
        index = min(index, clock.counted_index(eerstejaarsevaluatie_on))
    return clock.sickday(index + START_SPOOR_2_AFTER)


def window_start_spoor_2(clock: SickClock, eerstejaarsevaluatie_on: date | None) -> date:
    """v2: the earlier of the eerstejaarsevaluatie and sickday(364)."""
    opens = clock.sickday(EERSTEJAARSEVALUATIE_DUE + 1)
    if eerstejaarsevaluatie_on is not None and eerstejaarsevaluatie_on < opens:
        return eerstejaarsevaluatie_on
    return opens


def first_of_next_month(year: int, month: int) -> date:
    return date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)


def due_voortgangsrapportage(year: int, month: int, grace_days: int = 14) -> date:
    """Month end + the grace setting, in calendar days."""
    return date.fromordinal(first_of_next_month(year, month).toordinal() - 1 + grace_days)


def window_voortgangsrapportage(year: int, month: int) -> date:
    """The day after the month ends: a running month cannot be reported yet."""
    return first_of_next_month(year, month)


def window_eindfase(clock: SickClock) -> date:
    """Window of actueel oordeel, eindevaluatie and re-integratieverslag."""
    return clock.sickday(EINDFASE_WINDOW)


def due_eindevaluatie(wachttijd_end_on: date) -> date:
    """E' - 91 calendar days; also the due date of actueel oordeel and re-integratieverslag."""
    return wachttijd_end_on - timedelta(days=EINDFASE_BEFORE_END)


due_actueel_oordeel = due_eindevaluatie
due_reintegratieverslag = due_eindevaluatie


def window_wia(clock: SickClock) -> date:
    """Window of the WIA kennisgeving and aanvraag."""
    return clock.sickday(WIA_WINDOW)


def due_wia_kennisgeving(clock: SickClock) -> date:
    """Uiterlijk in week 89 (fixed on the clock, not moved by a verlenging)."""
    return clock.sickday(WIA_KENNISGEVING_DUE)


def due_wia_aanvraag(wachttijd_end_on: date) -> date:
    """E' - 77 calendar days: eleven weeks before the end of the wachttijd."""
    return wachttijd_end_on - timedelta(days=WIA_AANVRAAG_BEFORE_END)
