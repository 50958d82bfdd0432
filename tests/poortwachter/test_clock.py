"""The sick-day clock, samentelling and the validation of absence and leave periods."""

from datetime import date, timedelta

import pytest

from app.poortwachter import (
    CaseFactsError,
    SickClock,
    check_absence_periods,
    check_leave_periods,
    counted_index,
    end_of_week,
    sick_week,
    sickday,
    statutory_wachttijd_end,
    wachttijd_end,
)

from . import d, leave, period


def test_without_gaps_sickday_is_d_plus_k() -> None:
    clock = SickClock([period("2025-01-06")])
    assert sickday(clock, 0) == d("2025-01-06")
    assert sickday(clock, 41) == d("2025-02-16")
    assert end_of_week(clock, 6) == d("2025-02-16")
    assert counted_index(clock, d("2025-02-16")) == 41
    assert counted_index(clock, d("2024-12-31")) == 0  # before D


@pytest.mark.parametrize(
    ("first_sick_day", "wachttijd_last_day"),
    [
        ("2024-02-29", "2026-02-25"),  # 104 weeks is not two calendar years
        ("2023-03-01", "2025-02-25"),
        ("2025-01-06", "2027-01-03"),
        ("2024-01-15", "2026-01-11"),
        ("2027-12-31", "2029-12-27"),  # across 29 February 2028
    ],
)
def test_wachttijd_is_728_counted_days(first_sick_day: str, wachttijd_last_day: str) -> None:
    clock = SickClock([period(first_sick_day)])
    assert statutory_wachttijd_end(clock) == d(wachttijd_last_day)
    assert wachttijd_end(clock) == d(wachttijd_last_day)
    assert wachttijd_end(clock, d("2030-01-01")) == d("2030-01-01")


def test_week_93_ends_eleven_weeks_before_the_wachttijd_ends() -> None:
    clock = SickClock([period("2025-01-06")])
    assert end_of_week(clock, 93) == statutory_wachttijd_end(clock) - timedelta(days=77)


@pytest.mark.parametrize(
    ("interruption", "summed"),
    [(0, True), (1, True), (27, True), (28, False), (40, False)],
)
def test_samentelling_boundary(interruption: int, summed: bool) -> None:
    first = period("2025-01-01", "2025-01-10")
    relapse = period((d("2025-01-11") + timedelta(days=interruption)).isoformat())
    if summed:
        check_absence_periods([first, relapse])
        clock = SickClock([first, relapse])
        assert sickday(clock, 9) == d("2025-01-10")
        assert sickday(clock, 10) == relapse.first_day
    else:
        with pytest.raises(ValueError, match="starts a new case"):
            check_absence_periods([first, relapse])


def test_gap_pauses_the_clock_and_gap_days_take_the_next_index() -> None:
    clock = SickClock([period("2025-03-03", "2025-03-30"), period("2025-04-21")])
    assert sickday(clock, 27) == d("2025-03-30")
    assert sickday(clock, 28) == d("2025-04-21")
    assert counted_index(clock, d("2025-04-01")) == 28
    assert counted_index(clock, d("2025-04-21")) == 28
    assert sick_week(clock, d("2025-04-10")) == 5  # next counted day (index 28) lies in week 5


def test_after_the_last_period_the_clock_runs_on() -> None:
    """A recovered case keeps the due dates it would have had had the sickness gone on."""
    clock = SickClock([period("2025-01-06", "2025-02-01")])
    assert sickday(clock, 727) == d("2027-01-03")
    assert counted_index(clock, d("2025-03-01")) == 54


def test_wazo_leave_shifts_the_clock() -> None:
    # 112 days of leave, inside the absence period.
    clock = SickClock([period("2025-01-06")], [leave("2025-03-01", "2025-06-20")])
    assert sickday(clock, 41) == d("2025-02-16")  # before the leave: untouched
    assert sickday(clock, 53) == d("2025-02-28")
    assert sickday(clock, 54) == d("2025-06-21")
    assert sickday(clock, 294) == d("2026-02-16")  # 2025-10-27 + 112 days
    assert counted_index(clock, d("2025-04-15")) == 54  # a leave day takes the next counted day
    assert sick_week(clock, d("2025-04-15")) == 8


def test_leave_and_gap_together() -> None:
    clock = SickClock(
        [period("2025-01-01", "2025-01-31"), period("2025-02-10")],
        [leave("2025-01-21", "2025-01-31"), leave("2025-02-10", "2025-02-12")],
    )
    assert [sickday(clock, k) for k in (19, 20, 21)] == [d("2025-01-20"), d("2025-02-13"), d("2025-02-14")]


