"""The status rules of cases and directives: one pure fold over a stream's event types.

Intake's aggregates and reporting's registers both take a subject's status from here, so
operators and monitors read the same status after every event.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class CaseStatus(StrEnum):
    """Where a case is in its life."""

    REGISTERED = "registered"
    TRIAGED = "triaged"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    UNDER_REVIEW = "under_review"
    ESCALATED = "escalated"
    CLOSED = "closed"
    REOPENED = "reopened"
    WITHDRAWN = "withdrawn"
    DUPLICATE = "duplicate"
    FORWARDED = "forwarded"
    """Sent on to the region or body it belongs to (a misdirected appeal): it ends here."""


class DirectiveStatus(StrEnum):
    """Where a directive is in its life."""

    ISSUED = "issued"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    REPORTED = "reported"
    UNDER_REVIEW = "under_review"
    RETURNED = "returned"
    ESCALATED = "escalated"
    VERIFIED = "verified"
    CANCELLED = "cancelled"


C = CaseStatus
_CASE_MOVES: dict[str, CaseStatus] = {
    "case.registered": C.REGISTERED, "case.progress_noted": C.IN_PROGRESS,
    "case.resolved": C.RESOLVED, "case.closed": C.CLOSED, "case.reopened": C.REOPENED,
    "case.marked_duplicate": C.DUPLICATE, "case.withdrawn": C.WITHDRAWN,
    "case.escalated": C.ESCALATED, "case.forwarded": C.FORWARDED,
}
"""Case events that set the status whatever it was."""

_CASE_STEPS: dict[str, tuple[frozenset[CaseStatus], CaseStatus]] = {
    "case.triaged": (frozenset({C.REGISTERED}), C.TRIAGED),
    "case.assigned": (frozenset({C.REGISTERED, C.TRIAGED}), C.ASSIGNED),
    "case.review_started": (frozenset({C.RESOLVED}), C.UNDER_REVIEW),
}
"""Case events that move the status only from the statuses named: triage after assignment
keeps a case assigned, a reassignment keeps a case in progress in progress."""

D = DirectiveStatus
_DIRECTIVE_MOVES: dict[str, DirectiveStatus] = {
    "directive.issued": D.ISSUED, "directive.acknowledged": D.ACKNOWLEDGED,
    "directive.progress_reported": D.IN_PROGRESS, "directive.completion_reported": D.REPORTED,
    "directive.review_started": D.UNDER_REVIEW, "directive.verified": D.VERIFIED,
    "directive.returned": D.RETURNED, "directive.cancelled": D.CANCELLED,
    "directive.escalated": D.ESCALATED,
}
"""Directive events that set the status; the others (extension, ignored verdict) keep it."""


def next_case_status(current: CaseStatus | None, event_type: str) -> CaseStatus | None:
    """A case's status after one more event of its own stream (None: not registered yet)."""
    if event_type in _CASE_MOVES:
        return _CASE_MOVES[event_type]
    step = _CASE_STEPS.get(event_type)
    if step is not None and current in step[0]:
        return step[1]
    return current


def case_status(event_types: Iterable[str]) -> CaseStatus | None:
    """A case's status from its stream's event types in stream order."""
    status: CaseStatus | None = None
    for event_type in event_types:
        status = next_case_status(status, event_type)
    return status


def next_directive_status(current: DirectiveStatus | None, event_type: str
                          ) -> DirectiveStatus | None:
    """A directive's status after one more event of its own stream (None: not issued yet)."""
    return _DIRECTIVE_MOVES.get(event_type, current)


def directive_status(event_types: Iterable[str]) -> DirectiveStatus | None:
    """A directive's status from its stream's event types in stream order."""
    status: DirectiveStatus | None = None
    for event_type in event_types:
        status = next_directive_status(status, event_type)
    return status
