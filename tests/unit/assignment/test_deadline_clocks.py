"""Deadline arithmetic on the working-day calendar: weekends, holidays, extensions, escalation."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from events import EscalationLevel
from events.calendar import (
    ProcedureClocks,
    WorkingCalendar,
    agency_date,
    kazakhstan_calendar,
    procedure_clocks,
)
from services.assignment.domain.clocks import (
    APPEAL,
    EXTENSION,
    EXTENSION_NOTICE,
    MISDIRECTED_FORWARD,
    Clocks,
    breach_key,
)
from services.runtime.clock import FixedClock, today

pytestmark = pytest.mark.unit

CLOCKS = Clocks(kazakhstan_calendar(), procedure_clocks())


@pytest.mark.parametrize(
    ("clock", "start", "due"),
    [
        # 15 working days from Monday 2 Nov 2026: three full weeks later
        (APPEAL, date(2026, 11, 2), date(2026, 11, 23)),
        # from a Friday: the weekend does not count
        (APPEAL, date(2026, 11, 6), date(2026, 11, 27)),
        # registered on a Saturday: counting starts on Monday
        (APPEAL, date(2026, 11, 7), date(2026, 11, 27)),
        # across Independence Day (Wed 16 Dec 2026): one day later
        (APPEAL, date(2026, 12, 1), date(2026, 12, 23)),
        # across New Year (1-2 Jan 2027, Fri-Sat: the Saturday holiday moves to Monday 4 Jan)
        # and Orthodox Christmas (Thu 7 Jan 2027)
        (APPEAL, date(2026, 12, 24), date(2027, 1, 19)),
        # across Nauryz 21-23 March 2027 (Sun-Tue; Sunday's day off moves to Wednesday 24)
        (APPEAL, date(2027, 3, 15), date(2027, 4, 8)),
        (MISDIRECTED_FORWARD, date(2026, 12, 15), date(2026, 12, 21)),  # skips 16 Dec + weekend
        (EXTENSION_NOTICE, date(2026, 11, 27), date(2026, 12, 2)),  # Fri -> Wed
        (EXTENSION, date(2026, 12, 31), date(2027, 2, 28)),  # 2 months, clamped to month end
    ],
)
def test_due_dates_count_working_days_only(clock: str, start: date, due: date) -> None:
    assert CLOCKS.due(clock, start) == due


def test_an_unknown_clock_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown clock"):
        CLOCKS.due("sundial", date(2026, 1, 5))


@pytest.mark.parametrize(
    ("original", "requested", "allowed"),
    [
        (date(2026, 11, 23), date(2027, 1, 23), True),
        (date(2026, 11, 23), date(2027, 1, 24), False),  # beyond two months
        (date(2026, 11, 23), date(2026, 11, 20), False),  # not an extension
    ],
)
def test_an_extension_is_at_most_two_months(original: date, requested: date, allowed: bool) -> None:
    assert CLOCKS.extension_allowed(original, requested) is allowed


@pytest.mark.parametrize(
    ("on", "level"),
    [
        (date(2026, 11, 17), None),  # 4 working days before
        (date(2026, 11, 18), EscalationLevel.DUE_SOON),  # 3 working days before
        (date(2026, 11, 23), EscalationLevel.DUE_SOON),  # on the day
        (date(2026, 11, 24), EscalationLevel.OVERDUE),
    ],
)
def test_escalation_is_due_soon_within_three_working_days_then_overdue(
        on: date, level: EscalationLevel | None) -> None:
    assert CLOCKS.escalation(on, date(2026, 11, 23)) == level


def test_a_calendar_change_moves_the_replayed_due_date_and_so_the_breach() -> None:
    plain = Clocks(WorkingCalendar(frozenset({5, 6}), frozenset(), frozenset()),
                   ProcedureClocks(15, 2, 3, 3, 3))
    decreed = Clocks(WorkingCalendar(frozenset({5, 6}), frozenset({date(2026, 11, 4)}),
                                     frozenset()), ProcedureClocks(15, 2, 3, 3, 3))
    before, after = plain.due(APPEAL, date(2026, 11, 2)), decreed.due(APPEAL, date(2026, 11, 2))
    assert (before, after) == (date(2026, 11, 23), date(2026, 11, 24))
    assert breach_key("c", EscalationLevel.OVERDUE, before) != breach_key(
        "c", EscalationLevel.OVERDUE, after)
    assert breach_key("c", EscalationLevel.OVERDUE, before) == breach_key(
        "c", EscalationLevel.OVERDUE, plain.due(APPEAL, date(2026, 11, 2)))


def test_dates_are_taken_in_the_agency_time_zone() -> None:
    late_evening_utc = datetime(2026, 11, 29, 20, 30, tzinfo=UTC)  # already 30 Nov in Almaty
    assert agency_date(late_evening_utc) == date(2026, 11, 30)
    assert today(FixedClock(late_evening_utc), offset_days=40) == date(2027, 1, 9)
