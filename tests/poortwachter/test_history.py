"""A case's history gives exactly what evaluate() gives on every date up to its horizon, before its latest fact
too; its status changes give the counts; and a history extended from a stored one equals one built afresh."""

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.poortwachter import CaseFacts, Milestone, Obligation, evaluate
from app.poortwachter.snapshot import HistoryRow, facts_through, history, history_on, status_changes
from tests.poortwachter.test_properties import cases


def _key(ob: Obligation) -> tuple[object, ...]:
    return (ob.due_on, ob.code, ob.period or "", ob.track_id or "")


def _counts(rows: list[HistoryRow], closed_on: date | None, as_of: date) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    for row in rows:
        for day, status, delta in status_changes(row, closed_on):
            if day <= as_of:
                counts[(row.item.code, status)] += delta
    return +counts


@settings(max_examples=300, deadline=None)
@given(cases(), st.integers(-400, 1500), st.integers(0, 1500))
def test_history_equals_evaluate(case_and_day: tuple[CaseFacts, date], offset: int, horizon: int) -> None:
    facts, _ = case_and_day
    first_day = facts.absence_periods[0].first_day
    as_of = first_day + timedelta(days=offset)
    valid_until = max(as_of, facts_through(facts)) + timedelta(days=horizon)
    _, _, rows = history(facts, valid_until, report_grace_days=14)
    expected = list(evaluate(facts, as_of, report_grace_days=14).obligations)
    assert sorted(history_on(rows, facts.closed_on, as_of), key=_key) == sorted(expected, key=_key)
    assert _counts(rows, facts.closed_on, as_of) == Counter((ob.code, ob.status) for ob in expected)


@settings(max_examples=150, deadline=None)
@given(cases(), st.integers(0, 60), st.sampled_from(["voortgangsgesprek", "probleemanalyse", "eerstejaarsevaluatie"]))
def test_history_extended_from_the_stored_one(case_and_day: tuple[CaseFacts, date], back: int, kind: str) -> None:
    facts, as_of = case_and_day
    horizon = max(as_of, facts_through(facts)) + timedelta(days=900)
    stored = history(facts, horizon, report_grace_days=14)
    later = replace(facts, milestones=(*facts.milestones, Milestone(kind, as_of - timedelta(days=back), "new")))
    _, fresh_versions, fresh_rows = history(later, horizon, report_grace_days=14)
    _, versions, rows = history(later, horizon, report_grace_days=14, stored=(stored[1], stored[2]))
    assert versions == fresh_versions

    def ordered(found: list[HistoryRow]) -> list[tuple[object, ...]]:
        return sorted((r.valid_from, r.valid_to, repr(r.item)) for r in found)

    assert ordered(rows) == ordered(fresh_rows)
