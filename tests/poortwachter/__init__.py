"""Unit tests of the pure Poortwachter rules; this package also holds their small fact builders."""

from datetime import date

from app.poortwachter import CaseFacts, Compliance, Leave, Milestone, Obligation, Period


def d(text: str) -> date:
    return date.fromisoformat(text)


def period(first: str, last: str | None = None) -> Period:
    return Period(d(first), d(last) if last else None)


def leave(first: str, last: str) -> Leave:
    return Leave(d(first), d(last))


def ms(kind: str, on: str, **extra: object) -> Milestone:
    return Milestone(kind, d(on), **extra)  # type: ignore[arg-type]


def case(*periods: Period, **rest: object) -> CaseFacts:
    return CaseFacts(absence_periods=periods, **rest)  # type: ignore[arg-type]


def one(result: Compliance, code: str) -> Obligation:
    found = [ob for ob in result.obligations if ob.code == code]
    assert len(found) == 1, f"{code}: {len(found)} items"
    return found[0]


def codes(items: tuple[Obligation, ...]) -> list[str]:
    return [ob.code for ob in items]
