"""Deadlines from the procedure code's clocks on a working-day calendar, and when to escalate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from events import EscalationLevel
from events.assignments import SIDE_CLOCKS
from events.calendar import ProcedureClocks, WorkingCalendar, add_months

APPEAL = "appeal"
"""15 working days to handle an appeal (a case), from its registration date."""
EXTENSION = "extension"
"""Up to 2 months past the original due date, by a motivated decision."""
EXTENSION_NOTICE = "extension_notice"
"""The reporter is told of an extension within 3 working days of the decision."""
MISDIRECTED_FORWARD = "misdirected_forward"
"""A misdirected appeal is forwarded within 3 working days."""
DIRECTIVE = "directive"
"""A directive's own due date, as issued or as extended."""
DIRECTIVE_ACKNOWLEDGEMENT = "directive_acknowledgement"
"""A central state body acknowledges a directive addressed to it within the catalog's working
days (`events/central_bodies.py`)."""
# SIDE_CLOCKS (the contract's): EXTENSION_NOTICE, MISDIRECTED_FORWARD and
# DIRECTIVE_ACKNOWLEDGEMENT run beside a subject's due date and escalate only when missed: their
# whole span is the due-soon window.


@dataclass(frozen=True)
class Clocks:
    """The procedure clocks on a calendar: everything deadline arithmetic needs."""

    calendar: WorkingCalendar
    procedure: ProcedureClocks

    def due(self, clock: str, start: date) -> date:
        """The due date of a named clock started on `start` (the start day itself not counted)."""
        p = self.procedure
        if clock == APPEAL:
            return self.calendar.add_working_days(start, p.appeal_working_days)
        if clock == EXTENSION:
            return add_months(start, p.extension_max_months)
        if clock == EXTENSION_NOTICE:
            return self.calendar.add_working_days(start, p.extension_notice_working_days)
        if clock == MISDIRECTED_FORWARD:
            return self.calendar.add_working_days(start, p.forward_misdirected_working_days)
        raise ValueError(f"unknown clock {clock!r}")

    def extension_allowed(self, original_due: date, requested: date) -> bool:
        """An extension may move a due date later, by at most the code's months."""
        return original_due < requested <= self.due(EXTENSION, original_due)

    def escalation(self, today: date, due_date: date) -> EscalationLevel | None:
        """Overdue after the due date; due soon within the code's warning working days."""
        if today > due_date:
            return EscalationLevel.OVERDUE
        if self.calendar.working_days_between(today, due_date) <= self.procedure.due_soon_working_days:
            return EscalationLevel.DUE_SOON
        return None


def breach_key(subject_id: str, level: EscalationLevel, due_date: date,
               clock: str | None = None) -> str:
    """The name of one breach: the same subject, level and due date is the same breach; a side
    clock's breach names its clock too, so it never collides with the due date's."""
    side = f"{clock}:" if clock in SIDE_CLOCKS else ""
    return f"{subject_id}:{side}{level.value}:{due_date.isoformat()}"
