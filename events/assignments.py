"""Payloads of the assignment stream (stream id = the case or directive id; owned by assignment)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import StringConstraints

from events.registry import EventPayload, payload_type
from events.vocabulary import Region

Id = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class SubjectType(StrEnum):
    """What is assigned: a case or a directive."""

    CASE = "case"
    DIRECTIVE = "directive"


class AssignmentKind(StrEnum):
    """How an assignment came about."""

    AUTOMATIC = "automatic"
    MANUAL = "manual"
    HANDOVER = "handover"


class EscalationLevel(StrEnum):
    """How close to (or past) its deadline a subject is."""

    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


@payload_type("assignment.made", 1)
class AssignmentMade(EventPayload):
    """A subject was given to an officer of an office, by a rule, a supervisor or a hand-over."""

    subject_id: Id
    subject_type: SubjectType
    region: Region | None
    office_id: Id
    officer_id: Id
    kind: AssignmentKind
    rule: Id | None
    reason: Reason
    previous_officer_id: Id | None


@payload_type("assignment.deadline_set", 1)
class DeadlineSet(EventPayload):
    """A subject's due date, computed by a named clock from the event that started it."""

    subject_id: Id
    subject_type: SubjectType
    due_date: date
    clock: Id
    basis_event_id: Id


@payload_type("assignment.escalated", 1)
class AssignmentEscalated(EventPayload):
    """A subject is due soon or overdue; `breach` names the breach so it is raised once."""

    subject_id: Id
    subject_type: SubjectType
    level: EscalationLevel
    due_date: date
    breach: Id
