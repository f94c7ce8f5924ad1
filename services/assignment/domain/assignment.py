"""Decisions on one subject (case or directive): route it, reassign it, hand it over."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from events import AssignmentKind, AssignmentMade, DeadlineSet, OfficeKind, Region, SubjectType
from services.assignment.domain.clocks import (
    DIRECTIVE_ACKNOWLEDGEMENT,
    EXTENSION_NOTICE,
    MISDIRECTED_FORWARD,
)
from services.assignment.domain.rules import Routing, RoutingFacts
from services.runtime.errors import Conflict, Invalid

OPEN = "open"
CLOSED = "closed"


@dataclass(frozen=True)
class SubjectState:
    """A case or directive as assignment holds it: routing facts, holder, clock."""

    id: str
    subject_type: SubjectType
    region: str | None
    sector: str | None = None
    risk_level: str | None = None
    status: str = OPEN
    office_id: str | None = None
    officer_id: str | None = None
    manual: bool = False
    rule: str | None = None
    clock: str | None = None
    basis_date: date | None = None
    basis_event_id: str | None = None
    due_date: date | None = None
    version: int = 0
    notice_due_date: date | None = None
    """The reporter's notice of the latest extension is due by then (a case's side clock)."""
    notice_done: bool = False
    forward_due_date: date | None = None
    """The misdirected case is to be forwarded by then (a case's side clock)."""
    forward_done: bool = False
    ack_due_date: date | None = None
    """The central body addressed is to acknowledge the directive by then (its side clock)."""
    ack_done: bool = False

    @property
    def facts(self) -> RoutingFacts:
        """What routing looks at."""
        return RoutingFacts(self.subject_type.value, self.region, self.sector, self.risk_level)


@dataclass(frozen=True)
class Holder:
    """The officer who would take a manual assignment, as the roster has them."""

    id: str
    region: str | None
    office_id: str
    office_kind: OfficeKind
    active: bool


def decide_automatic(subject: SubjectState, routing: Routing | None, trigger: str,
                     holder_active: bool) -> AssignmentMade | None:
    """Assign by rule unless it is manual, closed, or already with an active officer there."""
    if subject.manual or subject.status != OPEN or routing is None:
        return None
    if subject.officer_id is not None and holder_active and subject.office_id == routing.office_id:
        return None  # routing unchanged: a repeated or non-routing trigger reassigns nobody
    return AssignmentMade(
        subject_id=subject.id, subject_type=subject.subject_type, region=_region(subject),
        office_id=routing.office_id, officer_id=routing.officer_id,
        kind=AssignmentKind.AUTOMATIC, rule=routing.rule, reason=f"{trigger}: {routing.reason}",
        previous_officer_id=subject.officer_id,
    )


def decide_manual(subject: SubjectState, holder: Holder, reason: str) -> AssignmentMade:
    """A supervisor's choice: an active officer of the subject's region (or an agency unit)."""
    if subject.status != OPEN:
        raise Conflict(f"{subject.subject_type.value} {subject.id} is closed")
    if not holder.active:
        raise Conflict(f"officer {holder.id} is inactive", field="officer_id")
    national = holder.office_kind is OfficeKind.AGENCY_UNIT
    if not national and holder.region != subject.region:
        raise Invalid(f"officer {holder.id} works in {holder.region}, not {subject.region}",
                      field="officer_id")
    if holder.id == subject.officer_id:
        raise Conflict(f"already assigned to {holder.id}", field="officer_id")
    return AssignmentMade(
        subject_id=subject.id, subject_type=subject.subject_type, region=_region(subject),
        office_id=holder.office_id, officer_id=holder.id, kind=AssignmentKind.MANUAL,
        rule=None, reason=reason, previous_officer_id=subject.officer_id,
    )


def decide_handover(subject: SubjectState, routing: Routing | None, leaving: str,
                    why: str = "deactivated") -> AssignmentMade | None:
    """A leaving officer's open item goes where the rules send it now (manual or not)."""
    if subject.status != OPEN or subject.officer_id != leaving or routing is None:
        return None
    return AssignmentMade(
        subject_id=subject.id, subject_type=subject.subject_type, region=_region(subject),
        office_id=routing.office_id, officer_id=routing.officer_id,
        kind=AssignmentKind.HANDOVER, rule=routing.rule,
        reason=f"officer {leaving} {why}: {routing.reason}", previous_officer_id=leaving,
    )


def _region(subject: SubjectState) -> Region | None:
    return Region(subject.region) if subject.region else None


def evolve(state: SubjectState, payload: object, version: int) -> SubjectState:
    """The subject after one of its own assignment events."""
    moved = replace(state, version=version)
    if isinstance(payload, AssignmentMade):
        return replace(moved, office_id=payload.office_id, officer_id=payload.officer_id,
                       manual=payload.kind is AssignmentKind.MANUAL, rule=payload.rule)
    if isinstance(payload, DeadlineSet):
        if payload.clock == EXTENSION_NOTICE:
            return replace(moved, notice_due_date=payload.due_date)
        if payload.clock == MISDIRECTED_FORWARD:
            return replace(moved, forward_due_date=payload.due_date)
        if payload.clock == DIRECTIVE_ACKNOWLEDGEMENT:
            return replace(moved, ack_due_date=payload.due_date)
        return replace(moved, due_date=payload.due_date, clock=payload.clock)
    return moved
