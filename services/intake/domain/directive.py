"""The Directive aggregate: an instruction with a due date, reported on and verified."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from events import (
    DirectiveAcknowledged,
    DirectiveCancelled,
    DirectiveCompletionReported,
    DirectiveDeadlineExtended,
    DirectiveEscalated,
    DirectiveIssued,
    DirectiveProgressReported,
    DirectiveReturned,
    DirectiveReviewStarted,
    DirectiveVerdictIgnored,
    DirectiveVerified,
    EventEnvelope,
    EventPayload,
)
from events.calendar import WorkingCalendar, add_months, agency_date, procedure_clocks
from events.lifecycle import DirectiveStatus, next_directive_status
from services.intake.domain.commands import (
    AcknowledgeDirective,
    CancelDirective,
    DirectiveCommand,
    ExtendDeadline,
    IssueDirective,
    RecordVerdict,
    ReportCompletion,
    ReportProgress,
    StartReview,
)
from services.intake.domain.errors import FourEyesViolation, InvalidCommand
from services.intake.domain.subject import SubjectState
from services.runtime.aggregate import Aggregate

STREAM_TYPE = "directive"


D = DirectiveStatus
WORKING = frozenset({D.ACKNOWLEDGED, D.IN_PROGRESS, D.RETURNED, D.ESCALATED})
ACTIONS: dict[str, frozenset[DirectiveStatus]] = {
    "acknowledge": frozenset({D.ISSUED}),
    "progress": WORKING,
    "report": WORKING,
    "extend": WORKING | {D.ISSUED},
    "cancel": frozenset(D) - {D.VERIFIED, D.CANCELLED},
}
"""The operator actions (named like their endpoints) and the statuses they apply in."""


@dataclass(frozen=True)
class DirectiveState(SubjectState[DirectiveStatus]):
    """A directive as its events made it; version 0 means it does not exist."""

    noun = "directive"
    unborn = "unissued"
    actions = ACTIONS

    title: str = ""
    text: str = ""
    issuing_authority: str = ""
    addressee_body: str = ""
    due_date: date | None = None
    original_due_date: date | None = None
    meeting_reference: str | None = None
    issued_at: datetime | None = None
    issued_by: str | None = None
    acknowledgement: str | None = None
    progress: tuple[str, ...] = ()
    completion_summary: str | None = None
    reported_on: date | None = None
    review_id: str | None = None
    findings: str | None = None
    extensions: int = 0
    cancel_reason: str | None = None
    verdicts_seen: frozenset[str] = frozenset()
    receptions_required: int = 0


def decide(state: DirectiveState, command: DirectiveCommand) -> list[EventPayload]:
    """The events a command causes on a directive, or a DomainError."""
    match command:
        case IssueDirective():
            state.require_new("issue")
            if command.due_date <= command.today:
                raise InvalidCommand("due_date", "the due date must be after the issue date")
            return [DirectiveIssued(
                title=command.title, text=command.text,
                issuing_authority=command.issuing_authority,
                addressee_body=command.addressee_body, region=command.region,
                due_date=command.due_date, meeting_reference=command.meeting_reference,
                receptions_required=command.receptions_required)]
        case StartReview(review_id):
            if state.status is D.REPORTED:
                return [DirectiveReviewStarted(review_id=review_id)]
            return []
        case RecordVerdict():
            return _decide_verdict(state, command)
    state.require_begun(command)
    match command:
        case AcknowledgeDirective(note):
            state.require("acknowledge")
            return [DirectiveAcknowledged(note=note)]
        case ReportProgress(note):
            state.require("progress")
            return [DirectiveProgressReported(note=note)]
        case ReportCompletion(summary):
            state.require("report")
            return [DirectiveCompletionReported(summary=summary)]
        case ExtendDeadline():
            return _decide_extension(state, command)
        case CancelDirective(reason):
            state.require("cancel")
            return [DirectiveCancelled(reason=reason)]
    raise TypeError(f"not a directive command: {command!r}")


def _decide_extension(state: DirectiveState, command: ExtendDeadline) -> list[EventPayload]:
    state.require("extend")
    assert state.due_date is not None and state.original_due_date is not None
    if command.actor_id == state.issued_by:
        raise FourEyesViolation("a deadline is extended by a supervisor other than the issuer")
    if command.new_due_date <= state.due_date:
        raise InvalidCommand("new_due_date",
                             f"the new due date must be after {state.due_date.isoformat()}")
    latest = add_months(state.original_due_date, procedure_clocks().extension_max_months)
    if command.new_due_date > latest:
        raise InvalidCommand("new_due_date",
                             f"an extension may reach {latest.isoformat()} at the latest")
    return [DirectiveDeadlineExtended(previous_due_date=state.due_date,
                                      new_due_date=command.new_due_date, reason=command.reason)]


def _decide_verdict(state: DirectiveState, command: RecordVerdict) -> list[EventPayload]:
    if command.verdict_event_id in state.verdicts_seen:
        return []
    reason = None
    if state.status not in (D.REPORTED, D.UNDER_REVIEW):
        reason = f"the directive is {state.status}, not reported or under review"
    elif command.verdict == "approved":
        return [DirectiveVerified(review_id=command.review_id,
                                  verdict_event_id=command.verdict_event_id)]
    elif command.verdict == "returned":
        return [DirectiveReturned(review_id=command.review_id, findings=command.findings)]
    elif command.verdict == "escalated" and command.findings:
        return [DirectiveEscalated(review_id=command.review_id,
                                   verdict_event_id=command.verdict_event_id,
                                   findings=command.findings)]
    else:
        reason = f"verdict {command.verdict!r} does not apply to directives"
    return [DirectiveVerdictIgnored(review_id=command.review_id, verdict=command.verdict,
                                    verdict_event_id=command.verdict_event_id, reason=reason)]


def evolve(state: DirectiveState, envelope: EventEnvelope, payload: EventPayload
           ) -> DirectiveState:
    """The state after one stored event."""
    s = state.after(envelope, next_directive_status(state.status, envelope.event_type))
    match payload:
        case DirectiveIssued():
            return replace(
                s, title=payload.title, text=payload.text,
                issuing_authority=payload.issuing_authority,
                addressee_body=payload.addressee_body, region=payload.region,
                due_date=payload.due_date, original_due_date=payload.due_date,
                meeting_reference=payload.meeting_reference, issued_at=envelope.occurred_at,
                issued_by=envelope.actor.id, receptions_required=payload.receptions_required)
        case DirectiveAcknowledged():
            return replace(s, acknowledgement=payload.note)
        case DirectiveProgressReported():
            return replace(s, progress=(*s.progress, payload.note))
        case DirectiveCompletionReported():
            return replace(s, completion_summary=payload.summary,
                           reported_on=agency_date(envelope.occurred_at))
        case DirectiveReviewStarted():
            return replace(s, review_id=payload.review_id)
        case DirectiveVerified():
            return replace(s, review_id=payload.review_id,
                           verdicts_seen=s.verdicts_seen | {payload.verdict_event_id})
        case DirectiveReturned():
            return replace(s, review_id=payload.review_id,
                           findings=payload.findings, reported_on=None)
        case DirectiveEscalated():
            return replace(s, review_id=payload.review_id, findings=payload.findings,
                           reported_on=None,
                           verdicts_seen=s.verdicts_seen | {payload.verdict_event_id})
        case DirectiveVerdictIgnored():
            return replace(s, verdicts_seen=s.verdicts_seen | {payload.verdict_event_id})
        case DirectiveDeadlineExtended():
            return replace(s, due_date=payload.new_due_date, extensions=s.extensions + 1)
        case DirectiveCancelled():
            return replace(s, cancel_reason=payload.reason)
    return s


DIRECTIVE = Aggregate(STREAM_TYPE, lambda directive_id: DirectiveState(id=directive_id), evolve)
"""A directive: the fold of its stream."""
fold = DIRECTIVE.fold


@dataclass(frozen=True)
class Lateness:
    """Whether a directive is overdue on a given day, and by how many working days."""

    effective_due_date: date
    overdue: bool
    days_overdue: int


def lateness(state: DirectiveState, today: date, calendar: WorkingCalendar) -> Lateness | None:
    """Overdue, measured in working days: at the completion report if made, else on `today`.

    A due date on a day off moves to the next working day. Never reads the wall clock.
    """
    if state.due_date is None:
        return None
    due = state.due_date
    while not calendar.is_working_day(due):
        due = _next_day(due)
    if state.status is D.CANCELLED:
        return Lateness(due, False, 0)
    measured_on = state.reported_on or today
    # late once a working day has passed after the due date (a weekend alone is not lateness)
    days = calendar.working_days_between(due, measured_on) if measured_on > due else 0
    return Lateness(due, days > 0, days)


def _next_day(day: date) -> date:
    return date.fromordinal(day.toordinal() + 1)
