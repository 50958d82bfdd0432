"""Checks on single milestones and the spoor 3 rule (domain sections 3 and 4), for the API's 422s."""

from collections.abc import Sequence
from datetime import date, timedelta

from app.poortwachter.clock import CaseFactsError
from app.poortwachter.facts import MILESTONE_TYPES, OBLIGATION_CODES, Milestone

#: A loonsanctie runs at most 52 weeks after the end of the wachttijd (WIA 25(9)).
LOONSANCTIE_MAX_DAYS = 52 * 7
SPOOR_3_MIN_PERCENTAGE = 35
SPOOR_3_MAX_PERCENTAGE = 80


def latest_loonsanctie_until(statutory_wachttijd_end: date) -> date:
    """The last day a loonsanctie may run to: 52 weeks after E."""
    return statutory_wachttijd_end + timedelta(days=LOONSANCTIE_MAX_DAYS)


def check_milestone(milestone: Milestone, first_sick_day: date, statutory_wachttijd_end: date) -> None:
    """Raise :class:`CaseFactsError` for a milestone the rules cannot use."""
    if milestone.type not in MILESTONE_TYPES:
        raise CaseFactsError("type", f"Onbekend mijlpaaltype / unknown milestone type {milestone.type!r}")
    if milestone.occurred_on < first_sick_day:
        raise CaseFactsError("occurred_on", "Mijlpaal ligt voor de eerste ziektedag / milestone is dated before D")
    if milestone.type == "afwijking" and milestone.obligation not in OBLIGATION_CODES:
        raise CaseFactsError(
            "obligation", "Afwijking noemt geen bekende verplichting / afwijking names no known obligation"
        )
    if milestone.type in ("verlenging_loondoorbetaling", "loonsanctie") and milestone.until is None:
        raise CaseFactsError("until", "Einddatum ontbreekt / until is required")
    if (
        milestone.type == "loonsanctie"
        and milestone.until is not None
        and milestone.until > latest_loonsanctie_until(statutory_wachttijd_end)
    ):
        raise CaseFactsError(
            "until",
            "Loonsanctie duurt ten hoogste 52 weken na einde wachttijd / "
            "a loonsanctie runs at most 52 weeks after the wachttijd",
        )
    if milestone.type == "wia_beslissing" and (milestone.percentage is None or not 0 <= milestone.percentage <= 100):
        raise CaseFactsError("percentage", "Percentage 0 tot en met 100 vereist / percentage 0-100 required")


def spoor_3_allowed(
    milestones: Sequence[Milestone], employer_is_wga_eigenrisicodrager: bool, on: date | None = None
) -> bool:
    """Spoor 3 needs a WGA-eigenrisicodrager and a WIA decision of 35 to 80 percent inclusive.

    The latest WIA decision (by date, on or before ``on`` when given) counts: a new decision replaces
    the earlier one.
    """
    if not employer_is_wga_eigenrisicodrager:
        return False
    decisions = [
        m
        for m in milestones
        if m.type == "wia_beslissing" and m.percentage is not None and (on is None or m.occurred_on <= on)
    ]
    if not decisions:
        return False
    latest = sorted(decisions, key=lambda m: m.occurred_on)[-1]  # stable: the last recorded of a day
    percentage = latest.percentage
    return percentage is not None and SPOOR_3_MIN_PERCENTAGE <= percentage <= SPOOR_3_MAX_PERCENTAGE
