"""Time for background work: the system clock in service, a clock the tests move by hand."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class Clock(Protocol):
    """What background jobs ask the time of. Deadlines are Dutch calendar days, hence `today` in Amsterdam."""

    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...

    def today(self) -> date:
        """The current date in Europe/Amsterdam."""
        ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return datetime.now(AMSTERDAM).date()


class MovableClock:
    """A clock that stands still until moved (`set`, `advance`). Safe to move from another thread (a test
    driving a server in a thread). Listeners (`on_move`) are called after each move: the background workers
    subscribe, so a move wakes every job at once instead of waiting for its next poll."""

    def __init__(self, start: datetime | date | None = None) -> None:
        self._lock = threading.Lock()
        self._now = _instant(start) if start is not None else datetime.now(UTC)
        self._listeners: list[Callable[[], None]] = []

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def today(self) -> date:
        return self.now().astimezone(AMSTERDAM).date()

    def set(self, when: datetime | date) -> None:
        """Move to an instant (naive means UTC) or to noon, Amsterdam time, of a date."""
        with self._lock:
            self._now = _instant(when)
        self._moved()

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> None:
        """Move forward by `delta` or by timedelta keywords (`days=3`, `seconds=30`)."""
        step = delta if delta is not None else timedelta(**kwargs)
        with self._lock:
            self._now = self._now + step
        self._moved()

    def on_move(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` after every move; answers a function that unsubscribes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _moved(self) -> None:
        for listener in list(self._listeners):
            listener()


def _instant(when: datetime | date) -> datetime:
    if isinstance(when, datetime):
        return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return datetime(when.year, when.month, when.day, 12, tzinfo=AMSTERDAM).astimezone(UTC)
