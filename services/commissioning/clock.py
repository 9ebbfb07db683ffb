"""The service's clock. Deadlines are enforced by it on every write; tests replace it to control time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

WARSAW = ZoneInfo("Europe/Warsaw")


class Clock:
    """The system clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock(Clock):
    """A clock that stands still until moved (tests, demos)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)

    def set(self, at: datetime) -> None:
        self.at = at


def warsaw_date(moment: datetime) -> str:
    """The legal (Europe/Warsaw) calendar date of a moment, ISO formatted."""
    return moment.astimezone(WARSAW).date().isoformat()
