"""Stored rows of a case as the facts of the rules module."""

from __future__ import annotations

from app import poortwachter
from app.cases.facts import absence_periods, leave_periods
from app.compliance.repository import CaseRows


def to_facts(rows: CaseRows) -> poortwachter.CaseFacts:
    return poortwachter.CaseFacts(
        absence_periods=absence_periods(rows.absence_periods),
        leave_periods=leave_periods(rows.leave_periods),
        milestones=tuple(
            poortwachter.Milestone(
                type=m["type"],
                occurred_on=m["occurred_on"],
                id=str(m["id"]),
                until=m["until"],
                percentage=m["percentage"],
                obligation=m["obligation"],
                new_due_on=m["new_due_on"],
                geen_benutbare_mogelijkheden=bool(m["geen_benutbare_mogelijkheden"]),
                casemanager=m["casemanager"],
                hersteld=m["hersteld"],
                uitkering=m["uitkering"],
                werk=m["werk"],
            )
            for m in rows.milestones
        ),
        tracks=tuple(
            poortwachter.Track(id=str(t["id"]), spoor=t["spoor"], started_on=t["started_on"], ended_on=t["ended_on"])
            for t in rows.tracks
        ),
        reports=tuple(
            poortwachter.SubmittedReport(
                id=str(r["id"]), track_id=str(r["track_id"]), period=r["period"], submitted_on=r["submitted_on"]
            )
            for r in rows.reports
        ),
        closed_on=rows.closed_on,
    )
