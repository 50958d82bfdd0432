"""End dates (domain section 3, v2): E, E', the WIA-aanvraag's due date A and delay, B, the loonsanctie's end S,
the employment's end T and L, the end of the loondoorbetaling. Pure: known milestones and a reference date in."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from app.poortwachter.clock import SickClock, statutory_wachttijd_end
from app.poortwachter.facts import Leave, Milestone
from app.poortwachter.workdays import first_working_day_on_or_after

WIA_KENNISGEVING_DUE = 622  # WIA 64(2): the day the wachttijd has lasted 89 weeks
WIA_64_6_LIMIT = 566  # WIA 64(6): the 42e-weeksmelding made before the wachttijd lasted 81 weeks
WIA_AANVRAAG_BEFORE_END = 77  # WIA 64(3): eleven weeks before E'
AANVRAAG_AFTER_NOTICE = 28  # WIA 64(6): four weeks after a late notice (Atw)
HERSTEL_DECISION_DAYS = 21  # WIA 25(13): three weeks after the herstelmelding (Atw)
LOONSANCTIE_DECISION_BEFORE = 42  # WIA 25(10): six weeks before the end of the (extended) wachttijd
LOONSANCTIE_MAX_DAYS = 364  # WIA 25(9): at most 52 weeks
HERSTEL_END_AFTER = 42  # WIA 25(14): the sanction ends six weeks after UWV established the repair


@dataclass(frozen=True, slots=True)
class Ends:
    """The end dates of a case on a reference date, from the milestones known on it."""

    e: date  # wachttijd_end
    e_prime: date  # E': the verlenging's until, else E
    verlenging: date | None
    aanvraag_due: date  # A
    aanvraag_excused: bool  # WIA 64(6): no notice known although the 42e-weeksmelding was in time
    delay: int
    delay_running: bool  # a missing aanvraag keeps extending the loondoorbetaling
    b: date
    sanction_end: date | None  # S, when a loonsanctie is known
    sanction_repaired: bool  # a herstelbeslissing with hersteld: true is known
    employment_end: date | None  # T
    pay_end: date  # L


def by_type(milestones: Sequence[Milestone], as_of: date) -> dict[str, list[Milestone]]:
    """Known milestones (dated on or before ``as_of``) per type, by date then recording order."""
    found: dict[str, list[Milestone]] = {}
    for m in sorted(milestones, key=lambda m: m.occurred_on):
        if m.occurred_on <= as_of:
            found.setdefault(m.type, []).append(m)
    return found


def latest(known: dict[str, list[Milestone]], kind: str) -> Milestone | None:
    found = known.get(kind)
    return found[-1] if found else None


def earliest(known: dict[str, list[Milestone]], kind: str) -> Milestone | None:
    found = known.get(kind)
    return found[0] if found else None


def herstel_decision_due(melding_on: date) -> date:
    """WIA 25(13): three weeks after the herstelmelding, on the first working day on or after it (Atw)."""
    return first_working_day_on_or_after(melding_on + timedelta(days=HERSTEL_DECISION_DAYS))


def herstelbeslissing_lateness(known: dict[str, list[Milestone]], beslissing: Milestone) -> int:
    """Days past the decision term of the latest herstelmelding dated on or before it."""
    meldingen = [m for m in known.get("herstelmelding", ()) if m.occurred_on <= beslissing.occurred_on]
    if not meldingen:
        return 0
    return max(0, (beslissing.occurred_on - herstel_decision_due(meldingen[-1].occurred_on)).days)


def leave_days(leaves: Sequence[Leave], first: date, last: date) -> int:
    """Days of WAZO leave from ``first`` through ``last``."""
    total = 0
    for leave in leaves:
        start, end = max(first, leave.first_day), min(last, leave.last_day)
        if start <= end:
            total += (end - start).days + 1
    return total


def wia_64_6_applies(clock: SickClock, known: dict[str, list[Milestone]]) -> bool:
    melding = earliest(known, "ziekmelding_uwv")
    return melding is not None and melding.occurred_on < clock.sickday(WIA_64_6_LIMIT)


def end_of_b(
    clock: SickClock, known: dict[str, list[Milestone]], as_of: date
) -> tuple[date, date, date, bool, int, bool, date, date | None]:
    """(E, E', A, excused, delay, running, B, verlenging) from the known milestones (section 3.1-3.2)."""
    e = statutory_wachttijd_end(clock)
    verlenging_ms = latest(known, "verlenging_loondoorbetaling")
    verlenging = verlenging_ms.until if verlenging_ms is not None else None
    if verlenging is not None and verlenging <= e:
        verlenging = None  # cannot be recorded (422); one left behind by a later change of the periods extends nothing
    e_prime = verlenging if verlenging is not None else e
    term = e_prime - timedelta(days=WIA_AANVRAAG_BEFORE_END)
    applies = wia_64_6_applies(clock, known)
    notice = earliest(known, "wia_kennisgeving")
    due = term
    if applies and notice is not None and notice.occurred_on > clock.sickday(WIA_KENNISGEVING_DUE):
        due = max(term, first_working_day_on_or_after(notice.occurred_on + timedelta(days=AANVRAAG_AFTER_NOTICE)))
    excused = applies and notice is None
    aanvraag = earliest(known, "wia_aanvraag")
    delay, running = 0, False
    if aanvraag is not None:
        if not excused and aanvraag.occurred_on > due:
            delay = (aanvraag.occurred_on - term).days
    elif not excused and as_of > due:
        delay, running = (as_of - term).days, True
    return e, e_prime, due, excused, delay, running, e_prime + timedelta(days=delay), verlenging


def loonsanctie_lateness(clock: SickClock, milestones: Sequence[Milestone], decision_on: date) -> tuple[int, date]:
    """(lateness, B) of a loonsanctie decided on ``decision_on``, judged on the milestones dated on or before it."""
    known = by_type(milestones, decision_on)
    b = end_of_b(clock, known, decision_on)[6]
    return max(0, (decision_on - (b - timedelta(days=LOONSANCTIE_DECISION_BEFORE))).days), b


def end_dates(
    clock: SickClock, milestones: Sequence[Milestone], known: dict[str, list[Milestone]], as_of: date
) -> Ends:
    e, e_prime, due, excused, delay, running, b, verlenging = end_of_b(clock, known, as_of)
    pay_end = b
    sanction_end: date | None = None
    repaired = False
    sanction = latest(known, "loonsanctie")
    if sanction is not None and sanction.until is not None:
        lateness, _ = loonsanctie_lateness(clock, milestones, sanction.occurred_on)
        end = sanction.until
        beslissingen = known.get("herstelbeslissing", [])
        first_repair = next((i for i, m in enumerate(beslissingen) if m.hersteld), None)
        counted = beslissingen
        if first_repair is not None:
            repaired = True
            repair = beslissingen[first_repair]
            end = min(end, repair.occurred_on + timedelta(days=HERSTEL_END_AFTER - lateness))
            counted = beslissingen[: first_repair + 1]
        end -= timedelta(days=sum(herstelbeslissing_lateness(known, m) for m in counted))
        sanction_end = max(end, b)
        pay_end = sanction_end
    einde = latest(known, "einde_dienstverband")
    employment_end = einde.until if einde is not None else None
    if employment_end is not None and employment_end < pay_end:
        pay_end = employment_end
    return Ends(
        e=e,
        e_prime=e_prime,
        verlenging=verlenging,
        aanvraag_due=due,
        aanvraag_excused=excused,
        delay=delay,
        delay_running=running,
        b=b,
        sanction_end=sanction_end,
        sanction_repaired=repaired,
        employment_end=employment_end,
        pay_end=pay_end,
    )
