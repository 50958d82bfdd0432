"""Hypothesis properties of the RIV check over random cases built from the rules module's own generators
(tests/poortwachter/test_properties.py), enriched so that complete RIVs occur often."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import find, given, settings
from hypothesis import strategies as st

from app.poortwachter import Milestone, SubmittedReport, Track, evaluate
from app.reintegratieverslag.check import (
    BLOCKING_STATUSES,
    PART_KEYS,
    PART_OBLIGATIONS,
    RivCase,
    RivCheck,
    check,
)
from app.reintegratieverslag.documents import SIGNER_PARTIES, DocumentRef, required_signers
from tests.poortwachter.test_properties import cases

SETTINGS = settings(max_examples=300, deadline=None)
# The milestones the parts read, in the order a dossier usually gets them.
RIV_MILESTONES = (
    "probleemanalyse",
    "plan_van_aanpak",
    "ziekmelding_uwv",
    "eerstejaarsevaluatie",
    "actueel_oordeel",
    "eindevaluatie",
    "oordeel_werknemer",
    "reintegratieverslag",
    "bijstellingsadvies",
    "bijstelling_plan_van_aanpak",
)
DOCUMENTED = frozenset(RIV_MILESTONES) - {"ziekmelding_uwv", "reintegratieverslag"}


@st.composite
def riv_cases(draw: st.DrawFn) -> tuple[RivCase, date]:
    facts, as_of = draw(cases())
    d = facts.absence_periods[0].first_day
    milestones = list(facts.milestones)
    tracks = list(facts.tracks)
    reports = list(facts.reports)
    if draw(st.integers(0, 3)) != 3:
        # A dossier in good order: each part's milestone near its usual day, week-91 items in their order, a
        # bijstelling after its advice, a spoor 2 track; each may be left out or shifted.
        offsets = st.integers(-10, 30)
        usual = {"probleemanalyse": 35, "plan_van_aanpak": 45, "ziekmelding_uwv": 288, "eerstejaarsevaluatie": 340}
        usual["bijstellingsadvies"] = draw(st.integers(60, 500))
        usual["bijstelling_plan_van_aanpak"] = usual["bijstellingsadvies"] + 7 - draw(st.integers(0, 10))
        usual["actueel_oordeel"] = 610 - draw(st.integers(0, 30))
        usual["eindevaluatie"] = usual["actueel_oordeel"] + 7 - draw(st.integers(0, 10))
        usual["oordeel_werknemer"] = usual["eindevaluatie"] + 7 - draw(st.integers(0, 10))
        usual["reintegratieverslag"] = usual["oordeel_werknemer"] + draw(st.integers(0, 7))
        for type_ in RIV_MILESTONES:
            if draw(st.integers(0, 12)) == 12:
                continue  # sometimes a part stays missing
            shift = draw(offsets) if type_ in ("probleemanalyse", "plan_van_aanpak", "eerstejaarsevaluatie") else 0
            on = d + timedelta(days=usual[type_] + shift)
            milestones.append(Milestone(type_, on, id=f"riv{len(milestones)}"))
        if draw(st.integers(0, 5)) != 5:
            track = Track(f"s2-{len(tracks)}", 2, d + timedelta(days=draw(st.integers(330, 420))))
            tracks.append(track)
            month = track.started_on.replace(day=1)
            while month < d + timedelta(days=760):
                following = (month + timedelta(days=32)).replace(day=1)
                if draw(st.integers(0, 20)) != 20:
                    reports.append(
                        SubmittedReport(f"r{len(reports)}", track.id, f"{month:%Y-%m}", following + timedelta(days=9))
                    )
                month = following
        as_of = d + timedelta(days=645 - draw(st.integers(0, 100)) + 100 * (draw(st.integers(0, 9)) == 9))
    facts = replace(facts, milestones=tuple(milestones), tracks=tuple(tracks), reports=tuple(reports))
    documents = []
    created = datetime(2020, 1, 1, tzinfo=UTC)
    for m in milestones:
        if m.type in DOCUMENTED and draw(st.integers(0, 5)) != 5:
            supplied = (
                "bedrijfsarts"
                if m.type in ("probleemanalyse", "bijstellingsadvies", "actueel_oordeel")
                else "werkgever"
            )
            signers = required_signers(m.type, supplied) if draw(st.integers(0, 5)) != 5 else ()
            documents.append(
                DocumentRef(
                    f"doc{len(documents)}",
                    m.type,
                    m.occurred_on,
                    supplied,
                    signers,
                    True,
                    "application/pdf",
                    1000,
                    m.id,
                    created,
                )
            )
    if draw(st.integers(0, 4)) != 4:
        on = d + timedelta(days=draw(st.integers(300, 600)))
        documents.append(
            DocumentRef(
                "ad",
                "arbeidsdeskundig_rapport",
                on,
                "reintegratiebureau",
                ("reintegratiebureau",),
                True,
                "application/pdf",
                1000,
                None,
                created,
            )
        )
    case = RivCase("case", d, draw(st.integers(0, 9)) != 9, draw(st.integers(0, 9)) != 9, facts, (), tuple(documents))
    return case, as_of


def run(case_and_day: tuple[RivCase, date]) -> RivCheck:
    case, as_of = case_and_day
    return check(case, evaluate(case.facts, as_of), as_of)


@SETTINGS
@given(riv_cases())
def test_never_complete_while_a_tied_obligation_is_overdue(case_and_day: tuple[RivCase, date]) -> None:
    case, as_of = case_and_day
    compliance = evaluate(case.facts, as_of)
    result = check(case, compliance, as_of)
    overdue = {ob.code for ob in compliance.obligations if ob.status == "overdue"}
    for part in result.parts:
        if part.obligation in overdue:
            assert part.status in BLOCKING_STATUSES, (part.part, part.status, part.obligation)
    if result.complete:
        assert not overdue & set(PART_OBLIGATIONS.values()), overdue


@SETTINGS
@given(riv_cases())
def test_shape_of_every_answer(case_and_day: tuple[RivCase, date]) -> None:
    result = run(case_and_day)
    assert tuple(p.part for p in result.parts) == PART_KEYS
    assert result.blocking == tuple(p.part for p in result.parts if p.status in BLOCKING_STATUSES)
    assert result.complete == (not result.blocking)
    assert result.upload_ready == (result.complete and all(p.documents_ok is not False for p in result.parts))
    for part in result.parts:
        assert set(part.action_by) <= set(SIGNER_PARTIES)
        if part.status == "not_required" or (part.status == "present" and part.documents_ok is not False):
            assert part.action_by == ()
        else:
            assert part.action_by
        if part.status in ("missing", "not_required") or part.part in ("ziekmelding_en_gegevens", "spoor_2_overzicht"):
            assert part.documents_ok is None
            assert all(f.code != "document_missing" for f in part.findings)
        keys = [(e.date.isoformat(), e.type, e.id) for e in part.evidence]
        assert keys == sorted(keys)


def test_the_generator_reaches_complete_and_upload_ready_answers() -> None:
    # Otherwise the property above would hold for want of a complete RIV.
    find(riv_cases(), lambda c: run(c).upload_ready, settings=settings(max_examples=2000, deadline=None))
