"""Working days and procedure clocks, held as data so a change can be replayed."""

from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

AGENCY_TIME_ZONE = ZoneInfo("Asia/Almaty")
"""The agency's time zone (UTC+5 all year since March 2024): every date the system names —
registration, deadlines, periods, 'today' — is a date here."""


def agency_date(instant: datetime) -> date:
    """The agency's calendar date of an instant."""
    return instant.astimezone(AGENCY_TIME_ZONE).date()


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are working days: weekdays that are neither holidays nor days off.

    Arithmetic is closed form (whole weeks, then a lookup of the exceptions in sorted lists), so
    its cost does not grow with the distance between two dates.
    """

    weekend: frozenset[int]
    days_off: frozenset[date]
    extra_working_days: frozenset[date]
    _weekdays_off: tuple[date, ...] = field(init=False, repr=False, compare=False)
    _weekend_days_on: tuple[date, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        off = sorted(d for d in self.days_off
                     if d.weekday() not in self.weekend and d not in self.extra_working_days)
        on = sorted(d for d in self.extra_working_days if d.weekday() in self.weekend)
        object.__setattr__(self, "_weekdays_off", tuple(off))
        object.__setattr__(self, "_weekend_days_on", tuple(on))

    def is_working_day(self, day: date) -> bool:
        """Whether public bodies work on that day."""
        if day in self.extra_working_days:
            return True
        return day.weekday() not in self.weekend and day not in self.days_off

    def add_working_days(self, start: date, count: int) -> date:
        """The day `count` working days after `start` (start itself is not counted)."""
        if count <= 0:
            return start
        room = (date.max - start).days
        per_week = 7 - len(self.weekend) or 1
        reach = min(room, count * 7 // per_week + 7)
        while self.working_days_between(start, start + timedelta(days=reach)) < count:
            if reach == room:
                raise OverflowError(f"{count} working days after {start} is past {date.max}")
            reach = min(room, reach * 2)
        low, high = 1, reach  # the answer is the first day whose count reaches `count`
        while low < high:
            middle = (low + high) // 2
            if self.working_days_between(start, start + timedelta(days=middle)) >= count:
                high = middle
            else:
                low = middle + 1
        return start + timedelta(days=low)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative if end is earlier)."""
        if end < start:
            return -self.working_days_between(end, start)
        weeks, rest = divmod((end - start).days, 7)
        first = start.weekday()
        weekdays = weeks * (7 - len(self.weekend)) + sum(
            1 for n in range(1, rest + 1) if (first + n) % 7 not in self.weekend)
        return (weekdays - _count_in(self._weekdays_off, start, end)
                + _count_in(self._weekend_days_on, start, end))


def _count_in(days: tuple[date, ...], start: date, end: date) -> int:
    """How many of the sorted `days` fall after `start` up to and including `end`."""
    return bisect_right(days, end) - bisect_right(days, start)


@dataclass(frozen=True)
class ProcedureClocks:
    """Deadlines of the administrative procedure code, in working days or months."""

    appeal_working_days: int
    extension_max_months: int
    extension_notice_working_days: int
    forward_misdirected_working_days: int
    due_soon_working_days: int


def calendar_from_data(data: dict[str, Any], years: range) -> WorkingCalendar:
    """Build a calendar for some years from its data (fixed, movable and decreed days)."""
    weekend = frozenset(int(d) for d in data["weekend"])
    holidays: set[date] = {date.fromisoformat(d) for d in data["movable"]}
    shifted: list[date] = []
    for year in years:
        for rule in data["fixed"]:
            day = date(year, rule["month"], rule["day"])
            holidays.add(day)
            if rule["shift_if_weekend"] and day.weekday() in weekend:
                shifted.append(day)
    days_off = set(holidays)
    for day in sorted(shifted):
        moved = day + timedelta(days=1)
        while moved.weekday() in weekend or moved in days_off:
            moved += timedelta(days=1)
        days_off.add(moved)
    days_off.update(date.fromisoformat(d) for d in data["extra_days_off"])
    extra = frozenset(date.fromisoformat(d) for d in data["extra_working_days"])
    return WorkingCalendar(weekend, frozenset(days_off), extra)


def _data(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        resources.files("events").joinpath("data", name).read_text("utf-8"))
    return loaded


@cache
def kazakhstan_calendar() -> WorkingCalendar:
    """Kazakhstan's working-day calendar, 2020 to 2035."""
    return calendar_from_data(_data("kz_calendar.json"), range(2020, 2036))


@cache
def procedure_clocks() -> ProcedureClocks:
    """The procedure code's clocks."""
    data = _data("procedure_clocks.json")
    return ProcedureClocks(**{k: int(v) for k, v in data.items() if k != "description"})


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in range(day.day, 27, -1):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    return date(year, month, min(day.day, 28))
