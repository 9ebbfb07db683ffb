"""The service's clock. Deadlines are enforced by it on every write; tests replace it to control time."""

from __future__ import annotations

import calendar
import os
import time
from datetime import UTC, date, datetime, timedelta
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
        self._read: tuple[tuple[int, int, int], timedelta] | None = None  # (the file's stat, its offset)

    def offset(self) -> timedelta:
        """Read again only when the file may have changed (one stat per reading, not an open and a read: the
        bench's burst reads the clock on every offer). File times tick coarsely (a few milliseconds), so a file
        written in the last 50 ms is read every time."""
        try:
            seen = os.stat(self.path)
        except FileNotFoundError:
            return timedelta(0)
        version = (seen.st_mtime_ns, seen.st_size, seen.st_ino)
        settled = time.time_ns() - seen.st_mtime_ns > 50_000_000
        if self._read is None or self._read[0] != version or not settled:
            try:
                with open(self.path) as handle:
                    self._read = version, timedelta(seconds=float(handle.read().strip() or 0))
            except FileNotFoundError:
                return timedelta(0)
        return self._read[1]

    def now(self) -> datetime:
        return super().now() + self.offset()


def add_years(day: date, years: int) -> date:
    """The same calendar date `years` later (or earlier); 29 February becomes 28 February in a common year (the
    last day of the month, as art. 112 of the Civil Code counts terms)."""
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def within_years(start: date, end: date, years: int) -> bool:
    """Does the period start..end (both days included) last at most `years` calendar years? A 3-year period from
    1 January 2026 ends on 31 December 2028 at the latest, whatever leap days it holds."""
    return end < add_years(start, years)
