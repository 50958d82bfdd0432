"""Checks on single milestones and the spoor 3 rule (domain sections 3 and 4, v2), for the API's 422s."""

from collections.abc import Sequence
from datetime import date, timedelta

from app.poortwachter.clock import CaseFactsError, SickClock, statutory_wachttijd_end
from app.poortwachter.ends import LOONSANCTIE_MAX_DAYS, by_type, leave_days, loonsanctie_lateness
from app.poortwachter.facts import AFWIJKING_CODES, MILESTONE_TYPES, Leave, Milestone, Period

WIA_MIN_PERCENTAGE = 35  # below it: no WIA benefit
IVA_MIN_PERCENTAGE = 80  # WIA art. 4: volledig arbeidsongeschikt

__all__ = ["LOONSANCTIE_MAX_DAYS", "check_milestone", "spoor_3_allowed"]


def _fail(field: str, rule: str, message: str) -> CaseFactsError:
    return CaseFactsError(field, message, rule)


def check_milestone(
    milestone: Milestone,
    clock: SickClock,
    periods: Sequence[Period],
    leaves: Sequence[Leave],
    recorded: Sequence[Milestone],
    recorded_on: date,
) -> None:
    """Raise :class:`CaseFactsError` (with ``rule``) for a milestone the rules cannot take.

    ``recorded`` are the case's milestones so far, ``recorded_on`` the day of recording (Europe/Amsterdam).
    """
    kind, on = milestone.type, milestone.occurred_on
    if kind not in MILESTONE_TYPES:
        raise _fail("type", "unknown_type", f"Onbekend mijlpaaltype / unknown milestone type {kind!r}")
    if on < clock.first_sick_day:
        raise _fail(
            "occurred_on",
            "dated_before_first_sick_day",
            "Mijlpaal ligt voor de eerste ziektedag / a milestone may not be dated before the first sick day",
        )
    if on > recorded_on:
        raise _fail(
            "occurred_on",
            "dated_after_recording_day",
            f"Mijlpaal is gedateerd na de dag van vastleggen / a milestone may not be dated after the day it is "
            f"recorded ({recorded_on}, Europe/Amsterdam)",
        )
    e = statutory_wachttijd_end(clock)
    if kind == "afwijking":
        if milestone.obligation not in AFWIJKING_CODES:
            raise _fail(
                "obligation",
                "afwijking_code",
                "afwijking (Regeling art. 5) only concerns the terms of Regeling art. 2 and 4: "
                + ", ".join(AFWIJKING_CODES),
            )
        if milestone.new_due_on is None or milestone.new_due_on < on:
            raise _fail("new_due_on", "new_due_on_before_occurred_on", "new_due_on must be on or after occurred_on")
    elif kind == "spoor_2_niet_ingezet":
        if milestone.until is None or milestone.until <= on:
            raise _fail("until", "spoor_2_niet_ingezet_until", "until (the re-check date) must be after occurred_on")
    elif kind == "einde_dienstverband":
        if milestone.until is None or milestone.until < clock.first_sick_day:
            raise _fail(
                "until",
                "einde_dienstverband_before_first_sick_day",
                "until (the last day of the employment) may not lie before the first sick day",
            )
    elif kind == "verlenging_loondoorbetaling":
        if milestone.until is None or milestone.until <= e:
            raise _fail(
                "until",
                "verlenging_until_not_after_wachttijd_end",
                f"a verlenging's until must lie after the end of the wachttijd ({e})",
            )
    elif kind == "gedeeltelijke_hervatting":
        if milestone.werk == "eigen_werk" and milestone.percentage == 100:
            raise _fail(
                "percentage",
                "hervatting_is_full_recovery",
                "full recovery in own work ends the absence period: set its last_day",
            )
        inside = any(p.first_day <= on and (p.last_day is None or on <= p.last_day) for p in periods)
        if not inside:
            raise _fail(
                "occurred_on",
                "hervatting_outside_absence_period",
                "a gedeeltelijke_hervatting must lie inside an absence period",
            )
    elif kind == "wia_beslissing":
        percentage, uitkering = milestone.percentage, milestone.uitkering
        if percentage is None or not 0 <= percentage <= 100:
            raise _fail("percentage", "wia_percentage_range", "percentage 0-100 required")
        fits = (
            (uitkering == "geen" and percentage < WIA_MIN_PERCENTAGE)
            or (uitkering == "wga" and percentage >= WIA_MIN_PERCENTAGE)
            or (uitkering == "iva" and percentage >= IVA_MIN_PERCENTAGE)
        )
        if not fits:
            raise _fail(
                "uitkering",
                "wia_uitkering_percentage",
                "uitkering does not fit percentage: geen exactly below 35, wga from 35, iva only from 80",
            )
    elif kind == "herstelmelding":
        if not any(m.type == "loonsanctie" and m.occurred_on <= on for m in recorded):
            raise _fail(
                "occurred_on",
                "herstelmelding_without_loonsanctie",
                "a herstelmelding needs a loonsanctie dated on or before it",
            )
    elif kind == "herstelbeslissing":
        if milestone.hersteld is None:
            raise _fail("hersteld", "hersteld_required", "hersteld is required")
        if not any(m.type == "herstelmelding" and m.occurred_on <= on for m in recorded):
            raise _fail(
                "occurred_on",
                "herstelbeslissing_without_herstelmelding",
                "a herstelbeslissing needs a herstelmelding dated on or before it",
            )
    elif kind == "loonsanctie":
        _check_loonsanctie(milestone, clock, leaves, recorded)


def _check_loonsanctie(
    milestone: Milestone, clock: SickClock, leaves: Sequence[Leave], recorded: Sequence[Milestone]
) -> None:
    """WIA 25(9)-(11), (14): decided by B, running B < until <= B + 364 - lateness + leave days."""
    until = milestone.until
    if until is None:
        raise _fail("until", "until_required", "until is required")
    on = milestone.occurred_on
    lateness, b = loonsanctie_lateness(clock, [*recorded, milestone], on)
    if on > b:
        raise _fail(
            "occurred_on",
            "loonsanctie_after_wachttijd_end",
            f"no loonsanctie can be imposed after the end of the (extended) wachttijd ({b})",
        )
    if until <= b:
        raise _fail(
            "until",
            "loonsanctie_bounds",
            f"a loonsanctie's until must lie after {b}, the end of the (extended) wachttijd",
        )
    limit = b + timedelta(days=LOONSANCTIE_MAX_DAYS - lateness)
    # Leave during the sanction interrupts it (WIA 25(9)): the bound moves by the leave days up to until.
    limit += timedelta(days=leave_days(leaves, b + timedelta(days=1), until))
    if until > limit:
        raise _fail(
            "until",
            "loonsanctie_bounds",
            f"a loonsanctie runs at most 52 weeks less the decision's lateness ({lateness} days) plus leave: "
            f"until {limit} at the latest",
        )


def spoor_3_allowed(
    milestones: Sequence[Milestone], employer_is_wga_eigenrisicodrager: bool, on: date | None = None
) -> bool:
    """Spoor 3 needs a WGA-eigenrisicodrager and a WIA decision with uitkering wga (v2).

    The latest WIA decision (by date, on or before ``on`` when given) counts: a new decision replaces the earlier one.
    """
    if not employer_is_wga_eigenrisicodrager:
        return False
    known = by_type(milestones, on or date.max)
    decisions = known.get("wia_beslissing", [])
    return bool(decisions) and decisions[-1].uitkering == "wga"
