"""The worked examples A-K of domain section 7 (v2), with the variants inside them, through the HTTP API exact to
the day: the case answer and the portfolio's rows (stored snapshots or direct evaluation) for the same case."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.cases import service as cases_service
from tests.conftest import World, assert_problem, create_case
from tests.poortwachter.examples_v2 import EXAMPLES, I_LATE_DECISION, D, Example, F, Fact, G, verify
from tests.workflows import add_report, report_content, start_track

STATUSES = ("done", "waived", "overdue", "open", "upcoming", "suspended", "lapsed")


@pytest.fixture(autouse=True)
def _recording_day(monkeypatch: pytest.MonkeyPatch) -> None:
    # The examples record facts up to 2027: the service's day of recording is moved past them.
    monkeypatch.setattr(cases_service, "today", lambda: date(2030, 1, 1))


async def _record(world: World, case_id: str, fact: Fact) -> Any:
    return await world.bureau.post(
        f"/v1/cases/{case_id}/milestones", json={"type": fact.type, "occurred_on": fact.on, **fact.fields}
    )


async def build(world: World, example: Example) -> tuple[dict[str, Any], dict[str, str]]:
    case = await create_case(
        world,
        absence_periods=[{"first_day": first, "last_day": last} for first, last in example.periods],
        employer_is_wga_eigenrisicodrager=example.wga_eigenrisicodrager,
    )
    for fact in example.facts:
        response = await _record(world, case["id"], fact)
        assert response.status_code == 201, (example.name, fact, response.text)
    track_ids: dict[str, str] = {}
    for track in example.tracks:
        started = await start_track(world.bureau, case["id"], spoor=track.spoor, started_on=track.started_on)
        track_ids[track.key] = started["id"]
    for key, period, sent in example.reports:
        report = await add_report(world.bureau, track_ids[key], period, **report_content(period))
        submitted = await world.bureau.post(f"/v1/progress-reports/{report['id']}/submit", json={"submitted_on": sent})
        assert submitted.status_code == 200, submitted.text
    for track in example.tracks:
        if track.ended_on is not None:
            ended = await world.bureau.post(
                f"/v1/tracks/{track_ids[track.key]}/end", json={"ended_on": track.ended_on, "end_reason": "afgerond"}
            )
            assert ended.status_code == 200, ended.text
    return case, {track_id: key for key, track_id in track_ids.items()}


async def _portfolio_rows(world: World, case_id: str, as_of: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"as_of": as_of, "status": list(STATUSES), "limit": 200}
        if cursor:
            params["cursor"] = cursor
        page = (await world.bureau.get("/v1/compliance", params=params)).json()
        rows += [row for row in page["items"] if row["case_id"] == case_id]
        cursor = page["next_cursor"]
        if not cursor:
            return rows


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
async def test_worked_example_over_http(world: World, example: Example) -> None:
    case, track_keys = await build(world, example)
    for check in example.checks:
        response = await world.bureau.get(f"/v1/cases/{case['id']}/compliance", params={"as_of": check.as_of})
        assert response.status_code == 200, response.text
        body = response.json()
        outstanding = {party: [ob["code"] for ob in items] for party, items in body["outstanding"].items()}
        verify(example, check, body, body["obligations"], outstanding, track_keys)
        # The portfolio gives the same rows for the case, from its stored snapshot or evaluated directly.
        rows = await _portfolio_rows(world, case["id"], check.as_of)
        strip = [{k: v for k, v in row.items() if k not in ("case_id", "external_ref")} for row in rows]
        assert sorted(strip, key=repr) == sorted(body["obligations"], key=repr), (example.name, check.as_of)


async def test_example_d_afwijking_on_spoor_2_is_rejected(world: World) -> None:
    case, _ = await build(world, D)
    response = await _record(
        world,
        case["id"],
        Fact(
            "afwijking",
            "2025-01-10",
            {"obligation": "start_spoor_2", "reason": "terugkeer", "new_due_on": "2025-04-06"},
        ),
    )
    assert assert_problem(response, 422)["rule"] == "afwijking_code"


async def test_example_g_afwijking_on_uwv_terms_is_rejected(world: World) -> None:
    case, _ = await build(world, G)
    for code in ("start_spoor_2", "ziekmelding_uwv"):
        fact = Fact("afwijking", "2025-06-10", {"obligation": code, "reason": "x", "new_due_on": "2025-07-15"})
        assert assert_problem(await _record(world, case["id"], fact), 422)["rule"] == "afwijking_code"


async def test_example_f_iva_rejects_spoor_3(world: World) -> None:
    iva = F.without("wia_beslissing").plus(
        Fact("wia_beslissing", "2024-12-16", {"percentage": 100, "uitkering": "iva"})
    )
    iva = Example("F-iva", iva.periods, iva.facts, (), wga_eigenrisicodrager=True)
    case, _ = await build(world, iva)
    response = await world.bureau.post(f"/v1/cases/{case['id']}/tracks", json={"spoor": 3, "started_on": "2025-01-06"})
    assert assert_problem(response, 422)["unmet_condition"] == "wia_uitkering"


async def test_example_i_late_decision_bounds_the_sanction(world: World) -> None:
    base = I_LATE_DECISION.without("loonsanctie", "herstelmelding", "herstelbeslissing")
    case, _ = await build(world, Example("I-bounds", base.periods, base.facts, ()))
    too_long = Fact("loonsanctie", "2025-04-03", {"until": "2026-05-03"})
    assert assert_problem(await _record(world, case["id"], too_long), 422)["rule"] == "loonsanctie_bounds"
    longest = Fact("loonsanctie", "2025-04-03", {"until": "2026-04-22"})
    assert (await _record(world, case["id"], longest)).status_code == 201
