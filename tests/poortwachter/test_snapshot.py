"""A snapshot gives exactly what evaluate() gives, for every date between the latest fact and its horizon."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.poortwachter import CaseFacts, Milestone, Period, Track, evaluate
from app.poortwachter.snapshot import facts_through, obligations_on, take_snapshot
from tests.poortwachter.test_properties import cases


@settings(max_examples=400, deadline=None)
@given(cases(), st.integers(0, 1500), st.integers(0, 1500))
def test_snapshot_equals_evaluate(case_and_day: tuple[CaseFacts, date], after: int, horizon: int) -> None:
    facts, _ = case_and_day
    start = facts_through(facts)
    as_of = start + timedelta(days=after)
    valid_until = as_of + timedelta(days=horizon)
    snapshot = take_snapshot(facts, valid_until, report_grace_days=14)
    assert obligations_on(snapshot, as_of) == list(evaluate(facts, as_of, report_grace_days=14).obligations)


def test_snapshot_outside_its_validity_is_refused() -> None:
    facts = CaseFacts(
        (Period(date(2025, 1, 6), None),),
        milestones=(Milestone("probleemanalyse", date(2025, 2, 12), "m1"),),
        tracks=(Track("t1", 2, date(2026, 1, 20)),),
    )
    snapshot = take_snapshot(facts, date(2026, 6, 1))
    assert snapshot.facts_through == date(2026, 1, 20)
    for as_of in (date(2026, 1, 19), date(2026, 6, 2)):
        try:
            obligations_on(snapshot, as_of)
        except ValueError:
            continue
        raise AssertionError(f"{as_of} should be refused")
    # Inside: months of the running track are listed up to the month of as_of only.
    periods = [ob.period for ob in obligations_on(snapshot, date(2026, 3, 5)) if ob.period]
    assert periods == ["2026-01", "2026-02", "2026-03"]
