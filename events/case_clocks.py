"""A case's legal clocks, as the procedure code states them (`data/procedure_clocks.json`) on the
working-day calendar: one rule each, for every service that needs the dates."""

from __future__ import annotations

from datetime import date

from events.calendar import (
    ProcedureClocks,
    WorkingCalendar,
    add_months,
    kazakhstan_calendar,
    procedure_clocks,
)


def appeal_due(registered_on: date, calendar: WorkingCalendar | None = None,
               clocks: ProcedureClocks | None = None) -> date:
    """An appeal is handled within 15 working days of its registration day."""
    days = (clocks or procedure_clocks()).appeal_working_days
    return (calendar or kazakhstan_calendar()).add_working_days(registered_on, days)


def extension_limit(registered_on: date, clocks: ProcedureClocks | None = None) -> date:
    """An extension may reach at most two months from registration, in all."""
    return add_months(registered_on, (clocks or procedure_clocks()).extension_max_months)


def notice_due(decided_on: date, calendar: WorkingCalendar | None = None,
               clocks: ProcedureClocks | None = None) -> date:
    """The reporter is told of an extension within 3 working days of the decision."""
    days = (clocks or procedure_clocks()).extension_notice_working_days
    return (calendar or kazakhstan_calendar()).add_working_days(decided_on, days)


def forward_due(registered_on: date, calendar: WorkingCalendar | None = None,
                clocks: ProcedureClocks | None = None) -> date:
    """A misdirected appeal is forwarded within 3 working days of its registration day."""
    days = (clocks or procedure_clocks()).forward_misdirected_working_days
    return (calendar or kazakhstan_calendar()).add_working_days(registered_on, days)
