"""The pure RIV check on hand-made facts: the rules the worked examples do not reach."""

from __future__ import annotations

from datetime import date

from app.poortwachter import CaseFacts, Milestone, Period, Track, evaluate
from app.reintegratieverslag.check import Part, RivCase, RivCheck, check


def _check(
    milestones: list[tuple[str, str]], as_of: str, tracks: tuple[Track, ...] = ()
) -> tuple[RivCheck, dict[str, Part]]:
    facts = CaseFacts(
        absence_periods=(Period(date(2025, 1, 6), None),),
        milestones=tuple(Milestone(t, date.fromisoformat(on), id=f"m{i}") for i, (t, on) in enumerate(milestones)),
        tracks=tracks,
    )
    day = date.fromisoformat(as_of)
    case = RivCase("c", date(2025, 1, 6), True, True, facts)
    result = check(case, evaluate(facts, day), day)
    return result, {p.part: p for p in result.parts}


def test_an_oordeel_before_w91_kept_fresh_by_an_early_aanvraag_is_stale_once_overdue() -> None:
    # r is the early aanvraag (2026-08-01): the oordeel of 2026-07-20 is 12 days old there, so the spec's table alone
    # would call it present; compliance shows actueel_oordeel overdue (dated before W91 = 2026-08-31).
    result, found = _check([("actueel_oordeel", "2026-07-20"), ("wia_aanvraag", "2026-08-01")], "2026-10-10")
    part = found["actueel_oordeel"]
    assert result.reference_date == date(2026, 8, 1)
    assert part.status == "stale"
    assert [(f.code, f.ref) for f in part.findings] == [
        ("obligation_overdue", "actueel_oordeel"),
        ("document_missing", "m0"),
    ]
    assert part.action_by == ("bedrijfsarts",)
    # Before the due date the item is open, not overdue: the part is present.
    _, before = _check([("actueel_oordeel", "2026-07-20"), ("wia_aanvraag", "2026-08-01")], "2026-10-01")
    assert before["actueel_oordeel"].status == "present"


def test_ties_earliest_and_latest_follow_the_recording_order() -> None:
    _, found = _check(
        [
            ("eindevaluatie", "2026-09-21"),
            ("eindevaluatie", "2026-09-21"),
            ("probleemanalyse", "2025-02-12"),
            ("probleemanalyse", "2025-02-12"),
        ],
        "2026-10-01",
    )
    assert [e.id for e in found["eindevaluatie"].evidence] == ["m1"]  # the last recorded
    assert [e.id for e in found["probleemanalyse"].evidence] == ["m2"]  # the first recorded


def test_spoor_2_not_required_while_waived_and_no_track() -> None:
    waived = [("eerstejaarsevaluatie", "2025-12-15"), ("spoor_2_niet_ingezet", "2025-12-15")]
    facts_until = {"until": date(2026, 12, 31)}
    facts = CaseFacts(
        absence_periods=(Period(date(2025, 1, 6), None),),
        milestones=(
            Milestone(waived[0][0], date(2025, 12, 15), id="m0"),
            Milestone(waived[1][0], date(2025, 12, 15), id="m1", **facts_until),  # type: ignore[arg-type]
        ),
    )
    day = date(2026, 3, 1)
    compliance = evaluate(facts, day)
    assert next(ob for ob in compliance.obligations if ob.code == "start_spoor_2").status == "waived"
    parts = {p.part: p for p in check(RivCase("c", date(2025, 1, 6), True, True, facts), compliance, day).parts}
    assert (parts["spoor_2_overzicht"].status, parts["arbeidsdeskundig_rapport"].status) == (
        "not_required",
        "not_required",
    )
    assert parts["spoor_2_overzicht"].action_by == () and parts["arbeidsdeskundig_rapport"].documents_ok is None
    with_track = replace_tracks(facts, (Track("t", 2, date(2026, 2, 1)),))
    parts = {
        p.part: p
        for p in check(RivCase("c", date(2025, 1, 6), True, True, with_track), evaluate(with_track, day), day).parts
    }
    assert parts["spoor_2_overzicht"].status != "not_required"  # a started spoor 2 must be reported on


def replace_tracks(facts: CaseFacts, tracks: tuple[Track, ...]) -> CaseFacts:
    from dataclasses import replace

    return replace(facts, tracks=tracks)
