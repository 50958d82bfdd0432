"""A case's stored periods as values of the rules module."""

from __future__ import annotations

from datetime import date
from typing import Any

from app import poortwachter


def absence_periods(raw: list[dict[str, Any]]) -> tuple[poortwachter.Period, ...]:
    return tuple(
        poortwachter.Period(
            date.fromisoformat(p["first_day"]), date.fromisoformat(p["last_day"]) if p["last_day"] else None
        )
        for p in raw
    )


def leave_periods(raw: list[dict[str, Any]]) -> tuple[poortwachter.Leave, ...]:
    return tuple(poortwachter.Leave(date.fromisoformat(p["first_day"]), date.fromisoformat(p["last_day"])) for p in raw)


def sick_clock(absence: list[dict[str, Any]], leave: list[dict[str, Any]]) -> poortwachter.SickClock:
    """The sick-day clock of a case, from its stored `absence_periods` and `leave_periods`."""
    return poortwachter.SickClock(absence_periods(absence), leave_periods(leave))