def test_sick_week_is_none_before_d() -> None:
    clock = SickClock([period("2025-01-06")])
    assert sick_week(clock, d("2025-01-05")) is None
    assert sick_week(clock, d("2025-01-06")) == 1
    assert sick_week(clock, d("2025-01-12")) == 1
    assert sick_week(clock, d("2025-01-13")) == 2


def test_negative_index_is_refused() -> None:
    with pytest.raises(ValueError):
        sickday(SickClock([period("2025-01-06")]), -1)


@pytest.mark.parametrize(
    ("periods", "message", "field"),
    [
        ([], "no absence period", "absence_periods"),
        ([period("2025-01-10", "2025-01-01")], "last_day is before first_day", "absence_periods[0]"),
        ([period("2025-01-01"), period("2025-02-01")], "only the last period may be open", "absence_periods[0]"),
        (
            [period("2025-02-01", "2025-02-10"), period("2025-01-01", "2025-01-10")],
            "not in order",
            "absence_periods[1]",
        ),
        (
            [period("2025-01-01", "2025-01-10"), period("2025-01-10", "2025-01-20")],
            "overlap",
            "absence_periods[1]",
        ),
        (
            [period("2025-01-01", "2025-01-10"), period("2025-02-08")],
            "an interruption of 28 days",
            "absence_periods[1]",
        ),
    ],
)
def test_invalid_absence_periods(periods: list[object], message: str, field: str) -> None:
    with pytest.raises(CaseFactsError, match=message) as raised:
        check_absence_periods(periods)  # type: ignore[arg-type]
    assert raised.value.field == field
    assert isinstance(raised.value, ValueError)


def test_valid_leave_periods() -> None:
    periods = [period("2025-01-01", "2025-03-31"), period("2025-04-10")]
    check_leave_periods(periods, [leave("2025-02-01", "2025-03-31"), leave("2025-05-01", "2025-08-01")])
    check_leave_periods(periods, [])


@pytest.mark.parametrize(
    ("leaves", "message"),
    [
        ([leave("2025-03-20", "2025-04-15")], "not inside an absence period"),  # runs into the gap
        ([leave("2024-12-20", "2025-01-05")], "not inside an absence period"),  # before D
        ([leave("2025-05-01", "2025-04-01")], "last_day is before first_day"),
        ([leave("2025-05-01", "2025-06-01"), leave("2025-06-01", "2025-07-01")], "overlap"),
        ([leave("2025-06-01", "2025-07-01"), leave("2025-05-01", "2025-06-10")], "overlap"),
    ],
)
def test_invalid_leave_periods(leaves: list[object], message: str) -> None:
    periods = [period("2025-01-01", "2025-03-31"), period("2025-04-10")]
    with pytest.raises(ValueError, match=message):
        check_leave_periods(periods, leaves)  # type: ignore[arg-type]


def naive_counted_days(periods: list[object], leaves: list[object], horizon: int) -> list[date]:
    """Day-by-day enumeration: the definition of the clock, without any cleverness."""
    from app.poortwachter import Leave, Period

    ps = [p for p in periods if isinstance(p, Period)]
    ls = [lv for lv in leaves if isinstance(lv, Leave)]
    days: list[date] = []
    day = ps[0].first_day
    while len(days) < horizon:
        in_period = any(
            p.first_day <= day and (p.last_day is None or i == len(ps) - 1 or day <= p.last_day)
            for i, p in enumerate(ps)
        )
        in_leave = any(lv.first_day <= day <= lv.last_day for lv in ls)
        if in_period and not in_leave:
            days.append(day)
        day += timedelta(days=1)
    return days


def test_clock_matches_day_by_day_enumeration() -> None:
    periods = [
        period("2024-01-29", "2024-03-01"),
        period("2024-03-20", "2024-09-30"),
        period("2024-10-05", "2025-01-01"),
    ]
    leaves = [leave("2024-02-01", "2024-02-05"), leave("2024-03-20", "2024-03-22"), leave("2024-06-01", "2024-09-30")]
    check_absence_periods(periods)
    check_leave_periods(periods, leaves)
    clock = SickClock(periods, leaves)
    expected = naive_counted_days(list(periods), list(leaves), 800)
    assert [clock.sickday(k) for k in range(800)] == expected
    for k, day in enumerate(expected):
        assert clock.counted_index(day) == k
