"""Working days for the 42e-weeksmelding (Algemene termijnenwet holidays)."""

from datetime import date, timedelta

import holidays
import pytest

from app.poortwachter import first_working_day_on_or_after, is_non_working_day, non_working_holidays

from . import d


def test_holidays_of_2026_exactly() -> None:
    assert non_working_holidays(2026) == {
        d("2026-01-01"),  # Nieuwjaarsdag
        d("2026-04-03"),  # Goede Vrijdag
        d("2026-04-06"),  # Tweede Paasdag
        d("2026-04-27"),  # Koningsdag
        d("2026-05-05"),  # 5 mei, also outside lustrum years
        d("2026-05-14"),  # Hemelvaartsdag
        d("2026-05-25"),  # Tweede Pinksterdag
        d("2026-12-25"),
        d("2026-12-26"),
    }


def test_koningsdag_moves_to_26_april_when_27_april_is_a_sunday() -> None:
    assert date(2025, 4, 27).weekday() == 6
    assert d("2025-04-26") in non_working_holidays(2025)
    assert d("2025-04-27") not in non_working_holidays(2025)


@pytest.mark.parametrize(
    ("day", "first_working_day"),
    [
        ("2025-11-01", "2025-11-03"),  # Saturday
        ("2025-11-02", "2025-11-03"),  # Sunday
        ("2025-11-03", "2025-11-03"),  # Monday
        ("2026-04-03", "2026-04-07"),  # Goede Vrijdag, weekend, Tweede Paasdag
        ("2026-04-27", "2026-04-28"),  # Koningsdag on a Monday
        ("2025-04-26", "2025-04-28"),  # Koningsdag on the 26th
        ("2026-05-05", "2026-05-06"),  # 5 mei in a non-lustrum year
        ("2026-05-14", "2026-05-15"),  # Hemelvaartsdag
        ("2026-05-25", "2026-05-26"),  # Tweede Pinksterdag
        ("2025-12-25", "2025-12-29"),  # Kerst, Tweede Kerstdag, weekend
        ("2026-01-01", "2026-01-02"),  # Nieuwjaarsdag
    ],
)
def test_first_working_day_on_or_after(day: str, first_working_day: str) -> None:
    assert first_working_day_on_or_after(d(day)) == d(first_working_day)


def test_agrees_with_the_holidays_package_where_the_law_does_too() -> None:
    """``holidays.NL`` follows the calendar; the Algemene termijnenwet differs only on 5 mei."""
    for year in range(2014, 2041):
        ours = non_working_holidays(year)
        # Sundays are non-working anyway (Eerste Paas- and Pinksterdag, Koningsdag never).
        theirs = {day for day in holidays.country_holidays("NL", years=year) if day.weekday() != 6}
        assert theirs - ours == set(), year
        assert {day for day in ours - theirs if day.weekday() != 6} <= {date(year, 5, 5)}, year


def test_non_working_days_over_a_year() -> None:
    start = d("2027-01-01")
    non_working = [start + timedelta(days=i) for i in range(365) if is_non_working_day(start + timedelta(days=i))]
    weekdays_off = [day for day in non_working if day.weekday() < 5]
    # 2027: Nieuwjaarsdag (Fri), Goede Vrijdag 26/3, Tweede Paasdag 29/3, Koningsdag Tue 27/4,
    # 5 mei (Wed), Hemelvaart 6/5, Tweede Pinksterdag 17/5; Kerst falls on the weekend.
    assert weekdays_off == [
        d("2027-01-01"),
        d("2027-03-26"),
        d("2027-03-29"),
        d("2027-04-27"),
        d("2027-05-05"),
        d("2027-05-06"),
        d("2027-05-17"),
    ]
