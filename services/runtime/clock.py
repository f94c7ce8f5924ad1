"""The clock a service reads the time from: injected, so tests can fix it and replays can move it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from events.calendar import agency_date


class Clock(Protocol):
    """Where 'now' comes from."""

    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


class SystemClock:
    """The wall clock, in UTC."""

    def now(self) -> datetime:
        """The current instant."""
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that says what it was set to until moved: for tests and replays."""

    at: datetime

    def now(self) -> datetime:
        """The instant the clock was set to."""
        return self.at

    def advance(self, by: timedelta) -> None:
        """Move the clock forward."""
        self.at += by


SYSTEM_CLOCK: Clock = SystemClock()
"""The one wall clock a composition root hands out."""


def today(clock: Clock, offset_days: int = 0) -> date:
    """'Today' in the agency's time zone, moved by an operator's or a test's offset."""
    return agency_date(clock.now()) + timedelta(days=offset_days)
