"""Helpers for the bureau workflow tests: cases with tracks, reports and proposals through the API."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from app.cases.service import today
from tests.conftest import Actor, World, create_case


def future(days: int = 40) -> str:
    return (today() + timedelta(days=days)).isoformat()


def this_month() -> str:
    return today().strftime("%Y-%m")


def next_month() -> str:
    first = today().replace(day=1) + timedelta(days=32)
    return first.strftime("%Y-%m")


async def start_track(actor: Actor, case_id: str, **body: Any) -> dict[str, Any]:
    payload = {"spoor": 2, "started_on": "2026-01-19", "coach": "E. Bakker", "goal": "Passend werk buiten"}
    payload.update(body)
    response = await actor.post(f"/v1/cases/{case_id}/tracks", json=payload)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def spoor_2(world: World, **case_overrides: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A case (first sick day 2025-01-06) with a spoor 2 track from 2026-01-19."""
    case = await create_case(world, **case_overrides)
    return case, await start_track(world.bureau, case["id"])


async def add_proposal(actor: Actor, track_id: str, **body: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "prospective_employer": {"name": "Bouwbedrijf Smit", "kvk": "12345678", "place": "Zwolle"},
        "vacancy_title": "Magazijnmedewerker",
        "proposed_on": "2026-02-10",
        "channel": "vacature",
    }
    payload.update(body)
    response = await actor.post(f"/v1/tracks/{track_id}/candidate-proposals", json=payload)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def add_report(actor: Actor, track_id: str, period: str, **content: Any) -> dict[str, Any]:
    response = await actor.post(f"/v1/tracks/{track_id}/progress-reports", json={"period": period, **content})
    assert response.status_code == 201, response.text
    return dict(response.json())


def report_content(period: str) -> dict[str, Any]:
    """A full report for `period` (its activities dated in that month)."""
    return {
        "plan_progress": [
            {"goal": "Werkfit maken voor logistiek werk", "status": "on_track", "deviation": None},
            {"goal": "Sollicitatievaardigheden", "status": "behind", "deviation": "Training een week uitgesteld"},
        ],
        "belastbaarheid": {
            "description": "Kan 4 uur per dag licht fysiek werk doen; niet tillen boven 10 kg.",
            "hours_per_week": 20,
            "source": "bedrijfsarts",
            "assessed_on": f"{period}-02",
        },
        "activities": [
            {"on": f"{period}-05", "description": "Intake en werkfit-gesprek"},
            {"on": f"{period}-15", "description": "Sollicitatietraining, deel 1"},
        ],
        "houding_en_gedrag": "Komt afspraken na, is gemotiveerd en neemt zelf initiatief.",
        "bottlenecks": [{"bottleneck": "Reistijd naar Zwolle", "measure": "Werkgevers dichter bij huis zoeken"}],
        "next_steps": [{"action": "Gesprek bij Bouwbedrijf Smit", "due_on": f"{period}-25", "responsible": "jobcoach"}],
        "employee_comments": "Ik ben tevreden over de begeleiding.",
    }


def day(value: str) -> date:
    return date.fromisoformat(value)
