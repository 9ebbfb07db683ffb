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


class FileOffsetClock(Clock):
    """The system clock moved forward by the seconds written in a file (end-to-end tests of real processes move
    time without sleeping). Never configured in production: see COMMISSIONING_CLOCK_OFFSET_FILE."""

    def __init__(self, path: str) -> None:
        self.path = path

    def offset(self) -> timedelta:
        try:
            with open(self.path) as handle:
                return timedelta(seconds=float(handle.read().strip() or 0))
        except FileNotFoundError:
            return timedelta(0)

    def now(self) -> datetime:
        return super().now() + self.offset()
