"""The sick-day clock (domain section 1): counted days over absence periods minus WAZO leave."""

from bisect import bisect_right
from collections.abc import Sequence
from datetime import date
from itertools import pairwise

from app.poortwachter.facts import Leave, Period

#: An interruption of this many days or more starts a new case (BW 7:629 lid 10, samentelling).
SAMENTELLING_DAYS = 28
#: 104 weeks of counted days.
WACHTTIJD_DAYS = 728

_OPEN = date.max.toordinal()


class CaseFactsError(ValueError):
    """Invalid absence or leave periods; ``field`` names the offending input for a 422."""

    def __init__(self, field: str, message: str, rule: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.rule = rule  # a stable name of the rule that was broken, for the 422's `rule`


def check_absence_periods(periods: Sequence[Period]) -> None:
    """Raise :class:`CaseFactsError` (a ``ValueError``) unless ``periods`` form one case."""
    if not periods:
        raise CaseFactsError("absence_periods", "Geen verzuimperiode / no absence period")
    last = len(periods) - 1
    for i, period in enumerate(periods):
        field = f"absence_periods[{i}]"
        if period.last_day is None:
            if i != last:
                raise CaseFactsError(
                    field, "Alleen de laatste verzuimperiode mag open zijn / only the last period may be open"
                )
        elif period.last_day < period.first_day:
            raise CaseFactsError(field, "Laatste dag ligt voor de eerste dag / last_day is before first_day")
        if i == 0:
            continue
        previous = periods[i - 1]
        if period.first_day < previous.first_day:
            raise CaseFactsError(field, "Verzuimperiodes staan niet op volgorde / absence periods are not in order")
        assert previous.last_day is not None  # only the last period is open, checked above
        if period.first_day <= previous.last_day:
            raise CaseFactsError(field, "Verzuimperiodes overlappen / absence periods overlap")
        interruption = (period.first_day - previous.last_day).days - 1
        if interruption >= SAMENTELLING_DAYS:
            raise CaseFactsError(
                field,
                f"Onderbreking van {interruption} dagen (28 of meer) begint een nieuw ziektegeval / "
                f"an interruption of {interruption} days (28 or more) starts a new case",
            )


def check_leave_periods(periods: Sequence[Period], leaves: Sequence[Leave]) -> None:
    """Raise :class:`CaseFactsError` unless every leave lies inside one absence period, without overlap."""
    for i, leave in enumerate(leaves):
        field = f"leave_periods[{i}]"
        if leave.last_day < leave.first_day:
            raise CaseFactsError(field, "Laatste dag ligt voor de eerste dag / last_day is before first_day")
        inside = any(
            p.first_day <= leave.first_day and (p.last_day is None or leave.last_day <= p.last_day) for p in periods
        )
        if not inside:
            raise CaseFactsError(
                field, "Verlof ligt niet binnen een verzuimperiode / leave is not inside an absence period"
            )
    ordered = sorted(range(len(leaves)), key=lambda i: leaves[i].first_day)
    for before, after in pairwise(ordered):
        if leaves[after].first_day <= leaves[before].last_day:
            raise CaseFactsError(f"leave_periods[{after}]", "Verlofperiodes overlappen / leave periods overlap")


class SickClock:
    """Maps counted-day indexes to dates and back, built once per evaluation.

    The last period is treated as running on: after a recovery, due dates keep the values they would
    have had had the sickness gone on (domain section 2a).
    """

    __slots__ = ("_cum", "_d", "_ends", "_simple", "_starts", "first_sick_day")

    def __init__(self, periods: Sequence[Period], leaves: Sequence[Leave] = ()) -> None:
        self.first_sick_day = periods[0].first_day
        self._d = self.first_sick_day.toordinal()
        starts: list[int] = []
        ends: list[int] = []
        cuts = sorted((lv.first_day.toordinal(), lv.last_day.toordinal()) for lv in leaves)
        last = len(periods) - 1
        for i, period in enumerate(periods):
            start = period.first_day.toordinal()
            end = _OPEN if i == last or period.last_day is None else period.last_day.toordinal()
            for cut_first, cut_last in cuts:
                if cut_last < start or cut_first > end:
                    continue
                if cut_first > start:
                    starts.append(start)
                    ends.append(cut_first - 1)
                start = max(start, cut_last + 1)
            if start <= end:
                starts.append(start)
                ends.append(end)
        cum = [0]
        for s, e in zip(starts, ends, strict=True):
            cum.append(cum[-1] + e - s + 1)
        self._starts = starts
        self._ends = ends
        self._cum = cum
        self._simple = len(starts) == 1 and starts[0] == self._d

    def sickday_ordinal(self, k: int) -> int:
        """Ordinal of the k-th counted day (0-based)."""
        if k < 0:
            raise ValueError("counted-day index must be >= 0")
        if self._simple:
            return self._d + k
        i = bisect_right(self._cum, k) - 1
        return self._starts[i] + k - self._cum[i]

    def index_ordinal(self, ordinal: int) -> int:
        """Counted-day index of a day; a day outside counted days takes the next counted day's index."""
        if self._simple:
            return ordinal - self._d if ordinal > self._d else 0
        i = bisect_right(self._starts, ordinal) - 1
        if i < 0:
            return 0
        if ordinal <= self._ends[i]:
            return self._cum[i] + ordinal - self._starts[i]
        return self._cum[i + 1]

    def sickday(self, k: int) -> date:
        """Date of the k-th counted day: ``sickday(0)`` is D."""
        return date.fromordinal(self.sickday_ordinal(k))

    def counted_index(self, day: date) -> int:
        """Index of ``day`` on the clock (next counted day for a day in a gap or leave, 0 before D)."""
        return self.index_ordinal(day.toordinal())

    def after(self, event: date, days: int) -> date:
        """``event + days`` on the clock: ``sickday(index(event) + days)``, so gaps and leave pause it."""
        return date.fromordinal(self.sickday_ordinal(self.index_ordinal(event.toordinal()) + days))


def sickday(clock: SickClock, k: int) -> date:
    """Date of the k-th counted day, 0-based."""
    return clock.sickday(k)


def counted_index(clock: SickClock, day: date) -> int:
    """Counted-day index of ``day``; a day outside counted days takes the next counted day's index."""
    return clock.counted_index(day)


def end_of_week(clock: SickClock, week: int) -> date:
    """ "Uiterlijk in week N": the last counted day of week N, ``sickday(7N - 1)``."""
    return clock.sickday(7 * week - 1)


def sick_week(clock: SickClock, day: date) -> int | None:
    """Week of the sickness that ``day`` falls in; ``None`` before D."""
    if day < clock.first_sick_day:
        return None
    return clock.counted_index(day) // 7 + 1


def statutory_wachttijd_end(clock: SickClock) -> date:
    """E: the last day of the 104-week wachttijd, ``sickday(727)``."""
    return clock.sickday(WACHTTIJD_DAYS - 1)


def wachttijd_end(clock: SickClock, verlenging_until: date | None = None) -> date:
    """E': the end of the wachttijd as extended by a verlenging (WIA 24), else E."""
    if verlenging_until is not None:
        return verlenging_until
    return statutory_wachttijd_end(clock)
