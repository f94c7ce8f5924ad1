"""Working-day arithmetic across weekends and Kazakhstan's holidays."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.calendar import WorkingCalendar, add_months, kazakhstan_calendar, procedure_clocks

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (date(2026, 11, 30), 1, date(2026, 12, 1)),   # Monday -> Tuesday
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday -> Monday
        (date(2026, 12, 15), 1, date(2026, 12, 17)),  # Independence Day on the 16th
        (date(2026, 3, 20), 1, date(2026, 3, 26)),    # Nauryz 21-23 (Sat-Mon), Sat+Sun shift to 24-25
        (date(2026, 5, 26), 1, date(2026, 5, 28)),    # Kurban Ait 2026-05-27
        (date(2026, 1, 5), 15, date(2026, 1, 27)),    # 15 working days over Orthodox Christmas
    ],
)
def test_adding_working_days_skips_weekends_and_holidays(start: date, count: int,
                                                         expected: date) -> None:
    assert kazakhstan_calendar().add_working_days(start, count) == expected


def test_a_holiday_on_a_weekend_moves_the_day_off_to_the_next_working_day() -> None:
    calendar = kazakhstan_calendar()
    assert date(2025, 3, 22).weekday() == 5  # Nauryz 2025: Fri 21, Sat 22, Sun 23
    assert not calendar.is_working_day(date(2025, 3, 24))
    assert not calendar.is_working_day(date(2025, 3, 25))
    assert calendar.is_working_day(date(2025, 3, 26))


def test_religious_holidays_on_a_weekend_do_not_move() -> None:
    assert date(2024, 1, 7).weekday() == 6
    assert kazakhstan_calendar().is_working_day(date(2024, 1, 8))


def test_working_days_between_counts_only_working_days() -> None:
    calendar = kazakhstan_calendar()
    assert calendar.working_days_between(date(2026, 11, 27), date(2026, 11, 30)) == 1
    assert calendar.working_days_between(date(2026, 11, 30), date(2026, 11, 27)) == -1


def test_adding_months_clamps_to_the_end_of_the_month() -> None:
    assert add_months(date(2026, 12, 31), 2) == date(2027, 2, 28)
    assert add_months(date(2026, 1, 15), 2) == date(2026, 3, 15)


def test_the_procedure_clocks_are_the_codes() -> None:
    clocks = procedure_clocks()
    assert (clocks.appeal_working_days, clocks.extension_max_months,
            clocks.forward_misdirected_working_days) == (15, 2, 3)


def _day_by_day_between(calendar: WorkingCalendar, start: date, end: date) -> int:
    sign, (low, high) = (1, (start, end)) if end >= start else (-1, (end, start))
    return sign * sum(1 for n in range(1, (high - low).days + 1)
                      if calendar.is_working_day(low + timedelta(days=n)))


@settings(max_examples=300, deadline=None)
@given(start=st.dates(date(2019, 6, 1), date(2037, 6, 1)),
       end=st.dates(date(2019, 6, 1), date(2037, 6, 1)), count=st.integers(0, 400))
def test_closed_form_working_day_arithmetic_equals_counting_day_by_day(
    start: date, end: date, count: int,
) -> None:
    calendar = kazakhstan_calendar()
    assert calendar.working_days_between(start, end) == _day_by_day_between(calendar, start, end)
    due = calendar.add_working_days(start, count)
    assert _day_by_day_between(calendar, start, due) == count
    assert count == 0 or calendar.is_working_day(due)


def test_working_day_arithmetic_reaches_the_last_representable_date_and_refuses_beyond() -> None:
    calendar = kazakhstan_calendar()
    far = calendar.working_days_between(date(2026, 1, 1), date(9999, 12, 31))
    assert 2_000_000 < far < 2_100_000
    assert calendar.add_working_days(date(2026, 1, 1), far) <= date(9999, 12, 31)
    with pytest.raises(OverflowError):
        calendar.add_working_days(date(2026, 1, 1), far + 10)
