"""The worked examples A-K of domain section 7 (v2) through the pure rules, every date and status they give."""

from dataclasses import asdict
from datetime import date

import pytest

from app.poortwachter import CaseFacts, Milestone, Period, SubmittedReport, Track, evaluate

from .examples_v2 import EXAMPLES, Example, verify

_RULE_FIELDS = (
    "until",
    "percentage",
    "obligation",
    "new_due_on",
    "geen_benutbare_mogelijkheden",
    "casemanager",
    "hersteld",
    "uitkering",
    "werk",
)


def _value(name: str, value: object) -> object:
    return date.fromisoformat(value) if name in ("until", "new_due_on") and isinstance(value, str) else value


def facts_of(example: Example) -> CaseFacts:
    return CaseFacts(
        absence_periods=tuple(
            Period(date.fromisoformat(first), date.fromisoformat(last) if last else None)
            for first, last in example.periods
        ),
        milestones=tuple(
            Milestone(
                f.type,
                date.fromisoformat(f.on),
                id=f"m{i}",
                **{k: _value(k, v) for k, v in f.fields.items() if k in _RULE_FIELDS},  # type: ignore[arg-type]
            )
            for i, f in enumerate(example.facts)
        ),
        tracks=tuple(
            Track(
                t.key,
                t.spoor,
                date.fromisoformat(t.started_on),
                date.fromisoformat(t.ended_on) if t.ended_on else None,
            )
            for t in example.tracks
        ),
        reports=tuple(
            SubmittedReport(f"r{i}", track, period, date.fromisoformat(sent))
            for i, (track, period, sent) in enumerate(example.reports)
        ),
    )


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_worked_example(example: Example) -> None:
    facts = facts_of(example)
    for check in example.checks:
        result = evaluate(facts, date.fromisoformat(check.as_of))
        top = {
            "wachttijd_end": result.wachttijd_end,
            "verlenging_end": result.verlenging_end,
            "loondoorbetaling_end": result.loondoorbetaling_end,
            "phase": result.phase,
            "sick_week": result.sick_week,
            "loonsanctie_risk": result.loonsanctie_risk,
            "wia_uitkering": result.wia_uitkering,
        }
        obligations = [asdict(ob) for ob in result.obligations]
        outstanding = {party: [ob.code for ob in items] for party, items in result.outstanding.items()}
        verify(example, check, top, obligations, outstanding, {t.key: t.key for t in example.tracks})
