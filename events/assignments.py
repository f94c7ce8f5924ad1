"""Payloads of the assignment stream (stream id = the case or directive id; owned by assignment)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import StringConstraints

from events.registry import REGISTRY, EventPayload, payload_type
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


SIDE_CLOCKS = frozenset({"extension_notice", "misdirected_forward", "directive_acknowledgement"})
"""`assignment.deadline_set` / `assignment.escalated` clocks that run beside a subject's due date
and never move it: the reporter's notice of an extension, the forwarding of a misdirected case,
and a central state body's acknowledgement of a directive addressed to it."""


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
class AssignmentEscalatedV1(EventPayload):
    """v1, read only: a breach of the subject's one due date."""

    subject_id: Id
    subject_type: SubjectType
    level: EscalationLevel
    due_date: date
    breach: Id


@payload_type("assignment.escalated", 2)
class AssignmentEscalated(EventPayload):
    """A subject is due soon or overdue on a named clock; `breach` names the breach so it is
    raised once.

    v2 names the `clock`: besides the subject's due date (`appeal`, `extension`, `directive`,
    `directive_extended`), a case's extension notice (`extension_notice`) and the forwarding of a
    misdirected case (`misdirected_forward`) escalate too. v1 upcasts with `clock` null: the
    subject's due date, whichever clock had set it.
    """

    subject_id: Id
    subject_type: SubjectType
    level: EscalationLevel
    due_date: date
    breach: Id
    clock: Id | None


def assignment_escalated_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """v1 escalated the subject's due date without naming its clock."""
    return {**payload, "clock": None}


REGISTRY.register_upcaster("assignment.escalated", 1, assignment_escalated_v1_to_v2)
