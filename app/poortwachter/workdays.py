"""Working days for the 42e-weeksmelding: weekends and the Algemene termijnenwet holidays are not."""

from datetime import date, timedelta

from dateutil.easter import easter  # type: ignore[import-untyped]

_holiday_cache: dict[int, frozenset[date]] = {}


def non_working_holidays(year: int) -> frozenset[date]:
    """The holidays of domain section 2a in ``year`` (cached): exactly that list, nothing more.

    ``holidays.NL`` is not used as the source because it follows the calendar, not the
    Algemene termijnenwet (5 mei only every fifth year); Easter comes from dateutil, which
    ``holidays`` itself uses.
    """
    cached = _holiday_cache.get(year)
    if cached is not None:
        return cached
    easter_sunday: date = easter(year)
    kings_day = date(year, 4, 27)
    if kings_day.weekday() == 6:
        kings_day = date(year, 4, 26)
    days = frozenset(
        {
            date(year, 1, 1),  # Nieuwjaarsdag
            easter_sunday - timedelta(days=2),  # Goede Vrijdag
            easter_sunday + timedelta(days=1),  # Tweede Paasdag
            kings_day,  # Koningsdag
            date(year, 5, 5),  # Bevrijdingsdag, every year under the Algemene termijnenwet
            easter_sunday + timedelta(days=39),  # Hemelvaartsdag
            easter_sunday + timedelta(days=50),  # Tweede Pinksterdag
            date(year, 12, 25),  # Eerste Kerstdag
            date(year, 12, 26),  # Tweede Kerstdag
        }
    )
    _holiday_cache[year] = days
    return days


def is_non_working_day(day: date) -> bool:
    """Saturday, Sunday or one of the Algemene termijnenwet holidays."""
    return day.weekday() >= 5 or day in non_working_holidays(day.year)


def first_working_day_on_or_after(day: date) -> date:
    """The day itself when it is a working day, else the next working day."""
    while is_non_working_day(day):
        day += timedelta(days=1)
    return day


def last_working_day_on_or_before(day: date) -> date:
    """The day itself when it is a working day, else the working day before it."""
    while is_non_working_day(day):
        day -= timedelta(days=1)
    return day
