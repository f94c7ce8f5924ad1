"""Working days and procedure clocks, held as data so a change can be replayed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are working days: weekdays that are neither holidays nor days off."""

    weekend: frozenset[int]
    days_off: frozenset[date]
    extra_working_days: frozenset[date]

    def is_working_day(self, day: date) -> bool:
        """Whether public bodies work on that day."""
        if day in self.extra_working_days:
            return True
        return day.weekday() not in self.weekend and day not in self.days_off

    def add_working_days(self, start: date, count: int) -> date:
        """The day `count` working days after `start` (start itself is not counted)."""
        day, left = start, count
        while left > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative if end is earlier)."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for n in range(1, (end - start).days + 1)
                   if self.is_working_day(start + timedelta(days=n)))


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
